package io.harborai.worker.bench;

import java.time.Duration;
import java.util.List;

/**
 * What one {@code harbor bench} run does.
 *
 * @param requests measured requests per in-flight level (warm-up excluded)
 * @param warmup the least warm-up requests per level, sent and collected before measuring; the
 *     warm-up goes on in windows of {@code warmupWindow} until throughput is steady (see {@link
 *     WarmUp}); {@code 0} turns it off
 * @param warmupWindow requests per warm-up window
 * @param warmupMax a warm-up stops after this long even when not steady
 * @param rate open-loop offered load in requests/s; {@code 0} sends every request at once (one
 *     backlog)
 * @param distinctRatio fraction of distinct request bodies in {@code (0, 1]}; the rest repeat them
 * @param providerLatencyMs the simulator's base latency (the {@code --sim-*} knobs may shape it)
 * @param levels max-in-flight levels to run, one after another with restarted workers; one level
 *     without {@code --sweep}
 * @param instances worker instances sharing one application id
 * @param guarantee {@code exactly_once_v2} or {@code at_least_once}
 * @param naiveSample requests for the naive baseline (it also stops after {@link #NAIVE_MAX})
 * @param stallTimeout a phase gives up when no result arrives for this long
 */
public record BenchOptions(
        int requests,
        int warmup,
        int warmupWindow,
        Duration warmupMax,
        double rate,
        double distinctRatio,
        long providerLatencyMs,
        List<Integer> levels,
        int instances,
        String guarantee,
        int naiveSample,
        Duration stallTimeout) {

    /** The naive baseline runs at most this long: at 100 ms a call it manages ~10 requests/s. */
    public static final Duration NAIVE_MAX = Duration.ofSeconds(30);

    public BenchOptions {
        if (requests < 1) {
            throw new IllegalArgumentException("--requests must be >= 1");
        }
        if (warmup < 0) {
            throw new IllegalArgumentException("--warmup must be >= 0");
        }
        if (warmupWindow < 1) {
            throw new IllegalArgumentException("--warmup-window must be >= 1");
        }
        if (warmupMax.isNegative()) {
            throw new IllegalArgumentException("--warmup-max-s must be >= 0");
        }
        if (rate < 0) {
            throw new IllegalArgumentException("--rate must be >= 0");
        }
        if (!(distinctRatio > 0 && distinctRatio <= 1)) {
            throw new IllegalArgumentException("--distinct-ratio must be in (0, 1]");
        }
        if (levels.isEmpty() || levels.stream().anyMatch(c -> c < 1)) {
            throw new IllegalArgumentException("max-in-flight levels must be >= 1");
        }
        if (instances < 1) {
            throw new IllegalArgumentException("--instances must be >= 1");
        }
        levels = List.copyOf(levels);
    }

    /** The default warm-up: 10% of the measured requests, at most 2,000, at least 1. */
    public static int defaultWarmup(int requests) {
        return Math.max(1, Math.min(2_000, requests / 10));
    }

    /** The default warm-up window: a fifth of the measured requests, between 100 and 3,000. */
    public static int defaultWarmupWindow(int requests) {
        return Math.max(100, Math.min(3_000, requests / 5));
    }

    /** Distinct bodies among {@code n} requests. */
    public long distinct(long n) {
        return Math.max(1, Math.round(n * distinctRatio));
    }
}
