package io.harborai.worker.embedded;

import io.harborai.worker.simulator.SimulatorOptions;
import io.harborai.worker.simulator.SimulatorServer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The embedded default: in-process Kafka (KRaft), schema registry, and optionally Redis and the
 * simulator, started together and closed in reverse order. {@link #env()} gives the
 * {@code HARBOR_*} variables that point a worker or client at them.
 *
 * <p>Start and close from one thread.
 */
public final class EmbeddedStack implements AutoCloseable {
    private final List<AutoCloseable> started = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();

    private EmbeddedStack() {}

    /**
     * @param withRedis start a redis-server
     * @param simulator simulator options, or null for none (the worker then starts its own or
     *                  uses a configured provider)
     */
    public static EmbeddedStack start(boolean withRedis, SimulatorOptions simulator) {
        EmbeddedStack stack = new EmbeddedStack();
        try {
            EmbeddedKafka kafka = stack.add(EmbeddedKafka.start());
            stack.env.put("HARBOR_KAFKA_BOOTSTRAP", kafka.bootstrapServers());
            InProcessSchemaRegistry registry = stack.add(InProcessSchemaRegistry.start(0));
            stack.env.put("HARBOR_SCHEMA_REGISTRY_URL", registry.url());
            if (withRedis) {
                EmbeddedRedis redis = stack.add(EmbeddedRedis.start());
                stack.env.put("HARBOR_REDIS_URL", redis.url());
            }
            if (simulator != null) {
                SimulatorServer sim = stack.add(SimulatorServer.start(simulator));
                stack.env.put("HARBOR_SIMULATOR_URL", sim.baseUrl());
            }
            return stack;
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    private <T extends AutoCloseable> T add(T resource) {
        started.add(resource);
        return resource;
    }

    /** {@code HARBOR_*} variables naming the started services, in start order. */
    public Map<String, String> env() {
        return Map.copyOf(env);
    }

    /** The same variables as shell lines ({@code NAME=value}), one per line. */
    public String shellLines() {
        StringBuilder sb = new StringBuilder();
        env.forEach((k, v) -> sb.append(k).append('=').append(v).append(System.lineSeparator()));
        return sb.toString();
    }

    @Override
    public void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                // best effort: the rest must still close
                System.err.println(
                        "warning: failed to stop " + started.get(i).getClass().getSimpleName() + ": " + e);
            }
        }
        started.clear();
    }
}
