package io.harborai.worker.top;

import io.harborai.worker.avro.Alert;
import io.harborai.worker.avro.MetricEvent;
import java.util.List;
import java.util.Map;

/**
 * What {@code harbor top} shows at one moment: an immutable value made by {@link TopView#snapshot}
 * and drawn by {@link TopRenderer}.
 *
 * @param nowMs the wall-clock time the snapshot was taken at
 * @param totals aggregated over {@link Totals#instances()} (see there which instances count)
 * @param instances every instance seen, live ones first, then by name
 * @param providers one row per provider and model, aggregated like the totals
 * @param firing the alerts whose latest state is FIRING, most severe first
 */
public record TopSnapshot(
        long nowMs, Totals totals, List<InstanceRow> instances, List<ProviderRow> providers, List<Alert> firing) {
    public TopSnapshot {
        instances = List.copyOf(instances);
        providers = List.copyOf(providers);
        firing = List.copyOf(firing);
    }

    /** True when no MetricEvent has been seen yet. */
    public boolean empty() {
        return instances.isEmpty();
    }

    /**
     * The header figures. Counts, throughput, in-flight, heap, lag, DLQ and cost are sums over the
     * instances; latency percentiles are the <em>maximum</em> over them (percentiles cannot be
     * added); rates are shares of the summed counts.
     *
     * @param instances how many instances were aggregated: the live ones, or every one when none is live
     * @param live how many instances are live (not stale)
     * @param errorRate failed results / all results (0 when there were none)
     * @param l1HitRate L1 hits / requests; likewise {@code l2HitRate} and {@code coalescedRate}
     * @param costByCurrency provider cost of the latest windows, per currency
     */
    public record Totals(
            int instances,
            int live,
            double throughputRps,
            double p50Ms,
            double p95Ms,
            double p99Ms,
            long requests,
            long results,
            double errorRate,
            double l1HitRate,
            double l2HitRate,
            double coalescedRate,
            long inFlight,
            long inFlightBytes,
            long heapUsedBytes,
            long heapMaxBytes,
            long consumerLag,
            long dlq,
            Map<String, Double> costByCurrency) {
        public Totals {
            costByCurrency = Map.copyOf(costByCurrency);
        }
    }

    /**
     * One instance's latest snapshot.
     *
     * @param ageMs how long ago its window ended, by the local clock
     * @param stale true when silent for more than {@link TopView#STALE_AFTER_INTERVALS} snapshot intervals
     */
    public record InstanceRow(String instance, boolean stale, long ageMs, MetricEvent event) {}

    /** One provider and model: calls, errors and cost summed, p95 the maximum over instances. */
    public record ProviderRow(
            String provider, String model, long calls, long errors, double p95Ms, double cost, String currency) {}
}
