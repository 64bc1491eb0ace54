package io.harborai.worker.cli;

import io.harborai.worker.batch.BatchCatalog;
import io.harborai.worker.batch.BatchState;
import io.harborai.worker.config.HarborConfig;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code harbor batches [--limit N]}: every batch of the cluster, newest first, one line each
 * (submitted with {@code harbor submit} or created through the gateway), as {@code harbor status}
 * prints one.
 */
@Command(name = "batches", mixinStandardHelpOptions = true, description = "List batches, newest first.")
final class BatchesCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = "--limit", defaultValue = "50", description = "At most this many (default ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
        HarborConfig cfg = config.loadCluster("batches", System.err::println);
        if (cfg == null) {
            return 2;
        }
        try (BatchCatalog catalog = StatusCommand.open(cfg)) {
            List<BatchState> all = catalog.list(System.currentTimeMillis());
            all.stream().limit(Math.max(0, limit)).forEach(s -> System.out.println(s.line()));
            if (all.size() > limit) {
                System.out.println("(" + (all.size() - limit) + " more; --limit " + all.size() + " shows all)");
            } else if (all.isEmpty()) {
                System.out.println("no batches");
            }
            return 0;
        }
    }
}
