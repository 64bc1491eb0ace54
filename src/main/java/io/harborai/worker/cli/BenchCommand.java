package io.harborai.worker.cli;

import io.harborai.worker.bench.BenchOptions;
import io.harborai.worker.bench.BenchReport;
import io.harborai.worker.bench.BenchRunner;
import io.harborai.worker.bench.GatewayReport;
import io.harborai.worker.bench.PriorityOptions;
import io.harborai.worker.bench.PriorityReport;
import io.harborai.worker.bench.WorkerJvm;
import io.harborai.worker.config.HarborConfig;
import io.harborai.worker.simulator.SimulatorOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code harbor bench}: the real pipeline against the simulator, with the simulator's own limit
 * and a naive consumer loop measured in the same run (see {@link BenchRunner}). Progress goes to
 * stderr, the summary table to stdout, the figures to {@code --json FILE}.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Benchmark the worker end to end against the simulator (embedded by default).")
final class BenchCommand implements Callable<Integer>, LogsToFile {
    @Mixin
    ConfigOption config;

    @Mixin
    SimulatorMixin sim;

    @Option(
            names = "--requests",
            defaultValue = "20000",
            description = "Measured requests per level (default: ${DEFAULT-VALUE}).")
    int requests;

    @Option(
            names = "--warmup",
            description = "Least warm-up requests per level, excluded from the figures; the warm-up goes on in"
                    + " windows until the last 3 windows' results/s lie within 10%% of their mean; 0 turns it off"
                    + " (default: 10%% of --requests, at most 2000).")
    Integer warmup;

    @Option(
            names = "--warmup-window",
            paramLabel = "N",
            description = "Requests per warm-up window (default: a fifth of --requests, between 100 and 3000).")
    Integer warmupWindow;

    @Option(
            names = "--warmup-max-s",
            defaultValue = "180",
            paramLabel = "S",
            description = "Stop warming up after S seconds even when not steady; the report then says NOT steady"
                    + " (default: ${DEFAULT-VALUE}).")
    long warmupMaxS;

    @Option(
            names = "--rate",
            defaultValue = "0",
            paramLabel = "REQ/S",
            description =
                    "Open-loop offered load; 0 sends every request at once as one backlog (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(
            names = "--distinct-ratio",
            defaultValue = "1.0",
            description = "Fraction of distinct request bodies (default: ${DEFAULT-VALUE}).")
    double distinctRatio;

    @Option(
            names = "--provider-latency-ms",
            defaultValue = "0",
            paramLabel = "MS",
            description = "Simulator latency (default: ${DEFAULT-VALUE}); --sim-latency-ms wins when both are given.")
    long providerLatencyMs;

    @Option(
            names = "--max-in-flight",
            defaultValue = "256",
            paramLabel = "C",
            description =
                    "Provider calls at once: the workers' dispatch.concurrency-max (they hold up to 4 x C requests, "
                            + "dispatch.max-in-flight) and the limit probe's concurrency (default: ${DEFAULT-VALUE}).")
    int maxInFlight;

    @Option(
            names = "--sweep",
            split = ",",
            paramLabel = "C1,C2,...",
            description = "Run each max-in-flight level in turn, restarting the workers (overrides --max-in-flight).")
    List<Integer> sweep;

    @Option(
            names = "--instances",
            defaultValue = "1",
            paramLabel = "K",
            description = "Worker instances sharing one application id (default: ${DEFAULT-VALUE}).")
    int instances;

    @Option(
            names = "--guarantee",
            defaultValue = "exactly_once_v2",
            paramLabel = "exactly_once_v2|at_least_once",
            description = "worker.processing-guarantee (default: ${DEFAULT-VALUE}).")
    String guarantee;

    @Option(
            names = "--naive-sample",
            defaultValue = "3000",
            paramLabel = "N",
            description =
                    "Requests per round of the naive baseline (a round also ends after 2 s); rounds run until"
                            + " the last 3 agree within 10%% (at most 15), their median is naive_rps (default: ${DEFAULT-VALUE}).")
    int naiveSample;

    @Option(
            names = "--stall-timeout",
            defaultValue = "PT2M",
            description = "Give up a phase when no result arrives for this long, ISO-8601 (default: ${DEFAULT-VALUE}).")
    Duration stallTimeout;

    @Option(
            names = "--batch-requests",
            defaultValue = "0",
            paramLabel = "N",
            description =
                    "Online under batch instead of the throughput levels: probe online latency idle, then while N"
                            + " requests produced at once onto the batch topic drain, and compare (default: ${DEFAULT-VALUE}: off).")
    int batchRequests;

    @Option(
            names = "--online-rps",
            defaultValue = "20",
            paramLabel = "REQ/S",
            description = "With --batch-requests: open-loop rate of the online probe (default: ${DEFAULT-VALUE}).")
    double onlineRps;

