package io.harborai.worker.cli;

import io.harborai.worker.simulator.FaultRates;
import io.harborai.worker.simulator.LatencyModel;
import io.harborai.worker.simulator.SimulatorDialect;
import io.harborai.worker.simulator.SimulatorOptions;
import io.harborai.worker.simulator.SimulatorOutage;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The {@code --sim-*} knobs of the built-in simulator (latency distribution, fault rates, seed,
 * provider dialect, reasoning-parameter strictness, invalid-JSON rate, poison rate, outage),
 * shared by {@code harbor simulator}, {@code dev}, {@code batch} and {@code bench}. Values are
 * checked when {@link #options} builds the {@link SimulatorOptions}, so a bad one fails with the
 * simulator's own message before anything starts.
 */
final class SimulatorMixin {
    @Option(
            names = "--sim-latency-ms",
            paramLabel = "MS",
            description = "Simulator latency: the fixed value, the uniform minimum or the log-normal median "
                    + "(default: the command's own default, usually 0).")
    Long latencyMs;

    @Option(
            names = "--sim-latency-dist",
            defaultValue = "fixed",
            paramLabel = "fixed|uniform|lognormal",
            converter = LatencyKindConverter.class,
            description = "Simulator latency distribution (default: ${DEFAULT-VALUE}).")
    LatencyModel.Kind latencyDist;

    @Option(
            names = "--sim-latency-max-ms",
            defaultValue = "0",
            paramLabel = "MS",
            description = "Uniform maximum; log-normal cap (0 = uncapped). Default: ${DEFAULT-VALUE}.")
    long latencyMaxMs;

    @Option(
            names = "--sim-latency-sigma",
            defaultValue = "0.5",
            paramLabel = "SIGMA",
            description = "Log-normal shape (default: ${DEFAULT-VALUE}).")
    double latencySigma;

    @Option(
            names = "--sim-429-rate",
            defaultValue = "0",
            paramLabel = "P",
            description = "Fraction of calls answered 429 with Retry-After (default: ${DEFAULT-VALUE}).")
    double rate429;

    @Option(
            names = "--sim-retry-after-s",
            defaultValue = "1",
            paramLabel = "S",
            description = "Retry-After seconds sent with a 429 (default: ${DEFAULT-VALUE}).")
    int retryAfterSeconds;

    @Option(
            names = "--sim-500-rate",
            defaultValue = "0",
            paramLabel = "P",
            description = "Fraction of calls answered 500 (default: ${DEFAULT-VALUE}).")
    double rate500;

    @Option(
            names = "--sim-timeout-rate",
            defaultValue = "0",
            paramLabel = "P",
            description = "Fraction of calls never answered (held open, then closed) (default: ${DEFAULT-VALUE}).")
    double timeoutRate;

    @Option(
            names = "--sim-timeout-hold-s",
            defaultValue = "600",
            paramLabel = "S",
            description = "How long an unanswered call is held open (default: ${DEFAULT-VALUE}).")
    long timeoutHoldSeconds;

    @Option(
            names = "--sim-malformed-rate",
            defaultValue = "0",
            paramLabel = "P",
            description = "Fraction of calls answered 200 with truncated JSON (default: ${DEFAULT-VALUE}).")
    double malformedRate;

    @Option(
            names = "--sim-seed",
            defaultValue = "42",
            paramLabel = "SEED",
            description = "Seed of the latency and fault draws (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--sim-call-log-keys",
            paramLabel = "N",
            description =
                    "Idempotency-Keys kept by the simulator's /calls log, oldest dropped first; 0 = off (default: 100000; bench: 0).")
    Integer callLogKeys;

    @Option(
            names = "--sim-dialect",
            defaultValue = "openai",
            paramLabel = "openai|deepseek|doubao|wenxin",
            converter = DialectConverter.class,
            description =
                    "Provider whose answer, usage and error shapes the simulator imitates (default: ${DEFAULT-VALUE}).")
    SimulatorDialect dialect;

    @Option(
            names = "--sim-strict-params",
            defaultValue = "true",
            arity = "0..1",
            paramLabel = "true|false",
            description = "Answer 400 when a reasoning model gets a parameter its real endpoint rejects "
                    + "(logprobs; temperature, max_tokens, ... for o1/o3/o4) (default: ${DEFAULT-VALUE}).")
    boolean strictParams;

    @Option(
            names = "--sim-invalid-json-rate",
            defaultValue = "0",
            paramLabel = "P",
            description = "Fraction of calls asking for JSON answered with invalid content: prose, a schema "
                    + "violation or truncated JSON, in turn (default: ${DEFAULT-VALUE}).")
    double invalidJsonRate;

    @Option(
            names = "--sim-poison-rate",
            defaultValue = "0",
            paramLabel = "P",
            description = "Fraction of requests, chosen by a hash of their message contents, always answered "
                    + "500: the same ones in every run, whatever the seed (default: ${DEFAULT-VALUE}).")
    double poisonRate;

    @Option(
            names = "--sim-outage-at-s",
            paramLabel = "T",
            description = "Start the outage T seconds after the simulator starts (default: 0); needs --sim-outage-s.")
    Long outageAtSeconds;

    @Option(
            names = "--sim-outage-s",
            paramLabel = "S",
            description = "Play one provider outage lasting S seconds, then recover (default: none).")
    Long outageSeconds;

    @Option(
            names = "--sim-outage-mode",
            paramLabel = "503|refuse",
            converter = OutageModeConverter.class,
            description = "During the outage answer 503, or refuse connections (default: 503); needs --sim-outage-s.")
    SimulatorOutage.Mode outageMode;

    /**
     * The simulator options these flags describe, bound to {@code host:port}.
     *
     * @param defaultLatencyMs the base latency when {@code --sim-latency-ms} is not given (a
     *     command's own flag such as {@code --latency-ms}, or {@code simulator.latency-ms})
     * @throws IllegalArgumentException naming the bad value
     */
    SimulatorOptions options(String host, int port, long defaultLatencyMs) {
        Duration base = Duration.ofMillis(latencyMs != null ? latencyMs : defaultLatencyMs);
        Duration max = Duration.ofMillis(latencyMaxMs);
        LatencyModel latency = switch (latencyDist) {
            case UNIFORM -> LatencyModel.uniform(base, max);
            case LOGNORMAL -> LatencyModel.logNormal(base, latencySigma, max);
            default -> LatencyModel.fixed(base);
        };
        FaultRates faults = new FaultRates(
                rate429,
                retryAfterSeconds,
                rate500,
                timeoutRate,
                malformedRate,
                Duration.ofSeconds(timeoutHoldSeconds));
        return new SimulatorOptions(
                host,
                port,
                latency,
                faults,
                seed,
                callLogKeys != null ? callLogKeys : SimulatorOptions.DEFAULT_CALL_LOG_KEYS,
                dialect,
                strictParams,
                invalidJsonRate,
                poisonRate,
                outage());
    }

    /** The outage the flags describe, or null; the timing flags alone are a mistake, not ignored. */
    private SimulatorOutage outage() {
        if (outageSeconds == null) {
            if (outageAtSeconds != null || outageMode != null) {
                throw new IllegalArgumentException("--sim-outage-at-s and --sim-outage-mode need --sim-outage-s");
            }
            return null;
        }
        if (outageSeconds <= 0) {
            throw new IllegalArgumentException("--sim-outage-s must be > 0, got " + outageSeconds);
        }
        long at = outageAtSeconds == null ? 0 : outageAtSeconds;
        if (at < 0) {
            throw new IllegalArgumentException("--sim-outage-at-s must be >= 0, got " + at);
        }
        return new SimulatorOutage(
                Duration.ofSeconds(at),
                Duration.ofSeconds(outageSeconds),
                outageMode == null ? SimulatorOutage.Mode.HTTP_503 : outageMode);
    }

    /** Loopback, an ephemeral port: the in-process simulator of dev, batch and bench. */
    SimulatorOptions options(long defaultLatencyMs) {
        return options("127.0.0.1", 0, defaultLatencyMs);
    }

    /** Accepts openai|deepseek|doubao|wenxin in any case. */
    static final class DialectConverter implements picocli.CommandLine.ITypeConverter<SimulatorDialect> {
        @Override
        public SimulatorDialect convert(String value) {
            return SimulatorDialect.parse(value);
        }
    }

    /** Accepts 503|refuse in any case. */
    static final class OutageModeConverter implements picocli.CommandLine.ITypeConverter<SimulatorOutage.Mode> {
        @Override
        public SimulatorOutage.Mode convert(String value) {
            return SimulatorOutage.Mode.parse(value);
        }
    }

    /** Accepts fixed|uniform|lognormal in any case. */
    static final class LatencyKindConverter implements picocli.CommandLine.ITypeConverter<LatencyModel.Kind> {
        @Override
        public LatencyModel.Kind convert(String value) {
            return LatencyModel.Kind.parse(value);
        }
    }
}
