package io.harborai.worker.cli;

import io.harborai.worker.HarborWorker;
import io.harborai.worker.config.HarborConfig;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
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
        CountDownLatch stopped = new CountDownLatch(1);
        HarborWorker worker = HarborWorker.start(cfg);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            worker.close();
            stopped.countDown();
        }, "harbor-shutdown"));
        System.err.println("harbor worker running (providers: " + worker.providerSummary() + "); Ctrl-C to stop");
        stopped.await();
        return 0;
    }
}
