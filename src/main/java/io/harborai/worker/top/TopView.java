package io.harborai.worker.top;

import io.harborai.worker.avro.Alert;
import io.harborai.worker.avro.AlertState;
import io.harborai.worker.avro.MetricEvent;
import io.harborai.worker.avro.ProviderStats;
import io.harborai.worker.metrics.topic.MetricsTopic;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The state behind {@code harbor top}: the latest {@link MetricEvent} per instance and the latest
 * {@link Alert} per {@code rule|instance}, fed in any order (an older event than the one held is
 * ignored), and a {@link #snapshot} of them at a given time. Pure: no I/O, no clock of its own.
 *
 * <p>An instance is <em>stale</em> when its latest window ended more than {@value
 * #STALE_AFTER_INTERVALS} snapshot intervals before now; the interval is the event's own window
 * length, or the configured {@code metrics.interval-ms} when the window is empty. Totals and
 * provider rows aggregate the live instances only, or every instance when none is live, so the
 * last known state of a stopped cluster still shows (marked stale).
 *
 * <p>Not thread-safe: fed and read by the one thread that runs the command.
 */
public final class TopView {
    /** Snapshot intervals of silence after which an instance is marked stale. */
    public static final int STALE_AFTER_INTERVALS = 3;

    private final long defaultIntervalMs;
    private final Map<String, MetricEvent> latest = new HashMap<>();
    private final Map<String, Alert> alerts = new HashMap<>();

    /** @param defaultIntervalMs {@code metrics.interval-ms}, used for events without a window length */
    public TopView(long defaultIntervalMs) {
        if (defaultIntervalMs <= 0) {
            throw new IllegalArgumentException("defaultIntervalMs must be > 0, was " + defaultIntervalMs);
        }
        this.defaultIntervalMs = defaultIntervalMs;
    }

    /** Keeps {@code event} if it is the newest of its instance (by window end). */
    public void accept(MetricEvent event) {
        latest.merge(
                event.getInstance(),
                event,
                (held, next) -> next.getWindowEndMs() >= held.getWindowEndMs() ? next : held);
    }

    /** Keeps {@code alert} if it is the newest state of its rule on its instance (by timestamp). */
    public void accept(Alert alert) {
        alerts.merge(
                MetricsTopic.alertKey(alert),
                alert,
                (held, next) -> next.getTimestampMs() >= held.getTimestampMs() ? next : held);
    }

    /** How many instances have sent a MetricEvent. */
    public int instanceCount() {
        return latest.size();
    }

    /** The view at {@code nowMs} (wall clock, epoch milliseconds). */
    public TopSnapshot snapshot(long nowMs) {
        List<TopSnapshot.InstanceRow> rows = new ArrayList<>();
        for (MetricEvent e : latest.values()) {
            long age = Math.max(0, nowMs - e.getWindowEndMs());
            rows.add(new TopSnapshot.InstanceRow(e.getInstance(), age > STALE_AFTER_INTERVALS * interval(e), age, e));
        }
        rows.sort(
                Comparator.comparing(TopSnapshot.InstanceRow::stale).thenComparing(TopSnapshot.InstanceRow::instance));
        int live = (int) rows.stream().filter(r -> !r.stale()).count();
        List<MetricEvent> counted = rows.stream()
                .filter(r -> live == 0 || !r.stale())
                .map(TopSnapshot.InstanceRow::event)
                .toList();
        return new TopSnapshot(nowMs, totals(counted, live), rows, providers(counted), firing());
    }

    private long interval(MetricEvent e) {
        long window = e.getWindowEndMs() - e.getWindowStartMs();
        return window > 0 ? window : defaultIntervalMs;
    }

    private static TopSnapshot.Totals totals(List<MetricEvent> events, int live) {
        double rps = 0;
        double p50 = 0;
        double p95 = 0;
        double p99 = 0;
        long requests = 0;
        long failed = 0;
        long results = 0;
        long l1 = 0;
        long l2 = 0;
        long coalesced = 0;
        long inFlight = 0;
        long inFlightBytes = 0;
        long heapUsed = 0;
        long heapMax = 0;
        long lag = 0;
        long dlq = 0;
        Map<String, Double> cost = new TreeMap<>();
        for (MetricEvent e : events) {
            rps += e.getThroughputRps();
            p50 = Math.max(p50, e.getLatencyP50Ms());
            p95 = Math.max(p95, e.getLatencyP95Ms());
            p99 = Math.max(p99, e.getLatencyP99Ms());
            requests += e.getRequests();
            failed += e.getResultsFailed();
            results += e.getResultsSucceeded() + e.getResultsFailed();
            l1 += e.getCacheHitsL1();
            l2 += e.getCacheHitsL2();
            coalesced += e.getCacheCoalesced();
            inFlight += e.getInFlight();
            inFlightBytes += e.getInFlightBytes();
            heapUsed += e.getHeapUsedBytes();
            heapMax += e.getHeapMaxBytes();
            lag += e.getConsumerLag();
            dlq += e.getDlq();
            for (ProviderStats p : e.getProviders()) {
                cost.merge(p.getCurrency(), p.getCost(), Double::sum);
            }
        }
        return new TopSnapshot.Totals(
                events.size(),
                live,
                rps,
                p50,
                p95,
                p99,
                requests,
                results,
                share(failed, results),
                share(l1, requests),
                share(l2, requests),
                share(coalesced, requests),
                inFlight,
                inFlightBytes,
                heapUsed,
                heapMax,
                lag,
                dlq,
                cost);
    }

    private static double share(long part, long whole) {
        return whole <= 0 ? 0 : (double) part / whole;
    }

    private static List<TopSnapshot.ProviderRow> providers(List<MetricEvent> events) {
        Map<String, TopSnapshot.ProviderRow> rows = new LinkedHashMap<>();
        for (MetricEvent e : events) {
            for (ProviderStats p : e.getProviders()) {
                var row = new TopSnapshot.ProviderRow(
                        p.getProvider(),
                        p.getModel(),
                        p.getCalls(),
                        p.getErrors(),
                        p.getLatencyP95Ms(),
                        p.getCost(),
                        p.getCurrency());
                rows.merge(
                        p.getProvider() + "/" + p.getModel(),
                        row,
                        (a, b) -> new TopSnapshot.ProviderRow(
                                a.provider(),
                                a.model(),
                                a.calls() + b.calls(),
                                a.errors() + b.errors(),
                                Math.max(a.p95Ms(), b.p95Ms()),
                                a.cost() + b.cost(),
                                a.currency()));
            }
        }
        List<TopSnapshot.ProviderRow> out = new ArrayList<>(rows.values());
        out.sort(Comparator.comparingLong(TopSnapshot.ProviderRow::calls)
                .reversed()
                .thenComparing(TopSnapshot.ProviderRow::provider)
                .thenComparing(TopSnapshot.ProviderRow::model));
        return out;
    }

    private List<Alert> firing() {
        return alerts.values().stream()
                .filter(a -> a.getState() == AlertState.FIRING)
                .sorted(Comparator.comparing(Alert::getSeverity)
                        .reversed()
                        .thenComparing(Alert::getRule)
                        .thenComparing(Alert::getInstance))
                .toList();
    }
}
