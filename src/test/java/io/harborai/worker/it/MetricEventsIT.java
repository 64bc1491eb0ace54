package io.harborai.worker.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.harborai.worker.HarborWorker;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.Message;
import io.harborai.worker.avro.MetricEvent;
import io.harborai.worker.avro.Params;
import io.harborai.worker.metrics.topic.MetricsTopic;
import io.harborai.worker.schema.AvroSerde;
import io.harborai.worker.schema.SchemaRegistryClient;
import io.harborai.worker.testinfra.HarborIntegrationTest;
import io.harborai.worker.testinfra.Infra;
import io.harborai.worker.testinfra.WorkerConfigs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The worker's MetricEvent snapshots on a real broker: they decode through the schema registry,
 * and their windows add up to the requests and results the run produced.
 */
@HarborIntegrationTest
class MetricEventsIT {
    private static final int REQUESTS = 60;
    private static final int FAILING = 15;

    @Test
    @SuppressWarnings("try") // the worker runs for the whole block; the test talks to it through Kafka
    void shouldPublishSnapshotsWhoseCountsMatchTheResults(Infra infra) throws Exception {
        SchemaRegistryClient registry = SchemaRegistryClient.create(infra.schemaRegistryUrl());
        Map<String, Object> cfg = new HashMap<>(WorkerConfigs.base(infra, "metric-events"));
        cfg.put("metrics.interval-ms", 300);
        cfg.put("cache.enabled", false);
        String metrics = (String) cfg.get("topics.metrics");
        try (HarborWorker worker = WorkerConfigs.running(cfg);
                var producer = new KafkaProducer<>(
                        Map.<String, Object>of("bootstrap.servers", infra.kafkaBootstrap()),
                        new StringSerializer(),
                        new AvroSerde<>(registry, ChatRequest.class, true).serializer())) {
            for (int i = 0; i < REQUESTS; i++) {
                // The simulator serves every model; a deadline in the past fails a request without a call.
                ChatRequest.Builder b = ChatRequest.newBuilder()
                        .setId("m-" + i)
                        .setModel("sim-chat")
                        .setMessages(List.of(Message.newBuilder()
                                .setRole("user")
                                .setContent("q" + i)
                                .build()))
                        .setParams(Params.newBuilder().build());
                if (i < FAILING) {
                    b.setDeadlineMs(1L);
                }
                producer.send(new ProducerRecord<>((String) cfg.get("topics.requests"), "m-" + i, b.build()));
            }
            producer.flush();
            ResultsReader.results(
                    infra.kafkaBootstrap(),
                    registry,
                    (String) cfg.get("topics.results"),
                    Duration.ofSeconds(60),
                    recs -> recs.size() >= REQUESTS);
            Thread.sleep(1_000); // at least one more snapshot window after the last result
        }
        // close() flushes a final snapshot: every window is on the topic now.
        List<MetricEvent> events = read(infra, registry, metrics);
        assertThat(events).isNotEmpty();
        assertThat(events)
                .extracting(MetricEvent::getInstance)
                .containsOnly(events.get(0).getInstance());
        long requests = events.stream().mapToLong(MetricEvent::getRequests).sum();
        long succeeded =
                events.stream().mapToLong(MetricEvent::getResultsSucceeded).sum();
        long failed = events.stream().mapToLong(MetricEvent::getResultsFailed).sum();
        assertThat(requests).isEqualTo(REQUESTS);
        assertThat(succeeded).isEqualTo(REQUESTS - FAILING);
        assertThat(failed).isEqualTo(FAILING);
        assertThat(events.stream().mapToLong(MetricEvent::getProviderCalls).sum())
                .isEqualTo(REQUESTS - FAILING);
        assertThat(events).allSatisfy(e -> {
            assertThat(e.getWindowEndMs()).isGreaterThanOrEqualTo(e.getWindowStartMs());
            assertThat(e.getHeapMaxBytes()).isPositive();
            assertThat(e.getMode()).isEqualTo("balanced");
        });
        assertThat(events).anySatisfy(e -> assertThat(e.getLatencyP95Ms()).isPositive());
        assertThat(events).anySatisfy(e -> assertThat(e.getErrorRate()).isPositive());
    }

    private static List<MetricEvent> read(Infra infra, SchemaRegistryClient registry, String topic) {
        var serde = MetricsTopic.metricSerde(registry, false);
        List<MetricEvent> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                Map.<String, Object>of(
                        "bootstrap.servers",
                        infra.kafkaBootstrap(),
                        "group.id",
                        "metric-events-it-" + System.nanoTime(),
                        "auto.offset.reset",
                        "earliest",
                        "isolation.level",
                        "read_committed"),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + 15_000;
            int emptyPolls = 0;
            while (System.currentTimeMillis() < deadline && (out.isEmpty() || emptyPolls < 3)) {
                var recs = consumer.poll(Duration.ofMillis(500));
                emptyPolls = recs.isEmpty() ? emptyPolls + 1 : 0;
                for (ConsumerRecord<byte[], byte[]> r : recs) {
                    if (MetricsTopic.METRIC.equals(MetricsTopic.eventType(r.headers()))) {
                        out.add(serde.deserializer().deserialize(topic, r.value()));
                    }
                }
            }
        }
        return out;
    }
}
