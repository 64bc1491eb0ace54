package io.harborai.worker.dispatch;

import io.harborai.worker.dispatch.ratelimit.RateLimiter;
import io.harborai.worker.metrics.MetricsCatalog;
import io.harborai.worker.provider.ProviderRouter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
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
    final WaitBudget waitBudget;
    final Counter redispatched;
    final Counter lateCompletions;
    final Counter retries;
    final Counter fallbacks;
    /** Share of each provider lane's concurrency this runtime's calls may hold; 1 = online. */
    final double laneShare;
    /**
     * Deadline of a request without {@code deadline_ms}, counted from when the worker took it: {@code
     * dispatch.max-queue-ms} online, {@code dispatch.batch-completion-window-ms} for batch lines.
     */
    final long queueDeadlineMs;
    /** Asked before each call starts: batch calls wait while online work is held. */
    final PriorityGate priority;

    final Answers answers;
    final RequestTrace trace;
    private final Map<String, ProviderLane> lanes;
    private final MeterRegistry meters;
    private final String traffic;
    /** End of the current hand-over window ({@link #handoverDeadlineNs}); 0 before the first. */
    private long handoverDeadlineNs;

    public DispatchRuntime(
            ProviderRouter router,
            DispatchSettings settings,
            ProviderCaller caller,
            RateLimiter rateLimiter,
            Clock clock,
            DoubleSupplier random,
            MeterRegistry meters) {
        this(router, settings, caller, rateLimiter, clock, random, meters, Answers.defaults(meters));
    }

    /** As above, with what happens to answers (cost, budgets, structured output) given. */
    public DispatchRuntime(
            ProviderRouter router,
            DispatchSettings settings,
            ProviderCaller caller,
            RateLimiter rateLimiter,
            Clock clock,
            DoubleSupplier random,
            MeterRegistry meters,
            Answers answers) {
        this(
                router,
                settings,
                caller,
                rateLimiter,
                clock,
                new RetryPolicy(settings.backoffBaseMs(), settings.backoffMaxMs(), random),
                new InFlight(settings.maxInFlight(), settings.maxInFlightBytes()),
                1.0,
                settings.maxQueueMs(),
                PriorityGate.OPEN,
                new ConcurrentHashMap<>(),
                meters,
                "online",
                answers);
        // Every configured provider's lane (and so its gauges and ok-series) exists from start-up.
        for (ProviderRouter.Route r : router.routes()) {
            ProviderLane lane = lane(r.providerName());
            for (String m : router.configuredModels(r.providerName())) {
                lane.meters().declare(m);
                answers.declareCost(r.providerName(), m);
            }
        }
    }

    private DispatchRuntime(
            ProviderRouter router,
            DispatchSettings settings,
            ProviderCaller caller,
            RateLimiter rateLimiter,
            Clock clock,
            RetryPolicy retryPolicy,
            InFlight inFlight,
            double laneShare,
            long queueDeadlineMs,
            PriorityGate priority,
            Map<String, ProviderLane> lanes,
            MeterRegistry meters,
            String traffic,
            Answers answers) {
        this.router = Objects.requireNonNull(router, "router");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.caller = Objects.requireNonNull(caller, "caller");
        this.rateLimiter = Objects.requireNonNull(rateLimiter, "rateLimiter");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.retryPolicy = retryPolicy;
        this.inFlight = inFlight;
        this.waitBudget = new WaitBudget(settings.maxBlockMs());
        this.laneShare = laneShare;
        this.queueDeadlineMs = queueDeadlineMs;
        this.priority = Objects.requireNonNull(priority, "priority");
        this.lanes = lanes;
        this.answers = Objects.requireNonNull(answers, "answers");
        this.trace = new RequestTrace(settings.timingBreakdown());
        this.meters = Objects.requireNonNull(meters, "meters");
        this.traffic = traffic;
        this.redispatched = meters.counter(MetricsCatalog.REDISPATCHED, "traffic", traffic);
        this.lateCompletions = meters.counter(MetricsCatalog.LATE_COMPLETIONS, "traffic", traffic);
        this.retries = meters.counter(MetricsCatalog.RETRIES, "traffic", traffic);
        this.fallbacks = meters.counter(MetricsCatalog.FALLBACKS, "traffic", traffic);
        Gauge.builder(MetricsCatalog.IN_FLIGHT, inFlight, InFlight::count)
                .tag("traffic", traffic)
                .description("requests held in memory (queued, in flight, awaiting retry)")
                .register(meters);
        Gauge.builder(MetricsCatalog.IN_FLIGHT_BYTES, inFlight, InFlight::bytes)
                .tag("traffic", traffic)
                .baseUnit("bytes")
                .register(meters);
    }

    /**
     * The runtime of batch traffic: the same providers, lanes, limiter and meters, but an in-flight
     * budget of {@code share} of this one's (its own, so a batch backlog never blocks an online
     * record) and at most {@code share} of each lane's concurrency, so online calls always find
     * slots. A batch line without {@code deadline_ms} gets the batch completion window as its deadline.
     *
     * @param share in (0, 1]
     */
    public DispatchRuntime forBatch(double share, MeterRegistry meters) {
        return forBatch(share, PriorityGate.OPEN, meters);
    }

    /**
     * As {@link #forBatch(double, MeterRegistry)}, and batch calls also yield to online work through
     * {@code priority} (a {@link PriorityGate} watching this runtime's {@link #inFlight()}): shares of
     * slots alone leave online requests competing with the batch for stream threads and CPU.
     */
    public DispatchRuntime forBatch(double share, PriorityGate priority, MeterRegistry meters) {
        InFlight budget = new InFlight(Math.max(1, (int) (settings.maxInFlight() * share)), Math.max(1L, (long)
                (settings.maxInFlightBytes() * share)));
        return new DispatchRuntime(
                router,
                settings,
                caller,
                rateLimiter,
                clock,
                retryPolicy,
                budget,
                share,
                settings.batchCompletionWindowMs(),
                priority,
                lanes,
                meters,
                "batch",
                answers);
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

    /** {@code online} or {@code batch}: the {@code traffic} tag of this runtime's meters. */
    public String traffic() {
        return traffic;
    }

    /** The registry this runtime's meters (and its processors') go to. */
    public MeterRegistry meters() {
        return meters;
    }

    /** Providers whose circuit breaker refuses calls right now, in no particular order. */
    public List<String> openCircuits() {
        return lanes.values().stream()
                .filter(ProviderLane::circuitOpen)
                .map(ProviderLane::provider)
                .toList();
    }

    /**
     * Until when a task that is closed now may wait for its calls ({@code dispatch.handover-wait-ms}).
     * One rebalance or shutdown closes its tasks one after another, on every stream thread: they
     * share one window, so the whole hand-over waits at most that long, not that long per task. A
     * close after the window has passed by another whole wait starts a new one.
     */
    synchronized long handoverDeadlineNs(long nowNs) {
        long waitNs = TimeUnit.MILLISECONDS.toNanos(settings.handoverWaitMs());
        if (handoverDeadlineNs == 0 || nowNs - handoverDeadlineNs > waitNs) {
            handoverDeadlineNs = nowNs + waitNs;
        }
        return handoverDeadlineNs;
    }

    ProviderLane lane(String provider) {
        return lanes.computeIfAbsent(provider, p -> new ProviderLane(p, settings, clock, meters));
    }
}
