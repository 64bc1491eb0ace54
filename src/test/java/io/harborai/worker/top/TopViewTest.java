package io.harborai.worker.top;

import static io.harborai.worker.top.TopFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.harborai.worker.avro.Alert;
import io.harborai.worker.avro.AlertState;
import io.harborai.worker.avro.MetricEvent;
import io.harborai.worker.avro.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;

class TopViewTest {
    private static final long NOW = 1_700_000_000_000L;

    @Test
    void shouldSumCountsAndTakeTheMaximumPercentileOverTwoInstances() {
        TopView view = new TopView(10_000);
        view.accept(event("a", NOW - 1_000, 1, List.of(provider("openai", "gpt-4o-mini", 40, 2, 300, 0.25))));
        view.accept(event(
                "b",
                NOW - 2_000,
                2,
                List.of(
                        provider("openai", "gpt-4o-mini", 60, 1, 500, 0.5),
                        provider("deepseek", "deepseek-chat", 30, 0, 200, 0.01))));

        TopSnapshot.Totals t = view.snapshot(NOW).totals();

        assertThat(t.instances()).isEqualTo(2);
        assertThat(t.live()).isEqualTo(2);
        assertThat(t.throughputRps()).isEqualTo(30.0);
        assertThat(t.p50Ms()).as("max, not sum or mean").isEqualTo(20.0);
        assertThat(t.p95Ms()).isEqualTo(80.0);
        assertThat(t.p99Ms()).isEqualTo(160.0);
        assertThat(t.requests()).isEqualTo(300);
        assertThat(t.results()).isEqualTo(300);
        assertThat(t.errorRate()).isCloseTo(30.0 / 300, within(1e-9));
        assertThat(t.l1HitRate()).isCloseTo(0.2, within(1e-9));
        assertThat(t.l2HitRate()).isCloseTo(0.1, within(1e-9));
        assertThat(t.coalescedRate()).isCloseTo(0.05, within(1e-9));
        assertThat(t.inFlight()).isEqualTo(9);
        assertThat(t.inFlightBytes()).isEqualTo(3 * 1024);
        assertThat(t.heapUsedBytes()).isEqualTo(300L << 20);
        assertThat(t.heapMaxBytes()).isEqualTo(2048L << 20);
        assertThat(t.consumerLag()).isEqualTo(21);
        assertThat(t.dlq()).isEqualTo(3);
        assertThat(t.costByCurrency()).containsOnlyKeys("USD");
        assertThat(t.costByCurrency().get("USD")).isCloseTo(0.76, within(1e-9));
    }

    @Test
    void shouldMergeProviderRowsAcrossInstancesBusiestFirst() {
        TopView view = new TopView(10_000);
        view.accept(event("a", NOW, 1, List.of(provider("openai", "gpt-4o-mini", 40, 2, 300, 0.25))));
        view.accept(event(
                "b",
                NOW,
                1,
                List.of(
                        provider("openai", "gpt-4o-mini", 60, 1, 500, 0.5),
                        provider("deepseek", "deepseek-chat", 30, 0, 200, 0.01))));

        assertThat(view.snapshot(NOW).providers())
                .containsExactly(
                        new TopSnapshot.ProviderRow("openai", "gpt-4o-mini", 100, 3, 500, 0.75, "USD"),
                        new TopSnapshot.ProviderRow("deepseek", "deepseek-chat", 30, 0, 200, 0.01, "USD"));
    }

    @Test
    void shouldKeepTheNewestEventPerInstanceWhateverTheOrder() {
        TopView view = new TopView(10_000);
        view.accept(event("a", NOW, 2, List.of()));
        view.accept(event("a", NOW - 10_000, 1, List.of()));

        assertThat(view.instanceCount()).isEqualTo(1);
        assertThat(view.snapshot(NOW).totals().throughputRps()).isEqualTo(20.0);
    }

    @Test
    void shouldMarkAnInstanceSilentForMoreThanThreeIntervalsStaleAndLeaveItOutOfTheTotals() {
        TopView view = new TopView(10_000);
        view.accept(event("live", NOW - 5_000, 1, List.of()));
        view.accept(event("gone", NOW - 31_000, 2, List.of(provider("openai", "gpt-4o", 5, 0, 100, 1))));
        view.accept(event("edge", NOW - 30_000, 1, List.of()));

        TopSnapshot s = view.snapshot(NOW);

        assertThat(s.instances())
                .extracting(TopSnapshot.InstanceRow::instance, TopSnapshot.InstanceRow::stale)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("edge", false),
                        org.assertj.core.groups.Tuple.tuple("live", false),
                        org.assertj.core.groups.Tuple.tuple("gone", true));
        assertThat(s.totals().live()).isEqualTo(2);
        assertThat(s.totals().throughputRps()).isEqualTo(20.0);
        assertThat(s.providers()).isEmpty();
    }

    @Test
    void shouldAggregateTheLastKnownStateWhenEveryInstanceIsStale() {
        TopView view = new TopView(10_000);
        view.accept(event("a", NOW - 60_000, 1, List.of()));

        TopSnapshot s = view.snapshot(NOW);

        assertThat(s.totals().live()).isZero();
        assertThat(s.totals().instances()).isEqualTo(1);
        assertThat(s.totals().throughputRps()).isEqualTo(10.0);
    }

    @Test
    void shouldUseTheConfiguredIntervalForAnEventWithoutAWindow() {
        TopView view = new TopView(1_000);
        view.accept(MetricEvent.newBuilder(event("a", NOW - 4_000, 1, List.of()))
                .setWindowStartMs(NOW - 4_000)
                .build());

        assertThat(view.snapshot(NOW).instances().get(0).stale()).isTrue();
    }

    @Test
    void shouldShowAnAlertUntilItsLatestStateIsResolved() {
        TopView view = new TopView(10_000);
        view.accept(alert("latency_p95", "a", AlertState.FIRING, Severity.WARNING, NOW - 3_000));
        view.accept(alert("latency_p95", "b", AlertState.FIRING, Severity.WARNING, NOW - 3_000));
        view.accept(alert("memory", "a", AlertState.FIRING, Severity.CRITICAL, NOW - 2_000));
        assertThat(view.snapshot(NOW).firing())
                .extracting(Alert::getRule, Alert::getInstance)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("memory", "a"),
                        org.assertj.core.groups.Tuple.tuple("latency_p95", "a"),
                        org.assertj.core.groups.Tuple.tuple("latency_p95", "b"));

        view.accept(alert("latency_p95", "a", AlertState.RESOLVED, Severity.WARNING, NOW - 1_000));
        view.accept(alert("memory", "a", AlertState.RESOLVED, Severity.CRITICAL, NOW - 5_000)); // older: ignored

        assertThat(view.snapshot(NOW).firing())
                .extracting(Alert::getRule, Alert::getInstance)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("memory", "a"),
                        org.assertj.core.groups.Tuple.tuple("latency_p95", "b"));
    }
}
