package io.harborai.worker.metrics.snapshot;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * p50/p95/p99 of one Timer, in milliseconds, for a snapshot window.
 *
 * <p>Sources, in order: (1) the Timer's client-side percentiles 0.5/0.95/0.99 when it publishes
 * them (balanced and full mode); they cover Micrometer's decaying distribution window (about the
 * last two minutes by default), not exactly the snapshot window. (2) Otherwise its histogram
 * buckets (SLO or percentile-histogram boundaries, fast mode's coarse histogram): the bucket counts
 * added since the previous call, linearly interpolated inside the bucket holding the rank; a rank
 * past the last finite boundary reports that boundary (a lower bound). When the counts went down
 * (the registry rotated a time-windowed histogram, or the meter was re-registered) the current
 * counts are used as they are. (3) Neither: zeros.
 *
 * <p>Threading: not thread-safe; owned by the {@link SnapshotCollector} that calls it.
 */
final class WindowLatency {

    static final double[] QUANTILES = {0.5, 0.95, 0.99};
    private static final double[] NONE = {0, 0, 0};

    private Map<Meter.Id, double[]> previousBuckets = new HashMap<>();
    private Map<Meter.Id, double[]> currentBuckets = new HashMap<>();

    /**
     * The three percentiles of {@code timer} for the window; {@code windowCount} is how many
     * events it recorded in the window. Call once per timer per snapshot (it moves the bucket
     * baseline), then {@link #endSnapshot()}.
     */
    double[] percentilesMs(Timer timer, long windowCount) {
        HistogramSnapshot snap = timer.takeSnapshot();
        CountAtBucket[] buckets = snap.histogramCounts();
        double[] counts = null;
        if (buckets.length > 0) {
            counts = new double[buckets.length];
            for (int i = 0; i < buckets.length; i++) {
                counts[i] = buckets[i].count();
            }
            currentBuckets.put(timer.getId(), counts);
        }
        double[] fromPercentiles = fromPercentiles(snap.percentileValues());
        if (fromPercentiles != null) {
            return fromPercentiles;
        }
        if (counts == null || windowCount <= 0) {
            return NONE.clone();
        }
        double[] previous = previousBuckets.get(timer.getId());
        double[] window = counts.clone();
        if (previous != null && previous.length == counts.length) {
            boolean monotonic = true;
            for (int i = 0; i < counts.length && monotonic; i++) {
                window[i] = counts[i] - previous[i];
                monotonic = window[i] >= 0;
            }
            if (!monotonic) {
                window = counts.clone();
            }
        }
        double[] bounds = new double[buckets.length];
        for (int i = 0; i < buckets.length; i++) {
            bounds[i] = buckets[i].bucket(TimeUnit.MILLISECONDS);
        }
        double[] out = new double[QUANTILES.length];
        for (int q = 0; q < QUANTILES.length; q++) {
            out[q] = fromBuckets(bounds, window, QUANTILES[q] * windowCount);
        }
        return out;
    }

    /** Makes this snapshot's bucket counts the baseline of the next and forgets vanished timers. */
    void endSnapshot() {
        previousBuckets = currentBuckets;
        currentBuckets = new HashMap<>();
    }

    private static double[] fromPercentiles(ValueAtPercentile[] values) {
        double[] out = new double[QUANTILES.length];
        int found = 0;
        for (ValueAtPercentile v : values) {
            for (int q = 0; q < QUANTILES.length; q++) {
                double ms = v.value(TimeUnit.MILLISECONDS);
                if (Math.abs(v.percentile() - QUANTILES[q]) < 1e-9 && Double.isFinite(ms)) {
                    out[q] = ms;
                    found++;
                }
            }
        }
        return found == 0 ? null : out;
    }

    /**
     * The value at {@code rank} given cumulative {@code counts} at ascending {@code bounds}: linear
     * inside the bucket, from the previous bound (0 for the first bucket).
     */
    static double fromBuckets(double[] bounds, double[] cumulative, double rank) {
        double lowerBound = 0;
        double lowerCount = 0;
        for (int i = 0; i < bounds.length; i++) {
            if (!Double.isFinite(bounds[i])) {
                break;
            }
            if (cumulative[i] >= rank && cumulative[i] > lowerCount) {
                double fraction = (rank - lowerCount) / (cumulative[i] - lowerCount);
                return lowerBound + Math.max(0, fraction) * (bounds[i] - lowerBound);
            }
            lowerBound = bounds[i];
            lowerCount = cumulative[i];
        }
        return lowerBound;
    }
}
