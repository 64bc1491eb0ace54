package io.harborai.worker.dispatch;

import io.harborai.worker.dispatch.ratelimit.RateLimiter;
import io.harborai.worker.provider.ProviderRouter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleSupplier;

/**
 * What all dispatch engines of one worker share: routing, the provider caller, the rate limiter,
 * what happens to answers ({@link Answers}: cost, budgets, structured output), one {@link
 * ProviderLane} per provider, the worker-wide {@link InFlight} memory budget, the retry
 * policy, time, and the meters. Each stream task gets its own {@link DispatchEngine} over it.
 *
 * <p>Thread-safe: immutable apart from the lane map (concurrent) and the thread-safe parts.
 *
 * @param clock wall-clock time for deadlines, backoff, linger, breaker and budget windows;
 *     injected so tests move time by hand
 * @param random uniform in [0, 1) for backoff jitter
 */
public final class DispatchRuntime {
    final ProviderRouter router;
    final DispatchSettings settings;
    final ProviderCaller caller;
    final RateLimiter rateLimiter;
    final Clock clock;
    final RetryPolicy retryPolicy;
    final InFlight inFlight;
    final Counter redispatched;
    final Counter lateCompletions;
    final Counter capOverruns;
    final Counter retries;
    final Counter fallbacks;
    /** Share of each provider lane's concurrency this runtime's calls may hold; 1 = online. */
    final double laneShare;
    final Answers answers;
    private final Map<String, ProviderLane> lanes;

    public DispatchRuntime(ProviderRouter router, DispatchSettings settings, ProviderCaller caller,
                           RateLimiter rateLimiter, Clock clock, DoubleSupplier random, MeterRegistry meters) {
        this(router, settings, caller, rateLimiter, clock, random, meters, Answers.defaults(meters));
    }

    /** As above, with what happens to answers (cost, budgets, structured output) given. */
    public DispatchRuntime(ProviderRouter router, DispatchSettings settings, ProviderCaller caller,
                           RateLimiter rateLimiter, Clock clock, DoubleSupplier random, MeterRegistry meters,
                           Answers answers) {
        this(router, settings, caller, rateLimiter, clock, new RetryPolicy(settings.backoffBaseMs(),
            settings.backoffMaxMs(), random), new InFlight(settings.maxInFlight(), settings.maxInFlightBytes()),
            1.0, new ConcurrentHashMap<>(), meters, "online", answers);
    }

    private DispatchRuntime(ProviderRouter router, DispatchSettings settings, ProviderCaller caller,
                            RateLimiter rateLimiter, Clock clock, RetryPolicy retryPolicy, InFlight inFlight,
                            double laneShare, Map<String, ProviderLane> lanes, MeterRegistry meters, String traffic,
                            Answers answers) {
        this.router = Objects.requireNonNull(router, "router");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.caller = Objects.requireNonNull(caller, "caller");
        this.rateLimiter = Objects.requireNonNull(rateLimiter, "rateLimiter");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.retryPolicy = retryPolicy;
        this.inFlight = inFlight;
        this.laneShare = laneShare;
        this.lanes = lanes;
        this.answers = Objects.requireNonNull(answers, "answers");
        this.redispatched = meters.counter(DispatchMetrics.REDISPATCHED, "traffic", traffic);
        this.lateCompletions = meters.counter(DispatchMetrics.LATE_COMPLETIONS, "traffic", traffic);
        this.capOverruns = meters.counter(DispatchMetrics.CAP_OVERRUNS, "traffic", traffic);
        this.retries = meters.counter(DispatchMetrics.RETRIES, "traffic", traffic);
        this.fallbacks = meters.counter(DispatchMetrics.FALLBACKS, "traffic", traffic);
        Gauge.builder("harbor.dispatch.in.flight", inFlight, InFlight::count).tag("traffic", traffic)
            .description("requests held in memory (queued, in flight, awaiting retry)").register(meters);
        Gauge.builder("harbor.dispatch.in.flight.bytes", inFlight, InFlight::bytes).tag("traffic", traffic)
            .baseUnit("bytes").register(meters);
    }

    /**
     * The runtime of batch traffic: the same providers, lanes, limiter and meters, but an in-flight
     * budget of {@code share} of this one's (its own, so a batch backlog never blocks an online
     * record) and at most {@code share} of each lane's concurrency, so online calls always find
     * slots.
     *
     * @param share in (0, 1]
     */
    public DispatchRuntime forBatch(double share, MeterRegistry meters) {
        InFlight budget = new InFlight(Math.max(1, (int) (settings.maxInFlight() * share)),
            Math.max(1L, (long) (settings.maxInFlightBytes() * share)));
        return new DispatchRuntime(router, settings, caller, rateLimiter, clock, retryPolicy, budget, share, lanes,
            meters, "batch", answers);
    }

    public DispatchSettings settings() {
        return settings;
    }

    /** The time every engine and its processor use. */
    public Clock clock() {
        return clock;
    }

    public InFlight inFlight() {
        return inFlight;
    }

    ProviderLane lane(String provider) {
        return lanes.computeIfAbsent(provider, p -> new ProviderLane(p, settings, clock));
    }
}
