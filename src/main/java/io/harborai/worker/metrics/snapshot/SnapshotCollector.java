package io.harborai.worker.metrics.snapshot;

import static io.harborai.worker.metrics.MetricsCatalog.BUDGET_AVAILABLE;
import static io.harborai.worker.metrics.MetricsCatalog.BUDGET_ERRORS;
import static io.harborai.worker.metrics.MetricsCatalog.BUDGET_REJECTIONS;
import static io.harborai.worker.metrics.MetricsCatalog.CACHE_COALESCED;
import static io.harborai.worker.metrics.MetricsCatalog.CACHE_L1_BYTES;
import static io.harborai.worker.metrics.MetricsCatalog.CACHE_L1_ENTRIES;
import static io.harborai.worker.metrics.MetricsCatalog.CACHE_L2_AVAILABLE;
import static io.harborai.worker.metrics.MetricsCatalog.CACHE_L2_ERRORS;
import static io.harborai.worker.metrics.MetricsCatalog.CACHE_LOOKUPS;
import static io.harborai.worker.metrics.MetricsCatalog.CACHE_STORES;
import static io.harborai.worker.metrics.MetricsCatalog.COST;
import static io.harborai.worker.metrics.MetricsCatalog.DLQ_RECORDS;
import static io.harborai.worker.metrics.MetricsCatalog.FALLBACKS;
import static io.harborai.worker.metrics.MetricsCatalog.IN_FLIGHT;
import static io.harborai.worker.metrics.MetricsCatalog.IN_FLIGHT_BYTES;
import static io.harborai.worker.metrics.MetricsCatalog.LATE_COMPLETIONS;
import static io.harborai.worker.metrics.MetricsCatalog.PARKS;
import static io.harborai.worker.metrics.MetricsCatalog.PROVIDER_CALLS;
import static io.harborai.worker.metrics.MetricsCatalog.PROVIDER_CIRCUIT_OPEN;
import static io.harborai.worker.metrics.MetricsCatalog.RATELIMIT_WAITS;
import static io.harborai.worker.metrics.MetricsCatalog.REDISPATCHED;
import static io.harborai.worker.metrics.MetricsCatalog.REQUESTS;
import static io.harborai.worker.metrics.MetricsCatalog.REQUEST_LATENCY;
import static io.harborai.worker.metrics.MetricsCatalog.RESULTS;
import static io.harborai.worker.metrics.MetricsCatalog.RETRIES;
import static io.harborai.worker.metrics.MetricsCatalog.STRUCTURED_FAILURES;
import static io.harborai.worker.metrics.MetricsCatalog.STRUCTURED_REASKS;

