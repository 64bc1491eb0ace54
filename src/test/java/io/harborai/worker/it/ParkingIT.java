package io.harborai.worker.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.harborai.worker.HarborWorker;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.Message;
import io.harborai.worker.avro.Params;
import io.harborai.worker.avro.ResultStatus;
import io.harborai.worker.metrics.MetricsCatalog;
import io.harborai.worker.schema.AvroSerde;
import io.harborai.worker.schema.SchemaRegistryClient;
import io.harborai.worker.simulator.LatencyModel;
import io.harborai.worker.simulator.SimulatorOptions;
import io.harborai.worker.simulator.SimulatorServer;
import io.harborai.worker.testinfra.HarborIntegrationTest;
import io.harborai.worker.testinfra.Infra;
import io.harborai.worker.testinfra.WorkerConfigs;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The memory bound under a backlog that outlasts {@code dispatch.max-block-ms}: with a cap of 8 and
 * a simulator answering in about a second, the cap stays full longer than the 100 ms a record may
 * wait, so records are parked on disk, and every request gets exactly one SUCCEEDED result for a
 * read_committed consumer.
 *
 * <p>The in-flight gauge (sampled every 20 ms) counts what the cap admitted plus finished calls
 * whose result waits for its own task to forward it: those free their slot at once (see {@code
 * InFlight}) and number at most one per call, so the gauge stays within twice the cap; one record
 * per dispatch task is allowed on top, the slack the brief grants. Before parking, a backlog that
 * outlasted max-block-ms was taken over the cap, one record per wait, without bound.
 */
@HarborIntegrationTest
class ParkingIT {
    private static final Logger log = LoggerFactory.getLogger(ParkingIT.class);
    private static final int REQUESTS = 120;
    private static final int CAP = 8;
    /** Dispatch tasks: one per partition of the repartition topic ({@code topics.partitions}). */
    private static final int TASKS = 3;

    private static ChatRequest request(String id) {
        return ChatRequest.newBuilder()
                .setId(id)
                .setModel("sim-chat")
                .setMessages(List.of(Message.newBuilder()
                        .setRole("user")
                        .setContent("question " + id)
                        .build()))
                .setParams(Params.newBuilder().build())
                .build();
    }

    @Test
    void shouldParkTheBacklogOnDiskKeepTheCapAndAnswerEveryRequestOnce(Infra infra) throws Exception {
        SchemaRegistryClient registry = SchemaRegistryClient.create(infra.schemaRegistryUrl());
        Map<String, Object> cfg = new HashMap<>(WorkerConfigs.base(infra, "parking-it"));
        cfg.put("topics.partitions", TASKS);
        cfg.put("dispatch.max-in-flight", CAP);
        cfg.put("dispatch.max-block-ms", 100);
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        try (SimulatorServer sim = SimulatorServer.start(SimulatorOptions.defaults()
                .withLatencyModel(LatencyModel.uniform(Duration.ofMillis(400), Duration.ofMillis(600))))) {
            cfg.put("providers.sim.base-url", sim.baseUrl());
            cfg.put("providers.sim.models", List.of("sim-*"));
            try (HarborWorker worker = WorkerConfigs.running(cfg)) {
                MeterRegistry meters = worker.meters();
                AtomicInteger maxInFlight = new AtomicInteger();
                sampler.scheduleAtFixedRate(
                        () -> {
                            var gauge = meters.find(MetricsCatalog.IN_FLIGHT)
                                    .tag("traffic", "online")
                                    .gauge();
                            if (gauge != null) {
                                maxInFlight.accumulateAndGet((int) gauge.value(), Math::max);
                            }
                        },
                        0,
                        20,
                        TimeUnit.MILLISECONDS);

                String requests = (String) cfg.get("topics.requests");
                List<String> ids =
                        IntStream.range(0, REQUESTS).mapToObj(i -> "park-" + i).toList();
                try (var producer = new KafkaProducer<>(
                        Map.<String, Object>of("bootstrap.servers", infra.kafkaBootstrap()),
                        new StringSerializer(),
                        new AvroSerde<>(registry, ChatRequest.class, true).serializer())) {
                    ids.forEach(id -> producer.send(new ProducerRecord<>(requests, id, request(id))));
                }
                List<ConsumerRecord<String, ChatResult>> got = ResultsReader.results(
                        infra.kafkaBootstrap(),
                        registry,
                        (String) cfg.get("topics.results"),
                        Duration.ofSeconds(180),
                        recs -> recs.stream()
                                .map(ConsumerRecord::key)
                                .collect(Collectors.toSet())
                                .containsAll(ids));
                sampler.shutdownNow();

                double parks = meters.get(MetricsCatalog.PARKS)
                        .tag("traffic", "online")
                        .counter()
                        .count();
                double succeeded = meters.get(MetricsCatalog.RESULTS)
                        .tags("traffic", "online", "status", "SUCCEEDED", "code", "none")
                        .counter()
                        .count();
                log.info(
                        "measured: {} requests, cap {}, max in-flight sampled {}, parked {} times, {} calls",
                        REQUESTS,
                        CAP,
                        maxInFlight.get(),
                        parks,
                        sim.calls());

                Map<String, List<ChatResult>> byId = got.stream()
                        .collect(Collectors.groupingBy(
                                ConsumerRecord::key, Collectors.mapping(ConsumerRecord::value, Collectors.toList())));
                assertThat(byId.keySet()).containsAll(ids);
                assertThat(byId.values())
                        .allSatisfy(results -> assertThat(results)
                                .singleElement()
                                .satisfies(r -> assertThat(r.getStatus()).isEqualTo(ResultStatus.SUCCEEDED)));
                assertThat(succeeded).as("one result forwarded per request").isEqualTo(REQUESTS);
                assertThat(parks)
                        .as("the backlog outlasted max-block-ms and was parked")
                        .isPositive();
                assertThat(maxInFlight.get())
                        .as("the in-flight gauge stayed within twice the cap (+1 per task)")
                        .isPositive()
                        .isLessThanOrEqualTo(2 * CAP + TASKS);
                assertThat(meters.get(MetricsCatalog.PARKED)
                                .tag("traffic", "online")
                                .gauge()
                                .value())
                        .as("everything parked was admitted")
                        .isZero();
            }
        } finally {
            sampler.shutdownNow();
        }
    }
}
