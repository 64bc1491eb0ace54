package io.harborai.worker.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.harborai.worker.batch.BatchCatalog;
import io.harborai.worker.batch.BatchSettings;
import io.harborai.worker.batch.BatchState;
import io.harborai.worker.config.HarborConfig;
import io.harborai.worker.config.StageSettings;
import io.harborai.worker.schema.SchemaRegistryClient;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code harbor status ID [--json]}: where a batch stands, with OpenAI's status names ({@code
 * validating}, {@code in_progress}, {@code cancelling}, {@code completed}, ...) and request counts, read from the
 * compacted batch topics only, so it is cheap however large the batch (see {@link BatchState}).
 */
@Command(
        name = "status",
        mixinStandardHelpOptions = true,
        description = "Show a submitted batch's status and request counts.")
final class StatusCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Parameters(index = "0", paramLabel = "ID", description = "Batch id.")
    String batchId;

    @Option(names = "--json", description = "Print the OpenAI-like batch object instead of a line.")
    boolean asJson;

    @Override
    public Integer call() throws Exception {
        HarborConfig cfg = config.loadCluster("status", System.err::println);
        if (cfg == null) {
            return 2;
        }
        try (BatchCatalog catalog = open(cfg)) {
            Optional<BatchState> state = catalog.get(batchId, System.currentTimeMillis());
            if (state.isEmpty()) {
                System.err.println("no batch " + batchId);
                return 1;
            }
            System.out.println(
                    asJson
                            ? state.get().json(new ObjectMapper()).toString()
                            : state.get().line());
            return 0;
        }
    }

    /** The batches of the configured cluster (for status, batches and cancel). */
    static BatchCatalog open(HarborConfig cfg) {
        BatchSettings cluster = StageSettings.batch(cfg);
        return new BatchCatalog(cluster, SchemaRegistryClient.create(cluster.schemaRegistryUrl()));
    }
}