    @Option(
            names = "--online-requests",
            defaultValue = "600",
            paramLabel = "N",
            description =
                    "With --batch-requests: online requests per probe, idle and during the batch (default: ${DEFAULT-VALUE}).")
    int onlineRequests;

    @Option(
            names = "--worker-jvm",
            defaultValue = "embedded",
            paramLabel = "embedded|separate",
            description = "Run the workers in the bench's JVM, or each in a JVM of its own (same java and class path,"
                    + " `harbor run` on a generated config; logs to the bench's log file) while broker, registry,"
                    + " Redis, simulator and load stay here; separate reports the workers' own CPU per result"
                    + " (default: ${DEFAULT-VALUE}).")
    String workerJvm;

    @Option(
            names = "--worker-heap",
            defaultValue = "512m",
            paramLabel = "SIZE",
            description = "With --worker-jvm separate: each worker JVM's -Xmx (default: ${DEFAULT-VALUE}).")
    String workerHeap;

    @Option(
            names = "--via-gateway",
            description = "Measure the pipeline fed from Kafka, then the same load through harbor gateway (HTTP chat"
                    + " completions; in a JVM of its own with --worker-jvm separate), at the first in-flight level:"
                    + " throughput of both, the gateway's own latency part and, in its own JVM, its CPU per request.")
    boolean viaGateway;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the figures as JSON.")
    Path json;

    @Option(
            names = "--simulator-url",
            paramLabel = "URL",
            description = "Use a simulator running in another process (e.g. `harbor simulator`) instead of one in this"
                    + " JVM; its own latency and fault options apply and the --sim-* options are ignored.")
    String simulatorUrl;

    @Override
    public Integer call() throws Exception {
        if (!guarantee.equals("exactly_once_v2") && !guarantee.equals("at_least_once")) {
            System.err.println("harbor bench: --guarantee must be exactly_once_v2 or at_least_once");
            return 2;
        }
        if (!workerJvm.equals("embedded") && !workerJvm.equals("separate")) {
            System.err.println("harbor bench: --worker-jvm must be embedded or separate");
            return 2;
        }
        WorkerJvm jvm = workerJvm.equals("separate")
                ? new WorkerJvm(
                        WorkerJvm.Mode.SEPARATE,
                        workerHeap,
                        config.resolve(),
                        List.of(HarborCli.class.getName(), "run", "--config"))
                : WorkerJvm.EMBEDDED;
        SimulatorOptions simOptions = sim.options(providerLatencyMs);
        if (sim.callLogKeys == null) {
            // The bench's heap figure should be the worker's; 1M keys would add ~20 MB of log.
            simOptions = simOptions.withCallLogKeys(0);
        }
        // The effective base latency (--sim-latency-ms wins), so C/L uses what the simulator does.
        BenchOptions options = new BenchOptions(
                requests,
                warmup != null ? warmup : BenchOptions.defaultWarmup(requests),
                warmupWindow != null ? warmupWindow : BenchOptions.defaultWarmupWindow(requests),
                Duration.ofSeconds(warmupMaxS),
                rate,
                distinctRatio,
                simOptions.latency().toMillis(),
                sweep != null && !sweep.isEmpty() ? sweep : List.of(maxInFlight),
                instances,
                guarantee,
                naiveSample,
                stallTimeout);
        HarborConfig loaded = config.load(Map.of(), Map.of());
        boolean embedded = !ConfigOption.clusterConfigured(loaded);
        if (embedded) {
            System.err.println("No Kafka cluster configured: benchmarking on the embedded stack (one JVM); "
                    + "answers come from the built-in simulator (simulated, not a real model).");
        } else {
            ConfigOption.checkCluster(loaded);
        }
        if (!BenchRunner.maxInFlightSupported()) {
            System.err.println("note: " + BenchRunner.MAX_IN_FLIGHT_KEY + " is not a key of this build; "
                    + "the worker dispatches synchronously and ignores --max-in-flight.");
        }
        BenchRunner runner = new BenchRunner(options, simOptions, config::load, embedded, simulatorUrl, jvm);
        if (viaGateway) {
            GatewayReport report = runner.runViaGateway();
            report.print(System.out);
            if (json != null) {
                report.writeJson(json);
                System.err.println("json: " + json.toAbsolutePath());
            }
            return report.complete() ? 0 : 3;
        }
        PriorityOptions priority = new PriorityOptions(batchRequests, onlineRps, onlineRequests);
        if (priority.enabled()) {
            PriorityReport report = runner.runPriority(priority);
            report.print(System.out);
            if (json != null) {
                report.writeJson(json);
                System.err.println("json: " + json.toAbsolutePath());
            }
            return report.complete(onlineRequests) ? 0 : 3;
        }
        BenchReport report = runner.run();
        report.print(System.out);
        if (json != null) {
            report.writeJson(json);
            System.err.println("json: " + json.toAbsolutePath());
        }
        return report.levels().stream().allMatch(l -> l.results() == l.requests()) ? 0 : 3;
    }
}
