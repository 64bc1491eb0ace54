package io.harborai.worker.cli;

import io.harborai.worker.HarborWorker;
import io.harborai.worker.config.HarborConfig;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code harbor run}: the worker against the configured Kafka, registry and Redis. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Run the worker against the configured Kafka, Schema Registry and Redis.")
final class RunCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Override
    public Integer call() throws Exception {
        HarborConfig cfg = config.load(Map.of(), Map.of());
        HarborWorker worker = HarborWorker.start(cfg);
        System.err.println("harbor worker running (providers: " + worker.providerSummary() + "); Ctrl-C to stop");
        UntilStopped.await("run", worker);
        return 0;
    }
}
