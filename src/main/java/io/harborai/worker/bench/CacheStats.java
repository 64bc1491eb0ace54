package io.harborai.worker.bench;

import io.harborai.worker.avro.CacheOutcome;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * How a phase's results were answered: counts per cache outcome, and the worker-added latency of
 * L1 and L2 hits (microseconds), the seed's cache table.
 *
 * <p>The hit rate counts every result that made no provider call of its own: L1, L2 and COALESCED
 * (a request that waited for an identical request's call).
 */
record CacheStats(Map<CacheOutcome, Long> counts, Histogram l1OverheadMicros, Histogram l2OverheadMicros) {
    private static final long MAX_MICROS = TimeUnit.HOURS.toMicros(1);

    long count(CacheOutcome o) {
        return counts.getOrDefault(o, 0L);
    }

    long hits() {
        return count(CacheOutcome.L1) + count(CacheOutcome.L2) + count(CacheOutcome.COALESCED);
    }

    double hitRate() {
        long total = counts.values().stream().mapToLong(Long::longValue).sum();
        return total == 0 ? 0 : hits() / (double) total;
    }

    /** Collects one phase; used from one thread. */
    static final class Recorder {
        private final EnumMap<CacheOutcome, Long> counts = new EnumMap<>(CacheOutcome.class);
        private final Histogram l1 = new Histogram(MAX_MICROS, 3);
        private final Histogram l2 = new Histogram(MAX_MICROS, 3);

        void record(CacheOutcome outcome, long overheadMicros) {
            CacheOutcome o = outcome == null ? CacheOutcome.MISS : outcome;
            counts.merge(o, 1L, Long::sum);
            if (o == CacheOutcome.L1) {
                l1.recordValue(Math.min(MAX_MICROS, overheadMicros));
            } else if (o == CacheOutcome.L2) {
                l2.recordValue(Math.min(MAX_MICROS, overheadMicros));
            }
        }

        CacheStats snapshot() {
            return new CacheStats(Map.copyOf(counts), l1.copy(), l2.copy());
        }
    }
}
