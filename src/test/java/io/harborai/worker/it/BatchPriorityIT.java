package io.harborai.worker.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.harborai.worker.HarborWorker;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.Message;
import io.harborai.worker.avro.Params;
import io.harborai.worker.config.HarborConfig;
import io.harborai.worker.provider.SimulatorOptions;
import io.harborai.worker.provider.SimulatorServer;
import io.harborai.worker.schema.AvroSerde;
import io.harborai.worker.schema.SchemaRegistryClient;
import io.harborai.worker.testinfra.HarborIntegrationTest;
import io.harborai.worker.testinfra.Infra;
import io.harborai.worker.testinfra.WorkerConfigs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Online requests sent while a large batch drains on the same worker complete about as fast as on
 * an idle worker: batch traffic has its own Streams application and only a share of the in-flight
 * budget and of the provider's concurrency. Latencies are logged ("measured:") and asserted loosely:
 * the machine running the test is shared.
 */
@HarborIntegrationTest
class BatchPriorityIT {
    private static final Logger log = LoggerFactory.getLogger(BatchPriorityIT.class);
    private static final int BATCH = 20_000;
    private static final int ONLINE = 40;

    /** Arrival time (nanoTime) of every result read so far, by request id; read_committed. */
    private static final class Arrivals implements AutoCloseable {
        final Map<String, Long> at = new ConcurrentHashMap<>();
        final AtomicLong batchResults = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        Arrivals(Infra infra, SchemaRegistryClient registry, String topic) {
            thread = new Thread(() -> {
                try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrap(),
                    ConsumerConfig.GROUP_ID_CONFIG, "prio-" + UUID.randomUUID(),
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                    new StringDeserializer(), new AvroSerde<>(registry, ChatResult.class, false).deserializer())) {
                    consumer.subscribe(List.of(topic));
                    while (running.get()) {
                        for (var rec : consumer.poll(Duration.ofMillis(20))) {
                            at.putIfAbsent(rec.key(), System.nanoTime());
                            if (rec.key().startsWith("bulk-")) {
                                batchResults.incrementAndGet();
                            }
                        }
                    }
                }
            }, "prio-arrivals");
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(10_000);
        }
    }

    private static ChatRequest request(String id, String text) {
        return ChatRequest.newBuilder().setId(id).setModel("sim-chat")
            .setMessages(List.of(Message.newBuilder().setRole("user").setContent(text).build()))
            .setParams(Params.newBuilder().build()).build();
    }

    /** Sends {@code n} online requests 50 ms apart; returns their latencies in ms, sorted. */
    private static List<Long> online(KafkaProducer<String, ChatRequest> producer, String topic, Arrivals arrivals,
                                     String prefix) throws InterruptedException {
        Map<String, Long> sent = new ConcurrentHashMap<>();
        for (int i = 0; i < ONLINE; i++) {
            String id = prefix + i;
            sent.put(id, System.nanoTime());
            producer.send(new ProducerRecord<>(topic, id, request(id, prefix + " question " + i)));
            producer.flush();
            Thread.sleep(50);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!arrivals.at.keySet().containsAll(sent.keySet()) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        List<Long> ms = new ArrayList<>();
        sent.forEach((id, t) -> {
            Long got = arrivals.at.get(id);
            assertThat(got).as("online result %s arrived", id).isNotNull();
            ms.add((got - t) / 1_000_000);
        });
        ms.sort(null);
        return ms;
    }

    private static long p(List<Long> sorted, double q) {
        return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(q * sorted.size()) - 1));
    }

    @Test
    void shouldKeepOnlineLatencyCloseToIdleWhileALargeBatchDrains(Infra infra) throws Exception {
        SchemaRegistryClient registry = SchemaRegistryClient.create(infra.schemaRegistryUrl());
        try (SimulatorServer sim = SimulatorServer.start(SimulatorOptions.defaults().withLatency(Duration.ofMillis(50)))) {
            Map<String, Object> cfg = WorkerConfigs.base(infra, "prio");
            cfg.put("providers.sim.base-url", sim.baseUrl());
            cfg.put("providers.sim.models", List.of("*"));
            cfg.put("dispatch.max-in-flight", 128);
            cfg.put("dispatch.concurrency-initial", 128);
            String requests = (String) cfg.get("topics.requests");
            String batchTopic = (String) cfg.get("topics.requests-batch");
            try (HarborWorker worker = HarborWorker.start(HarborConfig.fromMap(cfg));
                 Arrivals arrivals = new Arrivals(infra, registry, (String) cfg.get("topics.results"));
                 var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", infra.kafkaBootstrap(),
                     "linger.ms", 0), new StringSerializer(), new AvroSerde<>(registry, ChatRequest.class, true).serializer())) {
                assertThat(worker.awaitRunning(Duration.ofSeconds(60))).isTrue();
                online(producer, requests, arrivals, "warm-");
                List<Long> idle = online(producer, requests, arrivals, "idle-");

                for (int i = 0; i < BATCH; i++) {
                    producer.send(new ProducerRecord<>(batchTopic, "bulk-" + i, request("bulk-" + i, "bulk question " + i)));
                }
                producer.flush();
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (arrivals.batchResults.get() < 500 && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                List<Long> busy = online(producer, requests, arrivals, "busy-");
                long batchDoneWhenOnlineFinished = arrivals.batchResults.get();

                log.info("measured: online latency ms idle p50/p95/max {}/{}/{}; during a {}-request batch {}/{}/{}"
                        + " (batch results when the online requests were done: {})", p(idle, 0.5), p(idle, 0.95),
                    idle.get(idle.size() - 1), BATCH, p(busy, 0.5), p(busy, 0.95), busy.get(busy.size() - 1),
                    batchDoneWhenOnlineFinished);
                assertThat(batchDoneWhenOnlineFinished).as("the batch was still draining").isLessThan(BATCH);
                assertThat(p(busy, 0.5)).as("online p50 during the batch stays close to idle")
                    .isLessThanOrEqualTo(Math.max(3 * p(idle, 0.5), p(idle, 0.5) + 400));
            }
        }
    }
}
