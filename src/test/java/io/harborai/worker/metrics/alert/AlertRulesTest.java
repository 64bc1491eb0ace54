package io.harborai.worker.metrics.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.harborai.worker.avro.Alert;
import io.harborai.worker.avro.AlertState;
import io.harborai.worker.avro.MetricEvent;
import io.harborai.worker.avro.Severity;
import io.harborai.worker.config.HarborConfig;
import io.harborai.worker.config.StageSettings;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class AlertRulesTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-01T12:00:00Z"), ZoneOffset.UTC);

    @Test
    void shouldBuildTheDefaultRulesWithCacheHitRateOffByDefault() {
        List<AlertRule> rules = AlertRules.from(config(Map.of()));

        assertThat(rules)
                .extracting(AlertRule::name)
                .containsExactly(
                        AlertRules.LATENCY_P95,
                        AlertRules.ERROR_RATE,
                        AlertRules.MEMORY,
                        AlertRules.CIRCUIT_OPEN,
                        AlertRules.DLQ_RATE,
                        AlertRules.CONSUMER_LAG);
        assertThat(rules).extracting(AlertRule::threshold).containsExactly(5_000.0, 0.05, 0.9, 0.0, 1.0, 100_000.0);
    }

    @Test
    void shouldFireEachDefaultRuleOnItsOwnSignalOnly() {
        Map<String, Object> cfg = Map.of("alerts.cache-hit-rate-min", 0.5);
        assertOnlyFires(cfg, AlertRules.LATENCY_P95, Severity.WARNING, e -> e.setLatencyP95Ms(6_000));
        assertOnlyFires(
                cfg,
                AlertRules.ERROR_RATE,
                Severity.CRITICAL,
                e -> e.setResultsFailed(50).setErrorRate(0.5));
        assertOnlyFires(cfg, AlertRules.MEMORY, Severity.WARNING, e -> e.setHeapUsedBytes(950));
        assertOnlyFires(cfg, AlertRules.CACHE_HIT_RATE, Severity.INFO, e -> e.setCacheHitRate(0.2));
        assertOnlyFires(cfg, AlertRules.CIRCUIT_OPEN, Severity.CRITICAL, e -> e.setCircuitsOpen(1));
        assertOnlyFires(cfg, AlertRules.DLQ_RATE, Severity.WARNING, e -> e.setDlq(5)); // 5 in 2 s
        assertOnlyFires(cfg, AlertRules.CONSUMER_LAG, Severity.WARNING, e -> e.setConsumerLag(100_001));
    }

    @Test
    void shouldTurnARuleOffWithThresholdZero() {
        Map<String, Object> off = Map.of(
                "alerts.latency-p95-ms",
                0.0,
                "alerts.error-rate",
                0.0,
                "alerts.heap-used-ratio",
                0.0,
                "alerts.dlq-per-second",
                0.0,
                "alerts.consumer-lag",
                0L);
        AlertEvaluator ev = evaluator(off);
        MetricEvent terrible = MetricEvent.newBuilder(healthy())
                .setLatencyP95Ms(1e6)
                .setResultsFailed(100)
                .setErrorRate(1.0)
                .setHeapUsedBytes(1_000)
                .setDlq(1_000)
                .setConsumerLag(10_000_000)
                .setCacheHitRate(0)
                .build();

        assertThat(ev.rules()).extracting(AlertRule::name).containsExactly(AlertRules.CIRCUIT_OPEN);
        assertThat(ev.evaluate(terrible)).isEmpty();
    }

    @Test
    void shouldNotFireErrorRateOrCacheRulesWithoutTraffic() {
        AlertEvaluator ev = evaluator(Map.of("alerts.cache-hit-rate-min", 0.5));
        MetricEvent idle = MetricEvent.newBuilder(healthy())
                .setResultsSucceeded(0)
                .setResultsFailed(0)
                .setErrorRate(0)
                .setCacheLookups(0)
                .setCacheHitRate(0)
                .setLatencyP95Ms(1e6)
                .build();

        assertThat(ev.evaluate(idle)).isEmpty();
    }

    private static void assertOnlyFires(
            Map<String, Object> cfg, String rule, Severity severity, UnaryOperator<MetricEvent.Builder> breach) {
        AlertEvaluator ev = evaluator(cfg);
        assertThat(ev.evaluate(healthy())).as("healthy snapshot").isEmpty();
        List<Alert> alerts =
                ev.evaluate(breach.apply(MetricEvent.newBuilder(healthy())).build());

        assertThat(alerts).as(rule).singleElement().satisfies(a -> {
            assertThat(a.getRule()).isEqualTo(rule);
            assertThat(a.getSeverity()).isEqualTo(severity);
            assertThat(a.getState()).isEqualTo(AlertState.FIRING);
        });
        assertThat(ev.evaluate(healthy()))
                .as(rule + " resolves")
                .extracting(Alert::getState)
                .containsExactly(AlertState.RESOLVED);
    }

    private static AlertEvaluator evaluator(Map<String, Object> overrides) {
        Map<String, Object> cfg = new HashMap<>(overrides);
        cfg.put("alerts.fire-after-snapshots", 1);
        cfg.put("alerts.resolve-after-snapshots", 1);
        return AlertEvaluator.from(config(cfg), CLOCK);
    }

    private static AlertSettings config(Map<String, Object> cfg) {
        return StageSettings.alerts(HarborConfig.fromMap(cfg));
    }

    /** A 2-second window inside every default threshold. */
    private static MetricEvent healthy() {
        return MetricEvent.newBuilder(AlertEvaluatorTest.idle())
                .setWindowEndMs(2_000)
                .setResultsSucceeded(100)
                .setErrorRate(0)
                .setLatencyP95Ms(100)
                .setHeapUsedBytes(100)
                .setHeapMaxBytes(1_000)
                .setCacheLookups(100)
                .setCacheHitRate(0.9)
                .setDlq(0)
                .setConsumerLag(10)
                .setCircuitsOpen(0)
                .build();
    }
}
