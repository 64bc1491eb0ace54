package io.harborai.worker.metrics.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.harborai.worker.avro.Alert;
import io.harborai.worker.avro.AlertState;
import io.harborai.worker.avro.MetricEvent;
import io.harborai.worker.avro.Severity;
import io.harborai.worker.metrics.alert.AlertRule.Bound;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class AlertEvaluatorTest {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private final AlertRule errorRate = new AlertRule(
            "error_rate",
            Severity.CRITICAL,
            Bound.ABOVE,
            0.05,
            1.0,
            "",
            e -> e.getResultsSucceeded() + e.getResultsFailed() > 0
                    ? OptionalDouble.of(e.getErrorRate())
                    : OptionalDouble.empty());

    @Test
    void shouldFireOnlyAfterNConsecutiveBreachingSnapshots() {
        AlertEvaluator ev = new AlertEvaluator(List.of(errorRate), 3, 2, clock);

        assertThat(ev.evaluate(errors(0.2))).isEmpty();
        assertThat(ev.evaluate(errors(0.2))).isEmpty();
        assertThat(ev.evaluate(errors(0.01)))
                .as("a good window restarts the count")
                .isEmpty();
        assertThat(ev.evaluate(errors(0.2))).isEmpty();
        assertThat(ev.evaluate(errors(0.2))).isEmpty();
        List<Alert> fired = ev.evaluate(errors(0.3));

        assertThat(fired).singleElement().satisfies(a -> {
            assertThat(a.getRule()).isEqualTo("error_rate");
            assertThat(a.getInstance()).isEqualTo("w-1");
            assertThat(a.getSeverity()).isEqualTo(Severity.CRITICAL);
            assertThat(a.getState()).isEqualTo(AlertState.FIRING);
            assertThat(a.getValue()).isEqualTo(0.3);
            assertThat(a.getThreshold()).isEqualTo(0.05);
            assertThat(a.getTimestampMs()).isEqualTo(NOW.toEpochMilli());
            assertThat(a.getMessage()).contains("error_rate", "0.3", "0.05", "FIRING", "w-1");
        });
        assertThat(ev.firing()).containsExactly("error_rate");
        assertThat(ev.evaluate(errors(0.5))).as("no repeated FIRING").isEmpty();
        assertThat(ev.evaluate(errors(0.5))).isEmpty();
    }

    @Test
    void shouldResolveAfterMRecoveredSnapshotsPastTheHysteresis() {
        AlertEvaluator ev = new AlertEvaluator(List.of(errorRate), 1, 3, clock);
        assertThat(ev.evaluate(errors(0.2))).hasSize(1);

        assertThat(ev.evaluate(errors(0.01))).isEmpty();
        assertThat(ev.evaluate(errors(0.01))).isEmpty();
        assertThat(ev.evaluate(errors(0.048)))
                .as("under the threshold but inside the 10% band")
                .isEmpty();
        assertThat(ev.evaluate(errors(0.045)))
                .as("0.9 x threshold counts as recovered")
                .isEmpty();
        assertThat(ev.evaluate(errors(0.0))).isEmpty();
        List<Alert> resolved = ev.evaluate(errors(0.02));

        assertThat(resolved).singleElement().satisfies(a -> {
            assertThat(a.getState()).isEqualTo(AlertState.RESOLVED);
            assertThat(a.getValue()).isEqualTo(0.02);
            assertThat(a.getMessage()).contains("RESOLVED", "error_rate", "0.02", "0.045");
        });
        assertThat(ev.firing()).isEmpty();
        assertThat(ev.evaluate(errors(0.0))).isEmpty();
    }

    @Test
    void shouldNotFlapWhileTheValueOscillatesAroundTheThreshold() {
        AlertEvaluator ev = new AlertEvaluator(List.of(errorRate), 2, 2, clock);
        List<Alert> all = new ArrayList<>();
        all.addAll(ev.evaluate(errors(0.0525)));
        all.addAll(ev.evaluate(errors(0.0525)));
        for (int i = 0; i < 100; i++) {
            all.addAll(ev.evaluate(errors(i % 2 == 0 ? 0.0475 : 0.0525)));
            all.addAll(ev.evaluate(errors(0.0475)));
        }

        assertThat(all).extracting(Alert::getState).containsExactly(AlertState.FIRING);
    }

    @Test
    void shouldNotFireWhenOscillatingNeverBreachesLongEnough() {
        AlertEvaluator ev = new AlertEvaluator(List.of(errorRate), 2, 2, clock);
        List<Alert> all = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            all.addAll(ev.evaluate(errors(i % 2 == 0 ? 0.0475 : 0.0525)));
        }

        assertThat(all).isEmpty();
    }

    @Test
    void shouldTreatWindowsWithoutTrafficAsNoData() {
        AlertEvaluator ev = new AlertEvaluator(List.of(errorRate), 2, 2, clock);

        assertThat(ev.evaluate(errors(0.5))).isEmpty();
        assertThat(ev.evaluate(idle())).as("skipped, count kept").isEmpty();
        assertThat(ev.evaluate(errors(0.5))).hasSize(1);
        for (int i = 0; i < 10; i++) {
            assertThat(ev.evaluate(idle())).as("no recovery without data").isEmpty();
        }
        assertThat(ev.firing()).containsExactly("error_rate");
        assertThat(ev.evaluate(errors(0.0))).isEmpty();
        assertThat(ev.evaluate(idle())).isEmpty();
        assertThat(ev.evaluate(errors(0.0))).extracting(Alert::getState).containsExactly(AlertState.RESOLVED);
    }

    @Test
    void shouldRecoverAFloorAboveItsCappedRecoveryPoint() {
        AlertRule floor = new AlertRule(
                "hit", Severity.INFO, Bound.BELOW, 0.95, 1.0, "", e -> OptionalDouble.of(e.getCacheHitRate()));
        AlertEvaluator ev = new AlertEvaluator(List.of(floor), 1, 1, clock);

        assertThat(floor.recoveryPoint()).isEqualTo(0.975);
        assertThat(ev.evaluate(
                        MetricEvent.newBuilder(idle()).setCacheHitRate(0.5).build()))
                .hasSize(1);
        assertThat(ev.evaluate(
                        MetricEvent.newBuilder(idle()).setCacheHitRate(0.96).build()))
                .isEmpty();
        assertThat(ev.evaluate(
                        MetricEvent.newBuilder(idle()).setCacheHitRate(0.98).build()))
                .extracting(Alert::getState)
                .containsExactly(AlertState.RESOLVED);
    }

    @Test
    void shouldRejectBadCountsAndDuplicateRules() {
        assertThatThrownBy(() -> new AlertEvaluator(List.of(errorRate), 0, 1, clock))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AlertEvaluator(List.of(errorRate, errorRate), 1, 1, clock))
                .hasMessageContaining("duplicate");
    }

    static MetricEvent idle() {
        return MetricEvent.newBuilder()
                .setInstance("w-1")
                .setWindowStartMs(0)
                .setWindowEndMs(1_000)
                .setProviders(List.of())
                .setCounters(Map.of())
                .build();
    }

    private static MetricEvent errors(double rate) {
        long failed = Math.round(rate * 10_000);
        return MetricEvent.newBuilder(idle())
                .setResultsSucceeded(10_000 - failed)
                .setResultsFailed(failed)
                .setErrorRate(rate)
                .build();
    }
}
