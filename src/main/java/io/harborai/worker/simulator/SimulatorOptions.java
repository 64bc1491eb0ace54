package io.harborai.worker.simulator;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Settings for {@link SimulatorServer}.
 *
 * @param host address to bind; loopback by default so a dev machine exposes nothing
 * @param port TCP port, {@code 0} for an ephemeral one
 * @param latencyModel the delay before a chat-completion answer (not applied to 400s and 429s,
 *     which real providers send before doing any work)
 * @param faults how often calls fail, and how
 * @param seed seeds the latency and fault draws: the n-th call to arrive always gets the same
 *     draws, so a sequential run is repeatable and a concurrent one is statistically so
 * @param callLogKeys how many Idempotency-Keys the per-key call log of {@code /calls} keeps
 *     (oldest dropped first); {@code 0} turns the log off
 * @param dialect whose chat.completion, usage and error shapes the answers imitate
 * @param strictParams whether reasoning models answer 400 to parameters their real endpoints
 *     reject (see {@link SimulatorReasoning})
 * @param invalidJsonRate probability, drawn per call like the faults, that a call asking for JSON
 *     gets invalid content (prose, a schema violation or truncated JSON, in rotation)
 * @param poisonRate share of requests, chosen by their contents (see {@link SimulatorPoison}),
 *     that always get a 500, whatever the seed; {@code 0} = none
 * @param outage an outage played once, timed from the start, or null for none
 */
public record SimulatorOptions(
        String host,
        int port,
        LatencyModel latencyModel,
        FaultRates faults,
        long seed,
        int callLogKeys,
        SimulatorDialect dialect,
        boolean strictParams,
        double invalidJsonRate,
        double poisonRate,
        SimulatorOutage outage) {

    /** Default bound of the per-key call log: about 20 MB of heap when full. */
    public static final int DEFAULT_CALL_LOG_KEYS = 100_000;

    /** Default seed, so two runs with default options draw the same outcomes. */
    public static final long DEFAULT_SEED = 42L;

    public SimulatorOptions {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(latencyModel, "latencyModel");
        Objects.requireNonNull(faults, "faults");
        Objects.requireNonNull(dialect, "dialect");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("simulator port must be in [0, 65535], got " + port);
        }
        if (callLogKeys < 0) {
            throw new IllegalArgumentException("simulator call log size must be >= 0, got " + callLogKeys);
        }
        if (!(invalidJsonRate >= 0 && invalidJsonRate <= 1)) {
            throw new IllegalArgumentException("simulator invalid-json rate must be in [0, 1], got " + invalidJsonRate);
        }
        SimulatorPoison.checkRate(poisonRate);
    }

    /** No poison, no outage: the options before those knobs. */
    public SimulatorOptions(
            String host,
            int port,
            LatencyModel latencyModel,
            FaultRates faults,
            long seed,
            int callLogKeys,
            SimulatorDialect dialect,
            boolean strictParams,
            double invalidJsonRate) {
        this(host, port, latencyModel, faults, seed, callLogKeys, dialect, strictParams, invalidJsonRate, 0.0, null);
    }

    /** The OpenAI dialect, strict parameters, no invalid JSON: the options before dialects. */
    public SimulatorOptions(
            String host, int port, LatencyModel latencyModel, FaultRates faults, long seed, int callLogKeys) {
        this(host, port, latencyModel, faults, seed, callLogKeys, SimulatorDialect.OPENAI, true, 0.0);
    }

    /** A fixed latency and no faults: the simulator as it was before the fault knobs. */
    public SimulatorOptions(String host, int port, Duration latency) {
        this(host, port, LatencyModel.fixed(latency), FaultRates.none(), DEFAULT_SEED, DEFAULT_CALL_LOG_KEYS);
    }

    /** 127.0.0.1, an ephemeral port, no latency, no faults. */
    public static SimulatorOptions defaults() {
        return new SimulatorOptions("127.0.0.1", 0, Duration.ZERO);
    }

    /** The base latency: the fixed value, the uniform minimum or the log-normal median. */
    public Duration latency() {
        return latencyModel.base();
    }

    /**
     * The poison rate and outage for one-line summaries, e.g. {@code , poison rate 0.06, outage 503
     * for 30s from 60s}, each only when set; empty when neither is.
     */
    public String describePoisonAndOutage() {
        return (poisonRate > 0 ? ", poison rate " + poisonRate : "")
                + (outage != null ? ", outage " + outage.describe() : "");
    }

    /** These options with a fixed latency. */
    public SimulatorOptions withLatency(Duration newLatency) {
        return withLatencyModel(LatencyModel.fixed(newLatency));
    }

    /** These options with another latency model. */
    public SimulatorOptions withLatencyModel(LatencyModel model) {
        return with(b -> b.latencyModel = model);
    }

    /** These options with other fault rates. */
    public SimulatorOptions withFaults(FaultRates newFaults) {
        return with(b -> b.faults = newFaults);
    }

    /** These options with another seed. */
    public SimulatorOptions withSeed(long newSeed) {
        return with(b -> b.seed = newSeed);
    }

    /** These options with another call-log bound. */
    public SimulatorOptions withCallLogKeys(int keys) {
        return with(b -> b.callLogKeys = keys);
    }

    /** These options bound to another address. */
    public SimulatorOptions withAddress(String newHost, int newPort) {
        return with(b -> {
            b.host = newHost;
            b.port = newPort;
        });
    }

    /** These options imitating another provider. */
    public SimulatorOptions withDialect(SimulatorDialect newDialect) {
        return with(b -> b.dialect = newDialect);
    }

    /** These options with reasoning-model parameter checks on or off. */
    public SimulatorOptions withStrictParams(boolean strict) {
        return with(b -> b.strictParams = strict);
    }

    /** These options with another probability of invalid JSON answers. */
    public SimulatorOptions withInvalidJsonRate(double rate) {
        return with(b -> b.invalidJsonRate = rate);
    }

    /** These options with another poison rate (see {@link SimulatorPoison}). */
    public SimulatorOptions withPoisonRate(double rate) {
        return with(b -> b.poisonRate = rate);
    }

    /** These options with an outage timed from the start (null = none). */
    public SimulatorOptions withOutage(SimulatorOutage newOutage) {
        return with(b -> b.outage = newOutage);
    }

    /** These options with some fields replaced by {@code change}. */
    private SimulatorOptions with(Consumer<Copy> change) {
        Copy b = new Copy(this);
        change.accept(b);
        return new SimulatorOptions(
                b.host,
                b.port,
                b.latencyModel,
                b.faults,
                b.seed,
                b.callLogKeys,
                b.dialect,
                b.strictParams,
                b.invalidJsonRate,
                b.poisonRate,
                b.outage);
    }

    /** A mutable copy of every field, for the {@code with*} methods. */
    private static final class Copy {
        String host;
        int port;
        LatencyModel latencyModel;
        FaultRates faults;
        long seed;
        int callLogKeys;
        SimulatorDialect dialect;
        boolean strictParams;
        double invalidJsonRate;
        double poisonRate;
        SimulatorOutage outage;

        Copy(SimulatorOptions o) {
            host = o.host;
            port = o.port;
            latencyModel = o.latencyModel;
            faults = o.faults;
            seed = o.seed;
            callLogKeys = o.callLogKeys;
            dialect = o.dialect;
            strictParams = o.strictParams;
            invalidJsonRate = o.invalidJsonRate;
            poisonRate = o.poisonRate;
            outage = o.outage;
        }
    }
}
