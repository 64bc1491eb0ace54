package io.harborai.worker.top;

import static io.harborai.worker.top.Fmt.f;

import io.harborai.worker.avro.Alert;
import io.harborai.worker.avro.MetricEvent;
import io.harborai.worker.avro.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Draws a {@link TopSnapshot} as text for a terminal of a given width: a header of aggregated
 * figures, a row per instance, a row per provider and model, and the firing alerts. Every line is
 * cut to the width (plain text is measured before any colour is added, so escapes never count);
 * with colour on, the title is bold, stale instances are dim and alerts are red (CRITICAL) or
 * yellow. The result has no cursor movement: see {@link Screen} for refreshing in place.
 *
 * <p>Stateless and thread-safe.
 */
public final class TopRenderer {
    /** Narrowest width drawn; narrower terminals get lines cut at this width anyway. */
    public static final int MIN_WIDTH = 20;

    static final String BOLD = "\u001b[1m";
    static final String DIM = "\u001b[2m";
    static final String RED = "\u001b[31m";
    static final String YELLOW = "\u001b[33m";
    static final String RESET = "\u001b[0m";

    /** Instance rows: the least needed column (mode) last, so a narrow terminal cuts it first. */
    private static final int NAME_WIDTH = 22;

    private static final String ROW = "%-" + NAME_WIDTH + "s %7s %6s %6s %6s %6s %7s %6s %7s %4s %s";

    private final String source;
    private final boolean color;

    /**
     * @param source what is being read, shown in the title (e.g. the topic name)
     * @param color whether to add ANSI colour codes
     */
    public TopRenderer(String source, boolean color) {
        this.source = source;
        this.color = color;
    }

    /** The snapshot as lines separated by {@code \n}, each at most {@code width} visible characters. */
    public String render(TopSnapshot s, int width) {
        int w = Math.max(MIN_WIDTH, width);
        List<String> out = new ArrayList<>();
        header(s, w, out);
        out.add("");
        instances(s, w, out);
        out.add("");
        providers(s, w, out);
        out.add("");
        alerts(s, w, out);
        return String.join("\n", out);
    }

    private void header(TopSnapshot s, int w, List<String> out) {
        TopSnapshot.Totals t = s.totals();
        int stale = s.instances().size() - t.live();
        out.add(paint(
                BOLD,
                cut(
                        f(
                                "harbor top - %s - %d instance%s (%d live%s) - %s",
                                source,
                                s.instances().size(),
                                s.instances().size() == 1 ? "" : "s",
                                t.live(),
                                stale > 0 ? ", " + stale + " stale" : "",
                                Fmt.clock(s.nowMs())),
                        w)));
        if (s.empty()) {
            out.add(paint(
                    YELLOW, cut("waiting for the first MetricEvent (workers write one every metrics.interval-ms)", w)));
        } else if (t.live() == 0) {
            out.add(paint(YELLOW, cut("every instance is stale: figures are their last snapshots", w)));
        }
        out.add(cut(
                f(
                        "throughput %.1f req/s   errors %s of %s results   DLQ %s",
                        t.throughputRps(), Fmt.pct(t.errorRate()), Fmt.count(t.results()), Fmt.count(t.dlq())),
                w));
        out.add(cut(
                f(
                        "latency    p50 %s  p95 %s  p99 %s ms (max over instances)",
                        Fmt.ms(t.p50Ms()), Fmt.ms(t.p95Ms()), Fmt.ms(t.p99Ms())),
                w));
        out.add(cut(
                f(
                        "cache      L1 %s  L2 %s  coalesced %s of %s requests",
                        Fmt.pct(t.l1HitRate()),
                        Fmt.pct(t.l2HitRate()),
                        Fmt.pct(t.coalescedRate()),
                        Fmt.count(t.requests())),
                w));
        String heap = t.heapMaxBytes() > 0
                ? f(
                        "%s / %s (%s)",
                        Fmt.bytes(t.heapUsedBytes()),
                        Fmt.bytes(t.heapMaxBytes()),
                        Fmt.pct((double) t.heapUsedBytes() / t.heapMaxBytes()))
                : Fmt.bytes(t.heapUsedBytes());
        out.add(cut(
                f(
                        "memory     in-flight %s (%s)   heap %s",
                        Fmt.count(t.inFlight()), Fmt.bytes(t.inFlightBytes()), heap),
                w));
        String cost = t.costByCurrency().isEmpty()
                ? "0"
                : t.costByCurrency().entrySet().stream()
                        .sorted(Map.Entry.comparingByKey())
                        .map(e -> Fmt.money(e.getValue(), e.getKey()))
                        .collect(Collectors.joining(" + "));
        out.add(cut(f("backlog    consumer lag %s   cost %s (latest windows)", Fmt.count(t.consumerLag()), cost), w));
    }

