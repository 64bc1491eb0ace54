package io.harborai.worker.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.harborai.worker.avro.Alert;
import io.harborai.worker.avro.AlertState;
import io.harborai.worker.avro.MetricEvent;
import io.harborai.worker.config.HarborConfig;
import io.harborai.worker.config.StageSettings;
import io.harborai.worker.metrics.MetricsCatalog;
import io.harborai.worker.metrics.alert.AlertRules;
import io.harborai.worker.metrics.snapshot.MetricsReporter;
import io.harborai.worker.metrics.topic.MetricsTopic;
import io.harborai.worker.schema.SchemaRegistryClient;
import io.harborai.worker.testinfra.HarborIntegrationTest;
import io.harborai.worker.testinfra.Infra;
import io.harborai.worker.testinfra.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import okhttp3.OkHttpClient;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * A MetricsReporter on a real broker and registry, fed by counters the test increments: every
 * 200 ms window arrives as a MetricEvent on the metrics topic, the windows add up to what was
 * counted, and driving the error rate over the threshold and back yields one FIRING and one
 * RESOLVED Alert on the same topic, told apart by the {@code harbor.event} header.
 */
@HarborIntegrationTest
class MetricsReporterIT {

    private static final String INSTANCE = "it-worker-1";
    private static final Duration PHASE_TIMEOUT = Duration.ofSeconds(60);

    private final MeterRegistry meters = new SimpleMeterRegistry();
    private final List<MetricEvent> events = new ArrayList<>();
    private final List<ConsumerRecord<String, byte[]>> alertRecords = new ArrayList<>();
    private final List<Alert> alerts = new ArrayList<>();
    private long requests;
    private long succeeded;
    private long failed;

    @Test
    void shouldWriteWindowsThatAddUpAndAnAlertThatFiresAndResolves(Infra infra) throws Exception {
        String topic = Topics.unique("metrics-it");
        try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", infra.kafkaBootstrap()))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        SchemaRegistryClient registry = SchemaRegistryClient.create(infra.schemaRegistryUrl());
        Map<String, Object> cfg = new HashMap<>();
        cfg.put("kafka.bootstrap.servers", infra.kafkaBootstrap());
        cfg.put("topics.metrics", topic);
        cfg.put("metrics.interval-ms", 200L);
        cfg.put("alerts.fire-after-snapshots", 2);
        cfg.put("alerts.resolve-after-snapshots", 2);
        HarborConfig config = HarborConfig.fromMap(cfg);
        Deserializer<MetricEvent> metricDe =
                MetricsTopic.metricSerde(registry, false).deserializer();
        Deserializer<Alert> alertDe = MetricsTopic.alertSerde(registry, false).deserializer();

        try (KafkaConsumer<String, byte[]> consumer = consumer(infra)) {
            consumer.subscribe(List.of(topic));
            MetricsReporter reporter = MetricsReporter.start(
                    StageSettings.reporter(config),
                    meters,
                    INSTANCE,
                    registry,
                    new OkHttpClient(),
                    Map.of("bootstrap.servers", infra.kafkaBootstrap()));
            try {
                drive(consumer, metricDe, alertDe, false, r -> events.size() >= 3);
                drive(consumer, metricDe, alertDe, true, r -> alerts.size() >= 1);
                drive(consumer, metricDe, alertDe, false, r -> alerts.size() >= 2);
            } finally {
                reporter.close();
            }
            // The final snapshot of close() carries the last increments.
            drive(
                    consumer,
                    metricDe,
                    alertDe,
                    null,
                    r -> events.stream().mapToLong(MetricEvent::getRequests).sum() >= requests);
        }

        assertThat(events).allSatisfy(e -> {
            assertThat(e.getInstance()).isEqualTo(INSTANCE);
            assertThat(e.getWindowEndMs()).isGreaterThanOrEqualTo(e.getWindowStartMs());
        });
        assertThat(events.stream().mapToLong(MetricEvent::getRequests).sum()).isEqualTo(requests);
        assertThat(events.stream().mapToLong(MetricEvent::getResultsSucceeded).sum())
                .isEqualTo(succeeded);
        assertThat(events.stream().mapToLong(MetricEvent::getResultsFailed).sum())
                .isEqualTo(failed);
        assertThat(events).anySatisfy(e -> assertThat(e.getErrorRate()).isGreaterThan(0.05));
        assertThat(alerts).extracting(Alert::getRule).containsOnly(AlertRules.ERROR_RATE);
        assertThat(alerts).extracting(Alert::getState).containsExactly(AlertState.FIRING, AlertState.RESOLVED);
        assertThat(alertRecords).extracting(ConsumerRecord::key).containsOnly(AlertRules.ERROR_RATE + "|" + INSTANCE);
        assertThat(alerts.get(0).getValue()).isGreaterThan(alerts.get(0).getThreshold());
        assertThat(alerts.get(1).getValue()).isLessThanOrEqualTo(alerts.get(1).getThreshold() * 0.9);
    }

    /**
     * Counts one request and one result (failed when {@code fail}, none when null) every 50 ms and
     * reads the topic until {@code done} holds.
     */
    private void drive(
            KafkaConsumer<String, byte[]> consumer,
            Deserializer<MetricEvent> metricDe,
            Deserializer<Alert> alertDe,
            Boolean fail,
            Predicate<Void> done) {
        long deadline = System.nanoTime() + PHASE_TIMEOUT.toNanos();
        while (!done.test(null)) {
            assertThat(System.nanoTime())
                    .as("phase timed out; events %s, alerts %s", events.size(), alerts)
                    .isLessThan(deadline);
            if (fail != null) {
                meters.counter(MetricsCatalog.REQUESTS, "traffic", "online").increment();
                requests++;
                if (fail) {
                    meters.counter(MetricsCatalog.RESULTS, "traffic", "online", "status", "FAILED", "code", "TIMEOUT")
                            .increment();
                    failed++;
                } else {
                    meters.counter(MetricsCatalog.RESULTS, "traffic", "online", "status", "SUCCEEDED", "code", "none")
                            .increment();
                    succeeded++;
                }
            }
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                String type = MetricsTopic.eventType(r.headers());
                if (MetricsTopic.METRIC.equals(type)) {
                    assertThat(r.key()).isEqualTo(INSTANCE);
                    events.add(metricDe.deserialize(r.topic(), r.value()));
                } else if (MetricsTopic.ALERT.equals(type)) {
                    alertRecords.add(r);
                    alerts.add(alertDe.deserialize(r.topic(), r.value()));
                } else {
                    throw new AssertionError("record without a harbor.event header at offset " + r.offset());
                }
            }
        }
    }

    private static KafkaConsumer<String, byte[]> consumer(Infra infra) {
        return new KafkaConsumer<>(
                Map.<String, Object>of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        infra.kafkaBootstrap(),
                        ConsumerConfig.GROUP_ID_CONFIG,
                        "metrics-it-" + UUID.randomUUID(),
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "earliest",
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                        "read_committed"),
                new StringDeserializer(),
                new ByteArrayDeserializer());
    }
}
