package io.harborai.worker.bench;

import io.harborai.worker.HarborWorker;
import io.harborai.worker.config.HarborConfig;
import io.harborai.worker.config.HarborConfigDef;
import io.harborai.worker.simulator.SimulatorOptions;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs {@code harbor bench}: the real pipeline (K {@link HarborWorker}s sharing one application id,
 * in this JVM or each in its own ({@link WorkerJvm}), on the embedded stack or a configured cluster) against the simulator, then the
 * limit probe and the naive baseline in the same run, and returns a {@link BenchReport}.
 *
 * <p>The phases live in their own classes: {@link BenchStack} starts the simulator and the stack
 * and names the run's topics, {@link LevelBench} runs the levels (warm-up, measure, limit probe)
 * and the naive baseline, {@link PriorityBench} the online-under-batch measurement, and
 * {@link BenchDescription} words the report's context, configuration and notes.
 *
 * <p>Threading: the calling thread runs the phases and collects results; one generator thread per
 * phase produces requests; the workers run their own Kafka Streams and OkHttp threads.
 */
public final class BenchRunner {
    /** The worker's concurrency key; another change adds it, so it is checked before use. */
    public static final String MAX_IN_FLIGHT_KEY = "dispatch.max-in-flight";

    /** Loads the worker configuration with extra environment variables and overrides. */
    @FunctionalInterface
    public interface ConfigSource {
        HarborConfig load(Map<String, String> env, Map<String, Object> overrides);
    }

    private final BenchOptions options;
    private final ConfigSource configs;
    private final BenchStack stack;
    private final BenchPhases phases;
    private final BenchDescription description;
    private final WorkerJvm jvm;

    /**
     * @param embedded start the embedded stack; otherwise {@code configs} must name a cluster
     */
    public BenchRunner(
            BenchOptions options, SimulatorOptions simulatorOptions, ConfigSource configs, boolean embedded) {
        this(options, simulatorOptions, configs, embedded, null);
    }

    /**
     * @param externalSimulatorUrl base URL of a simulator running in another process (for example
     *     {@code harbor simulator}), or null to start one in this JVM with {@code simulatorOptions};
     *     an external one keeps its own latency and faults
     */
    public BenchRunner(
            BenchOptions options,
            SimulatorOptions simulatorOptions,
            ConfigSource configs,
            boolean embedded,
            String externalSimulatorUrl) {
        this(options, simulatorOptions, configs, embedded, externalSimulatorUrl, WorkerJvm.EMBEDDED);
    }

    /** @param jvm where the workers run: in this JVM or each in one of its own */
    public BenchRunner(
            BenchOptions options,
            SimulatorOptions simulatorOptions,
            ConfigSource configs,
            boolean embedded,
            String externalSimulatorUrl,
            WorkerJvm jvm) {
        String external = externalSimulatorUrl == null ? null : externalSimulatorUrl.replaceAll("/+$", "");
        this.options = options;
        this.configs = configs;
        this.jvm = jvm;
        this.stack = new BenchStack(options, simulatorOptions, configs, embedded, external);
        this.phases = new BenchPhases(options);
        this.description = new BenchDescription(options, simulatorOptions, embedded, external, jvm);
    }

    /** Requests a worker may hold per provider call slot: the ratio of the two keys' defaults. */
    static final int HELD_PER_SLOT =
            defaultInt(MAX_IN_FLIGHT_KEY) / defaultInt(HarborConfigDef.DISPATCH_CONCURRENCY_MAX);

    /**
     * What an in-flight level C means for the workers: C provider calls at once ({@code
     * dispatch.concurrency-max}, and the min clamped to it), as the limit probe and a bare processor
     * hold C calls; and up to {@value #HELD_PER_SLOT} × C requests held ({@value
     * #MAX_IN_FLIGHT_KEY}), so a finished call's slot is refilled from its lane's queue while the
     * stream thread commits or polls.
     */
    static Map<String, Object> levelOverrides(int level) {
        Map<String, Object> o = new LinkedHashMap<>();
        if (maxInFlightSupported()) {
            o.put(HarborConfigDef.DISPATCH_CONCURRENCY_MAX, level);
            o.put(
                    HarborConfigDef.DISPATCH_CONCURRENCY_MIN,
                    Math.min(defaultInt(HarborConfigDef.DISPATCH_CONCURRENCY_MIN), level));
            o.put(MAX_IN_FLIGHT_KEY, HELD_PER_SLOT * level);
        }
        return o;
    }

    private static int defaultInt(String key) {
        return (Integer) HarborConfigDef.DEF.defaultValues().get(key);
    }

    /** True when this build's worker understands {@value #MAX_IN_FLIGHT_KEY}. */
    public static boolean maxInFlightSupported() {
        return HarborConfigDef.DEF.configKeys().containsKey(MAX_IN_FLIGHT_KEY);
    }

    /** Runs every level, the limit probes and the naive baseline. */
    public BenchReport run() throws Exception {
        return stack.run(new LevelBench(options, configs, phases, description, jvm)::run);
    }

    /**
     * Runs the pipeline fed from Kafka, then the same load through {@code harbor gateway} ({@link
     * GatewayBench}), at the first in-flight level.
     */
    public GatewayReport runViaGateway() throws Exception {
        return stack.run(new GatewayBench(options, configs, phases, jvm)::run);
    }

    /**
     * Runs the online-under-batch measurement instead ({@link PriorityBench}): online latency idle,
     * then during a saturating batch, at the first in-flight level.
     */
    public PriorityReport runPriority(PriorityOptions priority) throws Exception {
        if (jvm.separate()) {
            throw new IllegalArgumentException(
                    "--batch-requests runs its workers in the bench's JVM: drop " + "--worker-jvm separate");
        }
        return stack.run(new PriorityBench(options, priority, configs, phases, description)::run);
    }
}