import io.harborai.worker.avro.MetricEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Turns the harbor meters of a {@link MeterRegistry} (see {@code MetricsCatalog}) into one {@link
 * MetricEvent} per window: each {@link #snapshot()} covers the time since the previous one (the
 * first, since construction, which takes the baseline).
 *
 * <p>Contract, per field: counts ({@code requests}, {@code results_*}, {@code dlq}, {@code
 * provider_calls}, {@code cache_*}) are the counter increments in the window, summed over their
 * tags; a counter that went down (re-registered) counts its whole value. {@code throughput_rps} is
 * results per second of window; {@code error_rate} is failed / results, 0 without results; {@code
 * cache_lookups} are L1 lookups (every lookup starts there) and {@code cache_hit_rate} is (L1 + L2
 * hits) / those, 0 without lookups. Latency p50/p95/p99 come from {@link WindowLatency} per {@code
 * traffic} timer, and the largest among the timers with results in the window is reported (an
 * upper bound of the mixture's quantile); 0 in a window without results. Fast mode has no
 * client-side percentiles: the values are then estimated from histogram buckets if the timer has
 * any, else 0. {@code in_flight}, {@code in_flight_bytes}, heap, {@code consumer_lag} (see {@link
 * ConsumerLag}) and {@code circuits_open} are values at the end of the window. {@code providers}
 * has one row per provider+model ever seen (see {@link ProviderRows}), {@code counters} the
 * remaining counter deltas and a few gauges under stable keys (listed in {@link #counters}).
 *
 * <p>Threading: not thread-safe; one thread (the reporter's scheduler) calls {@link #snapshot()}.
 * Reading the meters is safe while other threads update them; a window's counts are then exact
 * only in total over consecutive windows (an increment lands in exactly one window).
 */
public final class SnapshotCollector {

    private final MeterRegistry registry;
    private final String instanceId;
    private final String mode;
    private final Clock clock;
    private final Supplier<MemoryUsage> heap;
    private final WindowLatency latency = new WindowLatency();
    private Map<Meter.Id, Double> previousTotals = new HashMap<>();
    private long windowStartMs = Long.MIN_VALUE;

    /**
     * @param mode the {@code metrics.mode} (fast, balanced or full), copied into each event
     * @param clock wall clock of the window bounds
     */
    public SnapshotCollector(MeterRegistry registry, String instanceId, String mode, Clock clock) {
        this(registry, instanceId, mode, clock, ManagementFactory.getMemoryMXBean()::getHeapMemoryUsage);
    }

    /** With the heap reading injected, for tests. */
    SnapshotCollector(MeterRegistry registry, String instanceId, String mode, Clock clock, Supplier<MemoryUsage> heap) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.instanceId = Objects.requireNonNull(instanceId, "instanceId");
        this.mode = Objects.requireNonNull(mode, "mode");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.heap = Objects.requireNonNull(heap, "heap");
        snapshot(); // the baseline: what was counted before construction belongs to no window
    }

    /** The window since the previous call (see the class doc); never throws for odd meter values. */
    public MetricEvent snapshot() {
        long endMs = clock.millis();
        long startMs = windowStartMs == Long.MIN_VALUE ? endMs : windowStartMs;
        windowStartMs = endMs;
        Map<Meter.Id, Double> deltas = deltas();

        long succeeded = count(deltas, RESULTS, "status", "SUCCEEDED");
        long failed = count(deltas, RESULTS, "status", "FAILED");
        long results = succeeded + failed;
        long hitsL1 = count(deltas, CACHE_LOOKUPS, "tier", "l1", "result", "hit");
        long hitsL2 = count(deltas, CACHE_LOOKUPS, "tier", "l2", "result", "hit");
        long lookups = count(deltas, CACHE_LOOKUPS, "tier", "l1");
        double seconds = (endMs - startMs) / 1000.0;

        double[] e2e = new double[WindowLatency.QUANTILES.length];
        for (Timer t : registry.find(REQUEST_LATENCY).timers()) {
            long n = Math.round(deltas.getOrDefault(t.getId(), 0.0));
            double[] p = latency.percentilesMs(t, n);
            if (n > 0) {
                for (int i = 0; i < e2e.length; i++) {
                    e2e[i] = Math.max(e2e[i], p[i]);
                }
            }
        }
        ProviderRows rows = new ProviderRows();
        for (Timer t : registry.find(PROVIDER_CALLS).timers()) {
            long n = Math.round(deltas.getOrDefault(t.getId(), 0.0));
            double[] p = latency.percentilesMs(t, n);
            rows.addCalls(
                    t.getId().getTag("provider"),
                    t.getId().getTag("model"),
                    "ok".equals(t.getId().getTag("outcome")),
                    n,
                    p);
        }
        latency.endSnapshot();
        for (Map.Entry<Meter.Id, Double> e : deltas.entrySet()) {
            Meter.Id id = e.getKey();
            if (id.getName().equals(COST)) {
                rows.addCost(
                        id.getTag("provider"),
                        id.getTag("model"),
                        Objects.requireNonNullElse(id.getTag("currency"), "USD"),
                        e.getValue());
            }
        }
        MemoryUsage mem = heap.get();

        return MetricEvent.newBuilder()
                .setInstance(instanceId)
                .setWindowStartMs(startMs)
                .setWindowEndMs(endMs)
                .setMode(mode)
                .setRequests(count(deltas, REQUESTS))
                .setResultsSucceeded(succeeded)
                .setResultsFailed(failed)
                .setDlq(count(deltas, DLQ_RECORDS))
                .setProviderCalls(count(deltas, PROVIDER_CALLS))
                .setCacheHitsL1(hitsL1)
                .setCacheHitsL2(hitsL2)
                .setCacheCoalesced(count(deltas, CACHE_COALESCED))
                .setCacheLookups(lookups)
                .setCacheHitRate(lookups == 0 ? 0 : Math.min(1.0, (double) (hitsL1 + hitsL2) / lookups))
                .setThroughputRps(seconds <= 0 ? 0 : results / seconds)
                .setErrorRate(results == 0 ? 0 : (double) failed / results)
                .setLatencyP50Ms(e2e[0])
                .setLatencyP95Ms(e2e[1])
                .setLatencyP99Ms(e2e[2])
                .setInFlight(Math.round(gaugeSum(IN_FLIGHT)))
                .setInFlightBytes(Math.round(gaugeSum(IN_FLIGHT_BYTES)))
                .setHeapUsedBytes(Math.max(0, mem.getUsed()))
                .setHeapMaxBytes(Math.max(0, mem.getMax()))
                .setConsumerLag(ConsumerLag.read(registry))
                .setCircuitsOpen(circuitsOpen())
                .setProviders(rows.build())
                .setCounters(counters(deltas))
                .build();
    }

    /**
     * The {@code counters} map. Window deltas: retries, fallbacks, redispatched, late_completions,
     * parks, ratelimit_waits, structured_reasks, structured_failures, budget_rejections,
     * budget_errors, cache_stores, cache_stale, cache_l2_errors, {@code requests.<traffic>}, {@code
     * failed.<code>} and {@code dlq.<reason>} (those two only for tags seen). Gauges at the end of the
     * window: circuits_open, cache_l1_entries, cache_l1_bytes, cache_l2_available,
     * budget_available (-1 when the gauge is absent).
     */
    private Map<String, Long> counters(Map<Meter.Id, Double> deltas) {
        Map<String, Long> c = new TreeMap<>();
        c.put("retries", count(deltas, RETRIES));
        c.put("fallbacks", count(deltas, FALLBACKS));
        c.put("redispatched", count(deltas, REDISPATCHED));
        c.put("late_completions", count(deltas, LATE_COMPLETIONS));
        c.put("parks", count(deltas, PARKS));
        c.put("ratelimit_waits", count(deltas, RATELIMIT_WAITS));
        c.put("structured_reasks", count(deltas, STRUCTURED_REASKS));
        c.put("structured_failures", count(deltas, STRUCTURED_FAILURES));
        c.put("budget_rejections", count(deltas, BUDGET_REJECTIONS));
        c.put("budget_errors", count(deltas, BUDGET_ERRORS));
        c.put("cache_stores", count(deltas, CACHE_STORES));
        c.put("cache_stale", count(deltas, CACHE_LOOKUPS, "result", "stale"));
        c.put("cache_l2_errors", count(deltas, CACHE_L2_ERRORS));
        deltas.forEach((id, d) -> {
            String name = id.getName();
            if (name.equals(REQUESTS) && id.getTag("traffic") != null) {
                c.merge("requests." + id.getTag("traffic"), Math.round(d), Long::sum);
            } else if (name.equals(RESULTS) && "FAILED".equals(id.getTag("status")) && id.getTag("code") != null) {
                c.merge("failed." + id.getTag("code"), Math.round(d), Long::sum);
            } else if (name.equals(DLQ_RECORDS) && id.getTag("reason") != null) {
                c.merge("dlq." + id.getTag("reason"), Math.round(d), Long::sum);
            }
        });
        c.put("circuits_open", (long) circuitsOpen());
        c.put("cache_l1_entries", gaugeOr(CACHE_L1_ENTRIES));
        c.put("cache_l1_bytes", gaugeOr(CACHE_L1_BYTES));
        c.put("cache_l2_available", gaugeOr(CACHE_L2_AVAILABLE));
        c.put("budget_available", gaugeOr(BUDGET_AVAILABLE));
        return c;
    }

    /**
     * Increments since the previous call of every cumulative harbor meter (counters, function
     * counters, timer counts), keyed by id; the totals become the next baseline.
     */
    private Map<Meter.Id, Double> deltas() {
        Map<Meter.Id, Double> totals = new HashMap<>();
        Map<Meter.Id, Double> deltas = new HashMap<>();
        for (Meter m : registry.getMeters()) {
            if (!m.getId().getName().startsWith("harbor.")) {
                continue;
            }
            double total = total(m);
            if (!Double.isFinite(total)) {
                continue;
            }
            totals.put(m.getId(), total);
            double previous = previousTotals.getOrDefault(m.getId(), 0.0);
            deltas.put(m.getId(), total >= previous ? total - previous : total);
        }
        previousTotals = totals;
        return deltas;
    }

    private static double total(Meter m) {
        if (m instanceof Counter c) {
            return c.count();
        } else if (m instanceof FunctionCounter c) {
            return c.count();
        } else if (m instanceof Timer t) {
            return t.count();
        } else if (m instanceof FunctionTimer t) {
            return t.count();
        }
        return Double.NaN;
    }

    /** The rounded sum of the deltas of {@code name} whose tags include the given key/value pairs. */
    private static long count(Map<Meter.Id, Double> deltas, String name, String... tagPairs) {
        double sum = 0;
        for (Map.Entry<Meter.Id, Double> e : deltas.entrySet()) {
            if (e.getKey().getName().equals(name) && hasTags(e.getKey(), tagPairs)) {
                sum += e.getValue();
            }
        }
        return Math.round(sum);
    }

    private static boolean hasTags(Meter.Id id, String... tagPairs) {
        for (int i = 0; i + 1 < tagPairs.length; i += 2) {
            if (!tagPairs[i + 1].equals(id.getTag(tagPairs[i]))) {
                return false;
            }
        }
        return true;
    }

    private double gaugeSum(String name) {
        double sum = 0;
        for (Gauge g : registry.find(name).gauges()) {
            double v = g.value();
            if (Double.isFinite(v)) {
                sum += v;
            }
        }
        return sum;
    }

    private long gaugeOr(String name) {
        return registry.find(name).gauges().isEmpty() ? -1 : Math.round(gaugeSum(name));
    }

    private int circuitsOpen() {
        int open = 0;
        for (Gauge g : registry.find(PROVIDER_CIRCUIT_OPEN).gauges()) {
            if (g.value() >= 0.5) {
                open++;
            }
        }
        return open;
    }
}
