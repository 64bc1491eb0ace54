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
import io.harborai.worker.simulator.SimulatorOptions;
import io.harborai.worker.simulator.SimulatorServer;
import io.harborai.worker.testinfra.HarborIntegrationTest;
import io.harborai.worker.testinfra.Infra;
import io.harborai.worker.testinfra.WorkerConfigs;
import io.harborai.worker.topology.DlqHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-id contract on the real broker, redis-server and the simulator over HTTP: 1,000 requests,
 * 2 % of them invalid ({@code messages: []} or {@code model: ""}), a tenth of them with a null key
 * and a tenth with a key that is not their id. Every id gets exactly one result (FAILED {@code
 * INVALID_REQUEST} with one DLQ record for the invalid ones, SUCCEEDED for the rest). The same 1,000
 * records sent again get no result, no provider call, and 1,000 {@code DUPLICATE_ID} DLQ records.
 * Results and DLQ are read with {@code read_committed}.
 */
@HarborIntegrationTest
class RequestContractIT {
    private static final Logger log = LoggerFactory.getLogger(RequestContractIT.class);
    private static final int REQUESTS = 1_000;
    private static final Duration WAIT = Duration.ofSeconds(120);

    /** 2 %: {@code messages: []} with a null key, {@code model: ""} keyed by id. */
    private static boolean invalid(int i) {
        return i % 100 == 3 || i % 100 == 56;
    }

    private static ChatRequest request(int i) {
        List<Message> messages = List.of(Message.newBuilder()
                .setRole("user")
                .setContent("contract question " + i)
                .build());
        ChatRequest.Builder b = ChatRequest.newBuilder()
                .setId("c-" + i)
                .setModel("sim-chat")
                .setMessages(messages)
                .setParams(Params.newBuilder().build())
                .setTenant("t-" + (i % 3));
        if (invalid(i)) {
            if (i % 100 == 3) {
                b.setMessages(List.of());
            } else {
                b.setModel("");
            }
        }
        return b.build();
    }

    /** Keyed by id, except every tenth record with a null key and every tenth with another key. */
    private static byte[] key(int i) {
        return switch (i % 10) {
            case 3 -> null;
            case 5 -> ("not-the-id-" + i).getBytes(StandardCharsets.UTF_8);
            default -> ("c-" + i).getBytes(StandardCharsets.UTF_8);
        };
    }

    private static void sendAll(String bootstrap, String topic, AvroSerde<ChatRequest> serde) {
        try (var producer = new KafkaProducer<>(
                Map.<String, Object>of("bootstrap.servers", bootstrap),
                new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < REQUESTS; i++) {
                producer.send(
                        new ProducerRecord<>(topic, key(i), serde.serializer().serialize(topic, request(i))));
            }
        }
    }

