package io.harborai.worker.metrics.snapshot;

import io.harborai.worker.avro.ProviderStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Accumulates the per provider+model rows of one snapshot: calls and errors over every {@code
 * outcome}, the largest percentile among the outcome timers that recorded calls in the window
 * (the quantile of a mixture lies between its parts' quantiles, so the largest is an upper bound;
 * timeouts therefore show in the row's p99), and the cost delta.
 *
 * <p>One currency per model is assumed (a price-table entry has one); should several appear, the
 * row carries the currency with the largest amount in the window. Rows come out sorted by provider,
 * then model. Not thread-safe; lives for one {@link SnapshotCollector#snapshot()}.
 */
final class ProviderRows {

    private final Map<String, Row> rows = new TreeMap<>();

    void addCalls(String provider, String model, boolean ok, long calls, double[] percentilesMs) {
        Row r = row(provider, model);
        r.calls += calls;
        if (!ok) {
            r.errors += calls;
        }
        if (calls > 0) {
            for (int i = 0; i < r.latencyMs.length; i++) {
                r.latencyMs[i] = Math.max(r.latencyMs[i], percentilesMs[i]);
            }
        }
    }

    void addCost(String provider, String model, String currency, double amount) {
        row(provider, model).cost.merge(currency, amount, Double::sum);
    }

    List<ProviderStats> build() {
        List<ProviderStats> out = new ArrayList<>(rows.size());
        for (Row r : rows.values()) {
            String currency = "USD";
            double cost = 0;
            boolean first = true;
            for (Map.Entry<String, Double> e : r.cost.entrySet()) {
                if (first || e.getValue() > cost) {
                    currency = e.getKey();
                    cost = e.getValue();
                    first = false;
                }
            }
            out.add(ProviderStats.newBuilder()
                    .setProvider(r.provider)
                    .setModel(r.model)
                    .setCalls(r.calls)
                    .setErrors(r.errors)
                    .setLatencyP50Ms(r.latencyMs[0])
                    .setLatencyP95Ms(r.latencyMs[1])
                    .setLatencyP99Ms(r.latencyMs[2])
                    .setCost(cost)
                    .setCurrency(currency)
                    .build());
        }
        return out;
    }

    private Row row(String provider, String model) {
        String p = provider == null ? "none" : provider;
        String m = model == null ? "none" : model;
        return rows.computeIfAbsent(p + '\u0000' + m, k -> new Row(p, m));
    }

    private static final class Row {
        final String provider;
        final String model;
        long calls;
        long errors;
        final double[] latencyMs = new double[WindowLatency.QUANTILES.length];
        final Map<String, Double> cost = new TreeMap<>();

        Row(String provider, String model) {
            this.provider = provider;
            this.model = model;
        }
    }
}
