package io.harborai.worker.cli;

import io.harborai.worker.batch.BatchSubmitter;
import io.harborai.worker.config.HarborConfig;
import io.harborai.worker.config.StageSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code harbor submit FILE [--batch-id ID]}: hands an OpenAI Batch file to a running cluster and
 * returns, so a batch of millions of lines does not depend on one client staying up until its
 * results are in. Re-running it with the same batch id resumes an interrupted submit, or does
 * nothing if the batch is already submitted (see {@link BatchSubmitter}).
 *
 * <p>Needs a configured cluster: submitting to an embedded broker that dies with the command
 * would lose the batch.
 */
@Command(
        name = "submit",
        mixinStandardHelpOptions = true,
        description = "Submit an OpenAI Batch JSONL file to the cluster (resumable, exactly once per line).")
final class SubmitCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Parameters(index = "0", paramLabel = "FILE.jsonl", description = "OpenAI Batch input file.")
    Path input;

    @Option(names = "--batch-id", description = "Batch id (default: a new random id). Reuse it to resume.")
    String batchId;

    @Override
    public Integer call() throws Exception {
        if (!Files.isReadable(input)) {
            System.err.println("harbor submit: cannot read " + input);
            return 2;
        }
        HarborConfig cfg = config.loadCluster("submit", System.err::println);
        if (cfg == null) {
            return 2;
        }
        String id = batchId != null
                ? batchId
                : "batch_" + UUID.randomUUID().toString().replace("-", "");
        submit(cfg, input, id);
        return 0;
    }

    /** Submits {@code input} as batch {@code id} to the configured cluster; prints a summary on stdout. */
    static BatchSubmitter.Summary submit(HarborConfig cfg, Path input, String id) throws java.io.IOException {
        BatchSubmitter.Summary s =
                BatchSubmitter.create(StageSettings.batch(cfg), System.err).submit(input, id);
        if (s.outcome() == BatchSubmitter.Outcome.ALREADY_SUBMITTED) {
            System.out.printf("batch %s already submitted (%d lines)%n", id, s.lines());
            return s;
        }
        System.out.printf(
                Locale.ROOT,
                "batch %s: %d lines, %d submitted, %d invalid%s in %.1f s%n",
                id,
                s.lines(),
                s.submitted(),
                s.invalid(),
                s.resumedAfter() > 0 ? " (resumed after line " + s.resumedAfter() + ")" : "",
                s.elapsed().toMillis() / 1000.0);
        return s;
    }
}