    @Test
    void shouldAnswerEveryIdOnceAndNeverAgainWithinTheRetention(Infra infra) throws Exception {
        SchemaRegistryClient registry = SchemaRegistryClient.create(infra.schemaRegistryUrl());
        AvroSerde<ChatRequest> serde = new AvroSerde<>(registry, ChatRequest.class, true);
        try (SimulatorServer sim = SimulatorServer.start(new SimulatorOptions("127.0.0.1", 0, Duration.ZERO))) {
            Map<String, Object> cfg = WorkerConfigs.base(infra, "contract");
            cfg.put("providers.sim.base-url", sim.baseUrl());
            cfg.put("providers.sim.models", List.of("sim-*"));
            String requests = (String) cfg.get("topics.requests");
            String results = (String) cfg.get("topics.results");
            String dlq = (String) cfg.get("topics.dlq");
            Set<String> invalidIds = new TreeSet<>();
            for (int i = 0; i < REQUESTS; i++) {
                if (invalid(i)) {
                    invalidIds.add("c-" + i);
                }
            }
            assertThat(invalidIds).hasSize(20);
            Function<ConsumerRecord<byte[], byte[]>, String> idOf =
                    r -> serde.deserializer().deserialize(requests, r.value()).getId();

            try (HarborWorker worker = WorkerConfigs.running(cfg)) {
                long callsBefore = sim.calls();
                sendAll(infra.kafkaBootstrap(), requests, serde);
                List<ConsumerRecord<String, ChatResult>> first = ResultsReader.results(
                        infra.kafkaBootstrap(),
                        registry,
                        results,
                        WAIT,
                        recs -> recs.stream()
                                        .map(ConsumerRecord::key)
                                        .distinct()
                                        .count()
                                >= REQUESTS);
                Map<String, List<ChatResult>> byId = first.stream()
                        .collect(Collectors.groupingBy(
                                ConsumerRecord::key, Collectors.mapping(ConsumerRecord::value, Collectors.toList())));
                assertThat(byId).hasSize(REQUESTS);
                assertThat(byId).allSatisfy((id, rs) -> {
                    assertThat(rs).as("results of %s", id).hasSize(1);
                    ChatResult r = rs.get(0);
                    if (invalidIds.contains(id)) {
                        assertThat(r.getStatus()).as(id).isEqualTo(ResultStatus.FAILED);
                        assertThat(r.getError().getCode()).as(id).isEqualTo("INVALID_REQUEST");
                        assertThat(r.getError().getMessage())
                                .as(id)
                                .containsAnyOf("messages is empty", "model is empty");
                    } else {
                        assertThat(r.getStatus()).as(id).isEqualTo(ResultStatus.SUCCEEDED);
                    }
                });
                assertThat(sim.calls() - callsBefore)
                        .as("one call per valid request")
                        .isEqualTo(REQUESTS - 20);
                List<ConsumerRecord<byte[], byte[]>> dead =
                        ResultsReader.raw(infra.kafkaBootstrap(), dlq, WAIT, recs -> recs.size() >= invalidIds.size());
                assertThat(dead)
                        .extracting(r -> DlqHeaders.get(r.headers(), DlqHeaders.REASON))
                        .containsOnly("INVALID_REQUEST");
                assertThat(dead.stream().map(idOf).toList())
                        .as("one DLQ record per invalid id")
                        .containsExactlyInAnyOrderElementsOf(invalidIds);

                long callsAfterFirst = sim.calls();
                sendAll(infra.kafkaBootstrap(), requests, serde);
                List<ConsumerRecord<byte[], byte[]>> all = ResultsReader.raw(
                        infra.kafkaBootstrap(), dlq, WAIT, recs -> recs.size() >= invalidIds.size() + REQUESTS);
                List<ConsumerRecord<byte[], byte[]>> duplicates = all.stream()
                        .filter(r -> "DUPLICATE_ID".equals(DlqHeaders.get(r.headers(), DlqHeaders.REASON)))
                        .toList();
                assertThat(duplicates).hasSize(REQUESTS);
                assertThat(duplicates.stream().map(idOf).distinct().count()).isEqualTo(REQUESTS);
                // The DLQ records and any result of the second round commit in the same transactions:
                // with all 1,000 DUPLICATE_ID records visible, a second result would be visible too.
                assertThat(readToEnd(infra.kafkaBootstrap(), results))
                        .as("no new results")
                        .isEqualTo(REQUESTS);
                assertThat(sim.calls() - callsAfterFirst)
                        .as("no provider calls")
                        .isZero();
                assertThat(worker.meters()
                                .get(MetricsCatalog.REQUEST_DUPLICATES)
                                .tag("traffic", "online")
                                .counter()
                                .count())
                        .isEqualTo(REQUESTS);
                log.info(
                        "measured: {} requests ({} invalid): {} results, {} calls; sent again: {} DUPLICATE_ID, "
                                + "{} calls",
                        REQUESTS,
                        invalidIds.size(),
                        first.size(),
                        callsAfterFirst - callsBefore,
                        duplicates.size(),
                        sim.calls() - callsAfterFirst);
            }
        }
    }

    /** Records on {@code topic} up to its current end, read_committed. */
    private static long readToEnd(String bootstrap, String topic) {
        try (var consumer = new KafkaConsumer<>(
                Map.<String, Object>of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrap,
                        ConsumerConfig.GROUP_ID_CONFIG,
                        "contract-" + UUID.randomUUID(),
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                        "read_committed"),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            List<Object> read = new ArrayList<>();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))
                    && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(read::add);
            }
            return read.size();
        }
    }
}
