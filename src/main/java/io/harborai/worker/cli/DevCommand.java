package io.harborai.worker.cli;

import io.harborai.worker.embedded.EmbeddedStack;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code harbor dev}: in-process Kafka, Redis, registry and simulator, printed as shell lines so
 * {@code eval "$(harbor dev | grep ^HARBOR_)"}-style wiring works; runs until interrupted. {@code
 * --metrics-port} adds {@code HARBOR_METRICS_PORT}, which sets {@code metrics.port} of the worker
 * started with those lines. It always prints {@code HARBOR_METRICS_BIND_ADDRESS=127.0.0.1}: a
 * development worker's metrics are served on loopback only.
 */
@Command(
        name = "dev",
        mixinStandardHelpOptions = true,
        description =
                "Start in-process Kafka (KRaft), Redis, Schema Registry and the simulator; print their addresses.")
final class DevCommand implements Callable<Integer>, LogsToFile {
    @Mixin
    SimulatorMixin sim;

    @Option(
            names = "--metrics-port",
            paramLabel = "PORT",
            description = "Print HARBOR_METRICS_PORT=PORT, so `harbor run` with these lines serves /metrics, /health "
                    + "and /ready there (overrides metrics.port).")
    Integer metricsPort;

    @Override
    public Integer call() throws Exception {
        EmbeddedStack stack = EmbeddedStack.start(true, sim.options(0));
        System.out.print(stack.shellLines());
        // A development worker's metrics stay on this machine (metrics.bind-address).
        System.out.println("HARBOR_METRICS_BIND_ADDRESS=127.0.0.1");
        if (metricsPort != null) {
            System.out.println("HARBOR_METRICS_PORT=" + metricsPort);
        }
        System.out.flush();
        if (metricsPort != null && metricsPort > 0) {
            System.err.println("# the worker will serve metrics at http://localhost:" + metricsPort + "/metrics");
        }
        System.err.println("# HARBOR_SIMULATOR_URL: a worker without providers answers from the built-in simulator "
                + "(simulated, not a real model)");
        System.err.println("# harbor dev is up; export the lines above and run `bin/harbor run`. Ctrl-C to stop.");
        UntilStopped.await("dev", stack);
        return 0;
    }
}
