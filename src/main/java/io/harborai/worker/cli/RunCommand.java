package io.harborai.worker.cli;

import io.harborai.worker.HarborWorker;
import io.harborai.worker.config.HarborConfig;
import io.harborai.worker.config.HarborConfigDef;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code harbor run}: the worker against the configured Kafka, registry and Redis. */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = "Run the worker against the configured Kafka, Schema Registry and Redis.")
final class RunCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(
            names = "--metrics-port",
            paramLabel = "PORT",
            description = "Serve /metrics (Prometheus), /health and /ready on this port (overrides metrics.port; "
                    + "0 = none).")
    Integer metricsPort;

    @Option(
            names = "--simulator",
            description = "With no provider configured, answer every model from the built-in in-process simulator "
                    + "(simulated answers, for demos and tests; sets simulator.enabled). Without it, or HARBOR_SIMULATOR_URL, "
                    + "a configuration with no provider refuses to start.")
    boolean simulator;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> overrides = new HashMap<>();
        if (metricsPort != null) {
            overrides.put(HarborConfigDef.METRICS_PORT, metricsPort);
        }
        if (simulator) {
            overrides.put(HarborConfigDef.SIMULATOR_ENABLED, true);
        }
        HarborConfig cfg = config.load(Map.of(), overrides);
        HarborWorker worker = HarborWorker.start(cfg);
        if (cfg.providers().isEmpty()) {
            System.err.println("harbor run: no provider configured; every model is answered by the simulator ("
                    + (cfg.string(HarborConfigDef.SIMULATOR_URL) == null
                            ? "in-process"
                            : cfg.string(HarborConfigDef.SIMULATOR_URL))
                    + "): simulated answers, not a real model");
        }
        System.err.println("harbor worker running (providers: " + worker.providerSummary() + "); Ctrl-C to stop");
        if (worker.metricsPort() > 0) {
            System.err.println("metrics: http://localhost:" + worker.metricsPort() + "/metrics (also /health, /ready)");
        }
        UntilStopped.await("run", worker);
        return 0;
    }
}
