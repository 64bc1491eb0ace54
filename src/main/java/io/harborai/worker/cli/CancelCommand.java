package io.harborai.worker.cli;

import io.harborai.worker.batch.BatchCatalog;
import io.harborai.worker.batch.BatchState;
import io.harborai.worker.config.HarborConfig;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code harbor cancel ID}: asks the workers to cancel a batch. Lines not yet dispatched are
 * answered FAILED {@code BATCH_CANCELLED}; lines already answered stay. The batch is {@code
 * cancelling} until every line has its result, then {@code cancelled}. The same as the gateway's
 * {@code POST /v1/batches/{id}/cancel}.
 */
@Command(
        name = "cancel",
        mixinStandardHelpOptions = true,
        description = "Cancel a batch: its lines not yet dispatched end as cancelled results.")
final class CancelCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Parameters(index = "0", paramLabel = "ID", description = "Batch id.")
    String batchId;

    @Override
    public Integer call() {
        HarborConfig cfg = config.loadCluster("cancel", System.err::println);
        if (cfg == null) {
            return 2;
        }
        try (BatchCatalog catalog = StatusCommand.open(cfg)) {
            long now = System.currentTimeMillis();
            Optional<BatchState> state = catalog.get(batchId, now);
            if (state.isEmpty()) {
                System.err.println("no batch " + batchId);
                return 1;
            }
            BatchState s = catalog.cancel(state.get(), now);
            if (s.terminal()) {
                System.err.println("batch " + batchId + " has already ended (" + s.status() + "): nothing to cancel");
            }
            System.out.println(s.line());
            return 0;
        }
    }
}
