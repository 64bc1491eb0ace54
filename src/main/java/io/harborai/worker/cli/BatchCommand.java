package io.harborai.worker.cli;

import static io.harborai.worker.config.HarborConfigDef.*;

import io.harborai.worker.HarborWorker;
import io.harborai.worker.config.HarborConfig;
import io.harborai.worker.embedded.EmbeddedStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code harbor batch IN -o OUT}: {@code harbor submit} then {@code harbor collect}. With a cluster
 * configured it is a pure client of running workers (and, like its parts, safe to run again after
 * an interruption with the same {@code --batch-id}); without one it starts the embedded default and
 * a worker in-process.
 */
@Command(
        name = "batch",
        mixinStandardHelpOptions = true,
        description = {
            "Run an OpenAI Batch JSONL file through the worker and write the JSONL output: submit + collect.",
            "Exit codes: 0 complete, 1 error, 2 usage, 3 timed out (run it again with the same --batch-id to resume)."
        })
final class BatchCommand implements Callable<Integer>, LogsToFile {
    @Mixin
    ConfigOption config;

    @Parameters(index = "0", paramLabel = "INPUT.jsonl", description = "OpenAI Batch input file.")
    Path input;

    @Mixin
    OutputFiles files;

    @Option(names = "--batch-id", description = "Batch id (default: a new random id).")
    String batchId;

    @Mixin
    SimulatorMixin sim;

    @Option(
            names = "--timeout",
            defaultValue = "PT30M",
            description = "How long to wait for results, ISO-8601 (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    @SuppressWarnings("try") // the embedded worker answers the job while the block runs
    public Integer call() throws Exception {
        if (!Files.isReadable(input)) {
            System.err.println("harbor batch: cannot read " + input);
            return 2;
        }
        if (files.sameFile()) {
            return 2;
        }
        String id = batchId != null
                ? batchId
                : "batch_" + UUID.randomUUID().toString().replace("-", "");
        HarborConfig loaded = config.load(Map.of(), Map.of());
        if (ConfigOption.clusterConfigured(loaded)) {
            ConfigOption.checkCluster(loaded);
            return runJob(loaded, id);
        }
        System.err.println(
                "No Kafka cluster configured: starting the embedded default (Kafka, registry, simulator, worker).");
        // The stack's simulator carries the --sim-* knobs; the worker uses it (HARBOR_SIMULATOR_URL)
        // only when no provider is configured.
        long configLatency = loaded.intValue(SIMULATOR_LATENCY_MS);
        try (EmbeddedStack stack = EmbeddedStack.start(false, sim.options(configLatency))) {
            // One in-process worker: L1 and single-flight dedupe the job; there is no Redis to share with.
            HarborConfig cfg = config.load(stack.env(), Map.of(CACHE_L2_ENABLED, false));
            try (HarborWorker worker = HarborWorker.start(cfg)) {
                if (cfg.providers().isEmpty()) {
                    System.err.println("harbor batch: no provider configured; answers come from the built-in simulator "
                            + "(simulated, not a real model)");
                }
                return runJob(cfg, id);
            }
        }
    }

    private int runJob(HarborConfig cfg, String id) throws Exception {
        SubmitCommand.submit(cfg, input, id);
        return CollectCommand.collect(cfg, id, files.output, files.errors, timeout);
    }
}
