package io.harborai.worker.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PerformanceModeTest {

    @Test
    void shouldParseTheConfiguredValueInAnyCase() {
        assertThat(PerformanceMode.of("fast")).isEqualTo(PerformanceMode.FAST);
        assertThat(PerformanceMode.of("Balanced")).isEqualTo(PerformanceMode.BALANCED);
        assertThat(PerformanceMode.of("FULL ")).isEqualTo(PerformanceMode.FULL);
        assertThat(PerformanceMode.FULL.timingBreakdown()).isTrue();
        assertThat(PerformanceMode.BALANCED.timingBreakdown()).isFalse();
        assertThatThrownBy(() -> PerformanceMode.of("turbo")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldGiveHarborTimersOnlyCoarseBucketsAndNoPercentilesInFastMode() {
        SimpleMeterRegistry registry = registry(PerformanceMode.FAST);
        Timer t = Timer.builder("harbor.request.latency").register(registry);
        t.record(Duration.ofMillis(300));
        HistogramSnapshot s = t.takeSnapshot();
        assertThat(s.percentileValues()).isEmpty();
        assertThat(Arrays.stream(s.histogramCounts())
                        .mapToDouble(CountAtBucket::bucket)
                        .toArray())
                .containsExactly(Arrays.stream(PerformanceMode.FAST_BUCKETS)
                        .mapToDouble(Duration::toNanos)
                        .toArray());
        assertThat(s.histogramCounts()[1].count())
                .as("300 ms falls in the 500 ms bucket")
                .isEqualTo(1);
    }

    @Test
    void shouldGiveHarborTimersPercentilesAndAHistogramInBalancedAndFullMode() {
        for (PerformanceMode mode : new PerformanceMode[] {PerformanceMode.BALANCED, PerformanceMode.FULL}) {
            SimpleMeterRegistry registry = registry(mode);
            Timer t =
                    Timer.builder("harbor.provider.calls").tag("outcome", "ok").register(registry);
            for (int i = 1; i <= 100; i++) {
                t.record(Duration.ofMillis(i));
            }
            HistogramSnapshot s = t.takeSnapshot();
            assertThat(Arrays.stream(s.percentileValues())
                            .mapToDouble(ValueAtPercentile::percentile)
                            .toArray())
                    .as(mode.name())
                    .containsExactly(0.5, 0.95, 0.99);
            DistributionStatisticConfig c = mode.filter().configure(t.getId(), DistributionStatisticConfig.DEFAULT);
            assertThat(c.isPercentileHistogram())
                    .as("percentile histogram in %s", mode)
                    .isTrue();
            assertThat(c.getExpiry()).isEqualTo(Duration.ofMinutes(1));
        }
    }

    @Test
    void shouldLeaveOtherTimersAndHarborCountersAlone() {
        SimpleMeterRegistry registry = registry(PerformanceMode.BALANCED);
        Timer other = Timer.builder("okhttp.requests").register(registry);
        other.record(Duration.ofMillis(5));
        assertThat(other.takeSnapshot().percentileValues()).isEmpty();
        assertThat(other.takeSnapshot().histogramCounts()).isEmpty();
        registry.counter("harbor.requests", "traffic", "online").increment();
        assertThat(registry.get("harbor.requests").counter().count()).isEqualTo(1);
    }

    @Test
    void shouldExposeFastBucketsAndBalancedQuantilesToPrometheus() {
        PrometheusMeterRegistry fast = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        fast.config().meterFilter(PerformanceMode.FAST.filter());
        Timer.builder("harbor.request.latency")
                .tag("traffic", "online")
                .register(fast)
                .record(Duration.ofMillis(50));
        assertThat(fast.scrape())
                .contains("harbor_request_latency_seconds_bucket{traffic=\"online\",le=\"0.1\"} 1")
                .contains("le=\"30.0\"")
                .doesNotContain("quantile=");

        PrometheusMeterRegistry balanced = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        balanced.config().meterFilter(PerformanceMode.BALANCED.filter());
        Timer t =
                Timer.builder("harbor.request.latency").tag("traffic", "online").register(balanced);
        t.record(Duration.ofMillis(50));
        // Prometheus gets the histogram (quantiles server-side); the client-side percentiles stay
        // readable from the timer (snapshots read them), as Prometheus cannot carry both on one family.
        assertThat(balanced.scrape())
                .contains("harbor_request_latency_seconds_bucket{traffic=\"online\",le=\"0.001\"} 0");
        assertThat(t.takeSnapshot().percentileValues()).hasSize(3);
    }

    private static SimpleMeterRegistry registry(PerformanceMode mode) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        registry.config().meterFilter(mode.filter());
        return registry;
    }
}
