package io.harborai.worker.metrics.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.harborai.worker.avro.Alert;
import io.harborai.worker.avro.MetricEvent;
import io.harborai.worker.config.HarborConfig;
import io.harborai.worker.config.StageSettings;
import io.harborai.worker.metrics.MetricsCatalog;
import io.harborai.worker.metrics.alert.AlertEvaluator;
import io.harborai.worker.metrics.alert.AlertRule;
import io.harborai.worker.metrics.alert.AlertRules;
import io.harborai.worker.metrics.topic.MetricsTopic;
import io.harborai.worker.testinfra.MutableClock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class MetricsReporterTest {

    private final MeterRegistry meters = new SimpleMeterRegistry();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final MockProducer<String, byte[]> producer =
            new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
    private final Serializer<MetricEvent> metricText =
            (topic, e) -> ("metric " + e.getResultsFailed()).getBytes(StandardCharsets.UTF_8);
    private final Serializer<Alert> alertText =
            (topic, a) -> (a.getRule() + " " + a.getState()).getBytes(StandardCharsets.UTF_8);

    @Test
    void shouldWriteEachSnapshotAndEachAlertWithKeyAndHeader() {
        MetricsReporter reporter = reporter(producer);

        failed(5);
        clock.advance(Duration.ofSeconds(1));
        reporter.tick();
        clock.advance(Duration.ofSeconds(1));
        reporter.tick();

        List<ProducerRecord<String, byte[]>> sent = producer.history();
        assertThat(sent).extracting(ProducerRecord::topic).containsExactly("met", "alerts", "met");
        assertThat(sent.get(0).key()).isEqualTo("w-1");
        assertThat(MetricsTopic.eventType(sent.get(0).headers())).isEqualTo(MetricsTopic.METRIC);
        assertThat(text(sent.get(0))).isEqualTo("metric 5");
        assertThat(sent.get(1).key()).isEqualTo("error_rate|w-1");
        assertThat(MetricsTopic.eventType(sent.get(1).headers())).isEqualTo(MetricsTopic.ALERT);
        assertThat(text(sent.get(1))).isEqualTo("error_rate FIRING");
        assertThat(reporter.firing()).containsExactly(AlertRules.ERROR_RATE);
        assertThat(reporter.alertsEmitted()).isEqualTo(1);
        assertThat(reporter.last().getResultsFailed()).isZero();
    }

    @Test
    void shouldCountProducerErrorsWithoutThrowing() {
        MockProducer<String, byte[]> manual =
                new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer());
        MetricsReporter reporter = reporter(manual);
        clock.advance(Duration.ofSeconds(1));
        reporter.tick();

        manual.errorNext(new TimeoutException("no broker"));

        assertThat(reporter.producerErrors()).isEqualTo(1);
        MetricsReporter failing = new MetricsReporter(
                collector(),
                null,
                null,
                producer,
                (t, e) -> {
                    throw new IllegalStateException("registry down");
                },
                alertText,
                "met",
                "met");
        failing.tick();
        assertThat(failing.producerErrors()).isEqualTo(1);
        assertThat(failing.last()).isNotNull();
        failing.close();
        reporter.close();
    }

    @Test
    void shouldFlushAFinalSnapshotOnClose() {
        MetricsReporter reporter = reporter(producer);
        meters.counter(MetricsCatalog.REQUESTS, "traffic", "online").increment(3);
        clock.advance(Duration.ofMillis(300));

        reporter.close();
        reporter.close();

        assertThat(producer.history()).hasSize(1);
        assertThat(reporter.last().getRequests()).isEqualTo(3);
        assertThat(producer.closed()).isTrue();
    }

    @Test
    void shouldReportOnItsOwnScheduleUntilClosed() throws Exception {
        MetricsReporter reporter = reporter(producer);
        reporter.schedule(Duration.ofMillis(20));
        // Waits for the schedule rather than sleeping a fixed time a loaded machine may not honour.
        await().atMost(Duration.ofSeconds(10)).until(() -> producer.history().size() >= 3);
        reporter.close();

        assertThat(producer.closed()).isTrue();
    }

    private MetricsReporter reporter(MockProducer<String, byte[]> p) {
        List<AlertRule> rules = AlertRules.from(StageSettings.alerts(HarborConfig.fromMap(Map.of())));
        return new MetricsReporter(
                collector(), new AlertEvaluator(rules, 1, 1, clock), null, p, metricText, alertText, "met", "alerts");
    }

    private SnapshotCollector collector() {
        return new SnapshotCollector(meters, "w-1", "balanced", clock, () -> new MemoryUsage(0, 1, 1, 100));
    }

    private void failed(int n) {
        meters.counter(MetricsCatalog.RESULTS, "traffic", "online", "status", "FAILED", "code", "TIMEOUT")
                .increment(n);
    }

    private static String text(ProducerRecord<String, byte[]> r) {
        return new String(r.value(), StandardCharsets.UTF_8);
    }
}
