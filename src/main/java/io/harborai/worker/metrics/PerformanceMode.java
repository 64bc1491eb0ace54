package io.harborai.worker.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import java.time.Duration;
import java.util.Locale;

/**
 * How much the worker records ({@code metrics.mode}). The mode decides the distribution statistics
 * of every {@code harbor.*} timer through {@link #filter()}, which must be added to the registry
 * before those timers are registered (Micrometer applies filters at registration).
 *
 * <ul>
 *   <li>{@link #FAST}: a few coarse SLO buckets ({@link #FAST_BUCKETS}), no percentiles: the
 *       cheapest recording that still lets Prometheus estimate latency bands.
 *   <li>{@link #BALANCED}: client-side p50/p95/p99 over a one-minute rolling window plus a
 *       percentile histogram for Prometheus-side quantiles.
 *   <li>{@link #FULL}: as balanced; the per-request timing breakdown is recorded elsewhere and
 *       reads the mode through {@code HarborWorker#performanceMode()}.
 * </ul>
 *
 * <p>Immutable; the filter is stateless and safe on any thread.
 */
public enum PerformanceMode {
    FAST,
    BALANCED,
    FULL;

    /** The SLO buckets of harbor timers in {@link #FAST} mode. */
    public static final Duration[] FAST_BUCKETS = {
        Duration.ofMillis(100),
        Duration.ofMillis(500),
        Duration.ofSeconds(1),
        Duration.ofSeconds(5),
        Duration.ofSeconds(30)
    };
    /** Client-side percentiles of harbor timers in {@link #BALANCED} and {@link #FULL} mode. */
    public static final double[] PERCENTILES = {0.5, 0.95, 0.99};
    /** The rolling window the client-side percentiles are computed over. */
    public static final Duration PERCENTILE_WINDOW = Duration.ofMinutes(1);

    private static final String HARBOR_PREFIX = "harbor.";

    /**
     * The mode named by a {@code metrics.mode} value ({@code fast|balanced|full}, any case).
     *
     * @throws IllegalArgumentException for any other value
     */
    public static PerformanceMode of(String value) {
        return valueOf(value.trim().toUpperCase(Locale.ROOT));
    }

    /** Whether results carry the per-request timing breakdown. */
    public boolean timingBreakdown() {
        return this == FULL;
    }

    /** The filter giving {@code harbor.*} timers this mode's distribution statistics. */
    public MeterFilter filter() {
        PerformanceMode mode = this;
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                if (id.getType() != Meter.Type.TIMER || !id.getName().startsWith(HARBOR_PREFIX)) {
                    return config;
                }
                return mode.statistics().merge(config);
            }
        };
    }

    /** What this mode sets; merged over whatever the timer's own builder asked for. */
    DistributionStatisticConfig statistics() {
        if (this == FAST) {
            double[] slos = new double[FAST_BUCKETS.length];
            for (int i = 0; i < slos.length; i++) {
                slos[i] = FAST_BUCKETS[i].toNanos(); // timers take SLO boundaries in nanoseconds
            }
            return DistributionStatisticConfig.builder()
                    .percentilesHistogram(false)
                    .percentiles()
                    .serviceLevelObjectives(slos)
                    .build();
        }
        return DistributionStatisticConfig.builder()
                .percentilesHistogram(true)
                .percentiles(PERCENTILES)
                .expiry(PERCENTILE_WINDOW)
                .bufferLength(3)
                .build();
    }
}
