package io.harborai.worker.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * The figures of an online-under-batch run ({@link PriorityBench}), as lines for people and JSON
 * for machines. Latencies are end to end (send time, or due time in open loop, to the result in the
 * bench's read_committed consumer), in ms.
 *
 * @param idle the online probe on an idle worker
 * @param busy the same probe while the batch drains
 * @param batchAloneCps the batch's provider calls/s before the probe, alone
 * @param batchDuringCps the batch's provider calls/s during the probe
 * @param batchLeft batch requests not yet called when the probe ended (0: the batch ended first)
 * @param yields yields of batch traffic that ended during the probe ({@code harbor.dispatch.batch.yield})
 * @param yieldSeconds their total length
 * @param yieldingAtEnd whether batch traffic was yielding when the probe ended ({@code
 *     harbor.dispatch.batch.yielding})
 * @param yieldOn whether {@code dispatch.batch-yield} was on
 */
public record PriorityReport(
        String context,
        double onlineRps,
        ResultCollector.Phase idle,
        ResultCollector.Phase busy,
        int batchRequests,
        double batchAloneCps,
        double batchDuringCps,
        long batchLeft,
        long yields,
        double yieldSeconds,
        boolean yieldingAtEnd,
        boolean yieldOn) {

    /** Issue 13's targets: during-batch over idle. */
    public static final double P50_TARGET = 1.5;

    public static final double P99_TARGET = 2.0;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public double p50Ratio() {
        return ratio(ms(busy.e2e(), 50), ms(idle.e2e(), 50));
    }

    public double p99Ratio() {
        return ratio(ms(busy.e2e(), 99), ms(idle.e2e(), 99));
    }

    /** Whether every online request got its result in both probes. */
    public boolean complete(int onlineRequests) {
        return idle.results() == onlineRequests && busy.results() == onlineRequests;
    }

    public void print(PrintStream out) {
        out.println(context);
        out.printf(
                Locale.ROOT,
                "%-22s %8s %7s %8s %8s %8s %8s%n",
                "online (e2e ms)",
                "samples",
                "failed",
                "p50",
                "p95",
                "p99",
                "max");
        row(out, "idle", idle);
        row(out, "during the batch", busy);
        out.printf(
                Locale.ROOT,
                "%-22s %8s %7s %8.2f %8s %8.2f   (targets: p50 <= %.1f, p99 <= %.1f: %s)%n",
                "during / idle",
                "",
                "",
                p50Ratio(),
                "",
                p99Ratio(),
                P50_TARGET,
                P99_TARGET,
                p50Ratio() <= P50_TARGET && p99Ratio() <= P99_TARGET ? "met" : "NOT met");
        out.printf(
                Locale.ROOT,
                "batch: %d requests; %.1f calls/s alone, %.1f calls/s during the online probe; %s%n",
                batchRequests,
                batchAloneCps,
                batchDuringCps,
                batchLeft > 0
                        ? batchLeft + " not yet called when the probe ended (still draining)"
                        : "it ENDED before the probe did: the probe did not run during a batch; use more --batch-requests");
        out.printf(
                Locale.ROOT,
                "batch yield (dispatch.batch-yield=%s): %d yields ended during the probe (%.1f s);"
                        + " yielding when it ended: %s%n",
                yieldOn,
                yields,
                yieldSeconds,
                yieldingAtEnd ? "yes" : "no");
    }

    private static void row(PrintStream out, String label, ResultCollector.Phase p) {
        Histogram h = p.e2e();
        out.printf(
                Locale.ROOT,
                "%-22s %8d %7d %8.1f %8.1f %8.1f %8.1f%n",
                label,
                p.results(),
                p.failed(),
                ms(h, 50),
                ms(h, 95),
                ms(h, 99),
                h.getTotalCount() == 0 ? 0 : h.getMaxValue() / 1000.0);
    }

    public ObjectNode toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("context", context);
        root.put("online_rps", onlineRps);
        phase(root.putObject("online_idle"), idle);
        phase(root.putObject("online_during_batch"), busy);
        ObjectNode ratios = root.putObject("ratios");
        ratios.put("p50_during_over_idle", p50Ratio());
        ratios.put("p99_during_over_idle", p99Ratio());
        ObjectNode b = root.putObject("batch");
        b.put("requests", batchRequests);
        b.put("calls_per_s_alone", round(batchAloneCps));
        b.put("calls_per_s_during_probe", round(batchDuringCps));
        b.put("left_when_probe_ended", batchLeft);
        b.put("yield_enabled", yieldOn);
        b.put("yields_during_probe", yields);
        b.put("yield_seconds_during_probe", round(yieldSeconds));
        b.put("yielding_when_probe_ended", yieldingAtEnd);
        return root;
    }

    private static void phase(ObjectNode o, ResultCollector.Phase p) {
        o.put("samples", p.results());
        o.put("failed", p.failed());
        for (int q : new int[] {50, 95, 99}) {
            o.put("p" + q + "_ms", round(ms(p.e2e(), q)));
        }
        o.put("max_ms", p.e2e().getTotalCount() == 0 ? 0 : round(p.e2e().getMaxValue() / 1000.0));
    }

    public void writeJson(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        JSON.writeValue(file.toFile(), toJson());
    }

    private static double ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1000.0;
    }

    private static double ratio(double a, double b) {
        return b <= 0 ? 0 : Math.round(a / b * 100) / 100.0;
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
