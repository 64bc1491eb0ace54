package io.harborai.worker.bench;

import static io.harborai.worker.config.HarborConfigDef.*;

import io.harborai.worker.config.WorkerSettings;
import io.harborai.worker.embedded.EmbeddedStack;
import io.harborai.worker.simulator.SimulatorOptions;
import io.harborai.worker.simulator.SimulatorServer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The set-up every bench run shares: a simulator (in this JVM, or one running elsewhere), the
 * embedded stack when asked for, and the run's own topics and application id, so a run never
 * reads or disturbs other traffic. Everything it starts is closed when the body returns.
 *
 * <p>Threading: used by the calling thread only.
 */
final class BenchStack {
    /**
     * What runs once the simulator, the stack and the run's configuration are up; {@code run} holds
     * the settings every level shares (topics, cluster, stream threads).
     */
    @FunctionalInterface
    interface Body<T> {
        T run(String run, String sim, WorkerSettings settings, Map<String, String> env, Map<String, Object> base)
                throws Exception;
    }

    private final BenchOptions options;
    private final SimulatorOptions simulatorOptions;
    private final BenchRunner.ConfigSource configs;
    private final boolean embedded;
    private final String externalSimulatorUrl;

    BenchStack(
            BenchOptions options,
            SimulatorOptions simulatorOptions,
            BenchRunner.ConfigSource configs,
            boolean embedded,
            String externalSimulatorUrl) {
        this.options = options;
        this.simulatorOptions = simulatorOptions;
        this.configs = configs;
        this.embedded = embedded;
        this.externalSimulatorUrl = externalSimulatorUrl;
    }

    <T> T run(Body<T> body) throws Exception {
        String run = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        try (SimulatorServer local = externalSimulatorUrl == null ? SimulatorServer.start(simulatorOptions) : null;
                EmbeddedStack stack = embedded ? EmbeddedStack.start(true, null) : null) {
            String sim = local != null ? local.baseUrl() : externalSimulatorUrl;
            Map<String, String> env = stack == null ? Map.of() : stack.env();
            Map<String, Object> base = new LinkedHashMap<>();
            base.put(TOPIC_REQUESTS, run + ".requests");
            base.put(TOPIC_REQUESTS_BATCH, run + ".requests.batch");
            base.put(TOPIC_RESULTS, run + ".results");
            base.put(TOPIC_DLQ, run + ".dlq");
            base.put(TOPIC_METRICS, run + ".metrics");
            base.put(APPLICATION_ID, run);
            base.put(PROCESSING_GUARANTEE, options.guarantee());
            base.put(SIMULATOR_URL, sim);
            WorkerSettings settings = WorkerSettings.from(configs.load(env, base));
            if (!settings.providers().configured().isEmpty()) {
                throw new IllegalArgumentException("the configuration names providers; harbor bench measures "
                        + "against the simulator: use a configuration without providers");
            }
            return body.run(run, sim, settings, env, base);
        }
    }
}