    private void instances(TopSnapshot s, int w, List<String> out) {
        out.add(paint(
                BOLD,
                cut(
                        f(
                                ROW,
                                "INSTANCE",
                                "REQ/S",
                                "ERR",
                                "P50ms",
                                "P95ms",
                                "P99ms",
                                "IN-FLT",
                                "HEAP",
                                "LAG",
                                "AGE",
                                "MODE"),
                        w)));
        for (TopSnapshot.InstanceRow r : s.instances()) {
            MetricEvent e = r.event();
            String heap = e.getHeapMaxBytes() > 0
                    ? Fmt.pct((double) e.getHeapUsedBytes() / e.getHeapMaxBytes())
                    : Fmt.bytes(e.getHeapUsedBytes());
            String line = f(
                    ROW,
                    name(r),
                    f("%.1f", e.getThroughputRps()),
                    Fmt.pct(e.getErrorRate()),
                    Fmt.ms(e.getLatencyP50Ms()),
                    Fmt.ms(e.getLatencyP95Ms()),
                    Fmt.ms(e.getLatencyP99Ms()),
                    Fmt.count(e.getInFlight()),
                    heap,
                    Fmt.count(e.getConsumerLag()),
                    Fmt.age(r.ageMs()),
                    e.getMode());
            out.add(r.stale() ? paint(DIM, cut(line, w)) : cut(line, w));
        }
    }

    private static String name(TopSnapshot.InstanceRow r) {
        String n = r.instance();
        String suffix = r.stale() ? " (stale)" : "";
        int room = NAME_WIDTH - suffix.length();
        return (n.length() > room ? n.substring(0, room - 1) + "~" : n) + suffix;
    }

    private void providers(TopSnapshot s, int w, List<String> out) {
        out.add(paint(BOLD, cut(f("%-36s %9s %8s %7s %16s", "PROVIDER/MODEL", "CALLS", "ERRORS", "P95ms", "COST"), w)));
        if (s.providers().isEmpty()) {
            out.add(cut("(no provider calls in the latest windows)", w));
        }
        for (TopSnapshot.ProviderRow p : s.providers()) {
            out.add(cut(
                    f(
                            "%-36s %9s %8s %7s %16s",
                            p.provider() + "/" + p.model(),
                            Fmt.count(p.calls()),
                            Fmt.count(p.errors()),
                            Fmt.ms(p.p95Ms()),
                            Fmt.money(p.cost(), p.currency())),
                    w));
        }
    }

    private void alerts(TopSnapshot s, int w, List<String> out) {
        out.add(paint(BOLD, cut(f("FIRING ALERTS (%d)", s.firing().size()), w)));
        if (s.firing().isEmpty()) {
            out.add(cut("(none)", w));
        }
        for (Alert a : s.firing()) {
            String line = f(
                    "%-8s %-16s %-20s value %s threshold %s since %s  %s",
                    a.getSeverity(),
                    a.getRule(),
                    a.getInstance(),
                    number(a.getValue()),
                    number(a.getThreshold()),
                    Fmt.clock(a.getTimestampMs()),
                    a.getMessage());
            out.add(paint(a.getSeverity() == Severity.CRITICAL ? RED : YELLOW, cut(line, w)));
        }
    }

    private static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : f("%.3g", v);
    }

    /** {@code line} cut to {@code width} characters; a cut line ends with {@code ~}. */
    static String cut(String line, int width) {
        return line.length() <= width ? line : line.substring(0, width - 1) + "~";
    }

    private String paint(String code, String line) {
        return color && !line.isEmpty() ? code + line + RESET : line;
    }
}
