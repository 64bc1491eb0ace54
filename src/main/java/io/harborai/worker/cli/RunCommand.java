package io.harborai.worker.cli;

import io.harborai.worker.HarborWorker;
import io.harborai.worker.config.HarborConfig;
import io.harborai.worker.config.HarborConfigDef;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code harbor run}: the worker against the configured Kafka, registry and Redis. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Run the worker against the configured Kafka, Schema Registry and Redis.")
final class RunCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = "--metrics-port", paramLabel = "PORT",
        description = "Serve /metrics (Prometheus), /health and /ready on this port (overrides metrics.port; "
            + "0 = none).")
    Integer metricsPort;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> overrides = metricsPort == null ? Map.of() : Map.of(HarborConfigDef.METRICS_PORT, metricsPort);
        HarborConfig cfg = config.load(Map.of(), overrides);
        HarborWorker worker = HarborWorker.start(cfg);
        System.err.println("harbor worker running (providers: " + worker.providerSummary() + "); Ctrl-C to stop");
        if (worker.metricsPort() > 0) {
            System.err.println("metrics: http://localhost:" + worker.metricsPort() + "/metrics (also /health, /ready)");
        }
        UntilStopped.await("run", worker);
        return 0;
    }
}
