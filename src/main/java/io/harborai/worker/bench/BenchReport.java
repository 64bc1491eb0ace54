package io.harborai.worker.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harborai.worker.avro.CacheOutcome;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * The figures of one bench run, as a table for people and JSON for machines. With several
 * in-flight levels ({@code --sweep}) the top-level JSON fields describe the last level and
 * {@code sweep} lists every level.
 *
 * @param context one line naming the set-up (sizes, latency, instances, guarantee, mode)
 * @param config the run's settings, copied into the JSON as is
 * @param levels one entry per in-flight level, in run order
 * @param naive the naive consumer loop's requests/s per round, measured in the same run
 * @param heapAfterGcMb heap used after {@code System.gc()} at the end, workers still running
 * @param heapAt100kMb the same once 100,000 measured results had arrived, or null
 * @param notes caveats printed under the table and stored in the JSON
 */
public record BenchReport(
        String context,
        ObjectNode config,
        List<Level> levels,
        RoundStats naive,
        double heapAfterGcMb,
        Double heapAt100kMb,
        List<String> notes) {

    /**
     * One in-flight level.
     *
     * @param maxInFlight the concurrency asked of the worker (and given to the limit probe)
     * @param providerCalls the simulator's call count over the measured phase
     * @param limit the limit probe's rounds (null until probed)
     * @param idealRps {@code C / L}, or 0 when the latency is 0
     * @param warmup how the level's warm-up went
     * @param split where the worker-added latency was spent
     * @param cost CPU, Kafka records, Redis commands and provider calls of the measured phase, or
     *     null before it is counted
     */
    public record Level(
            int maxInFlight,
            long requests,
            long results,
            long failed,
            long duplicates,
            long providerCalls,
            double throughputRps,
            Histogram e2eMicros,
            Histogram overheadMicros,
            LatencySplit split,
            CacheStats cache,
            RoundStats limit,
            double idealRps,
            WarmUp.Result warmup,
            LevelCost cost) {
        /** The limit probe's median round, 0 before probing. */
        public double limitRps() {
            return limit == null ? 0 : limit.median();
        }
    }

    /** The naive loop's median round. */
    public double naiveRps() {
        return naive.median();
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The last level: what the top-level fields describe. */
    public Level last() {
        return levels.get(levels.size() - 1);
    }

    /** The JSON document of {@code --json}. */
    public ObjectNode toJson() {
        ObjectNode root = JSON.createObjectNode();
        Level l = last();
        levelFields(root, l);
        root.put("naive_rps", round(naiveRps()));
        rounds(root.putObject("naive_rounds"), naive);
        root.put("heap_after_gc_mb", round(heapAfterGcMb));
        if (heapAt100kMb != null) {
            root.put("heap_after_gc_mb_at_100k", round(heapAt100kMb));
        }
        ObjectNode ratios = root.putObject("ratios");
        ratios.put("throughput_over_limit", ratio(l.throughputRps(), l.limitRps()));
        ratios.put("throughput_over_naive", ratio(l.throughputRps(), naiveRps()));
        if (l.idealRps() > 0) {
            ratios.put("throughput_over_0_9_c_over_l", ratio(l.throughputRps(), 0.9 * l.idealRps()));
        }
        root.set("config", config);
        ArrayNode sweep = root.putArray("sweep");
        levels.forEach(level -> levelFields(sweep.addObject(), level));
        ArrayNode n = root.putArray("notes");
        notes.forEach(n::add);
        return root;
    }

    private static void levelFields(ObjectNode o, Level l) {
        o.put("max_in_flight", l.maxInFlight());
        o.put("requests", l.requests());
        o.put("results", l.results());
        o.put("failed", l.failed());
        o.put("duplicates", l.duplicates());
        o.put("provider_calls", l.providerCalls());
        o.put("throughput_rps", round(l.throughputRps()));
        percentiles(o.putObject("e2e_ms"), l.e2eMicros());
        percentiles(o.putObject("overhead_ms"), l.overheadMicros());
        ObjectNode split = o.putObject("overhead_split_ms");
        percentiles(split.putObject("to_worker"), l.split().toWorker());
        percentiles(split.putObject("in_worker"), l.split().inWorker());
        percentiles(split.putObject("to_reader"), l.split().toReader());
        o.put("limit_rps", round(l.limitRps()));
        if (l.limit() != null) {
            rounds(o.putObject("limit_rounds"), l.limit());
        }
        ObjectNode w = o.putObject("warmup");
        w.put("requests", l.warmup().requests());
        w.put("seconds", round(l.warmup().seconds()));
        w.put("steady", l.warmup().steady());
        ArrayNode windows = w.putArray("window_rps");
        l.warmup().windowRps().forEach(r -> windows.add(round(r)));
        o.put("cache_hit_rate", Math.round(l.cache().hitRate() * 10_000) / 10_000.0);
        ObjectNode c = o.putObject("cache");
        for (CacheOutcome outcome : CacheOutcome.values()) {
            c.put(outcome.name().toLowerCase(Locale.ROOT), l.cache().count(outcome));
        }
        percentiles(c.putObject("l1_hit_overhead_ms"), l.cache().l1OverheadMicros());
        percentiles(c.putObject("l2_hit_overhead_ms"), l.cache().l2OverheadMicros());
        if (l.idealRps() > 0) {
            o.put("ideal_rps", round(l.idealRps()));
        }
        if (l.cost() != null) {
            l.cost().write(o);
        }
    }

    private static void rounds(ObjectNode o, RoundStats r) {
        o.put("rounds", r.rates().size());
        o.put("rounds_before", r.warmupRounds());
        o.put("steady", r.steady());
        o.put("round_s", round(r.roundSeconds()));
        o.put("min", round(r.min()));
        o.put("max", round(r.max()));
        o.put("max_over_min", ratio(r.max(), r.min()));
        ArrayNode each = o.putArray("rps");
        r.rates().forEach(v -> each.add(round(v)));
    }

    private static void percentiles(ObjectNode o, Histogram h) {
        o.put("p50", ms(h, 50));
        o.put("p95", ms(h, 95));
        o.put("p99", ms(h, 99));
        o.put("max", h.getTotalCount() == 0 ? 0 : round(h.getMaxValue() / 1000.0));
    }

    private static double ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? 0 : round(h.getValueAtPercentile(percentile) / 1000.0);
    }

    /** Writes the JSON document. */
    public void writeJson(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        JSON.writeValue(file.toFile(), toJson());
    }

    /** The summary table. */
    public void print(PrintStream out) {
        out.println(context);
        out.printf(
                Locale.ROOT,
                "%-9s %8s %7s %10s %9s %7s %-22s %-22s %9s%n",
                "in-flight",
                "results",
                "failed",
                "results/s",
                "limit/s",
                "/limit",
                "e2e ms p50/p95/p99",
                "overhead ms p50/p95/p99",
                "calls");
        for (Level l : levels) {
            out.printf(
                    Locale.ROOT,
                    "%-9d %8d %7d %10.1f %9.1f %7.3f %-22s %-22s %9d%n",
                    l.maxInFlight(),
                    l.results(),
                    l.failed(),
                    l.throughputRps(),
                    l.limitRps(),
                    ratio(l.throughputRps(), l.limitRps()),
                    triple(l.e2eMicros()),
                    triple(l.overheadMicros()),
                    l.providerCalls());
        }
        for (Level c : levels) {
            CacheStats cs = c.cache();
            if (cs.hits() > 0) {
                out.printf(
                        Locale.ROOT,
                        "cache (C=%d): hit rate %.1f%% - L1 %d (overhead ms p50/p95/p99 %s), L2 %d (%s),"
                                + " coalesced %d, miss %d, bypass %d%n",
                        c.maxInFlight(),
                        cs.hitRate() * 100,
                        cs.count(CacheOutcome.L1),
                        triple(cs.l1OverheadMicros()),
                        cs.count(CacheOutcome.L2),
                        triple(cs.l2OverheadMicros()),
                        cs.count(CacheOutcome.COALESCED),
                        cs.count(CacheOutcome.MISS),
                        cs.count(CacheOutcome.BYPASS));
            }
        }
        for (Level c : levels) {
            LatencySplit s = c.split();
            out.printf(
                    Locale.ROOT,
                    "overhead (C=%d), ms p50/p95/p99: to the worker %s, in the worker less the call %s,"
                            + " result to reader %s%n",
                    c.maxInFlight(),
                    triple(s.toWorker()),
                    triple(s.inWorker()),
                    triple(s.toReader()));
        }
        for (Level c : levels) {
            WarmUp.Result w = c.warmup();
            out.printf(
                    Locale.ROOT,
                    "warm-up (C=%d): %d requests in %.1f s, %d windows, %s; limit/s %s%n",
                    c.maxInFlight(),
                    w.requests(),
                    w.seconds(),
                    w.windowRps().size(),
                    w.steady() ? "steady" : "NOT steady",
                    c.limit() == null ? "not probed" : describe(c.limit()));
        }
        for (Level c : levels) {
            if (c.cost() != null) {
                c.cost().summary(c.maxInFlight()).forEach(out::println);
            }
        }
        Level l = last();
        out.printf(
                Locale.ROOT,
                "naive loop (1 at a time): %.1f req/s (%s); results/s over naive: %.2f%n",
                naiveRps(),
                describe(naive),
                ratio(l.throughputRps(), naiveRps()));
        if (l.idealRps() > 0) {
            out.printf(
                    Locale.ROOT,
                    "0.9*C/L = %.0f req/s; results/s over it: %.3f%n",
                    0.9 * l.idealRps(),
                    ratio(l.throughputRps(), 0.9 * l.idealRps()));
        }
        out.printf(
                Locale.ROOT,
                "heap after GC: %.1f MB%s%n",
                heapAfterGcMb,
                heapAt100kMb == null ? "" : String.format(Locale.ROOT, " (at 100k results: %.1f MB)", heapAt100kMb));
        notes.forEach(n -> out.println("note: " + n));
    }

    private static String describe(RoundStats r) {
        return String.format(
                Locale.ROOT,
                "median of the last %d of %d rounds, max/min %.3f, %s",
                r.rates().size(),
                r.rates().size() + r.warmupRounds(),
                r.spread(),
                r.steady() ? "steady" : "NOT steady");
    }

    private static String triple(Histogram h) {
        return String.format(Locale.ROOT, "%.0f/%.0f/%.0f", ms(h, 50), ms(h, 95), ms(h, 99));
    }

    private static double ratio(double a, double b) {
        return b <= 0 ? 0 : Math.round(a / b * 1000) / 1000.0;
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
