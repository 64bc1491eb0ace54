package io.harborai.worker.dispatch;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.harborai.worker.provider.ErrorCode;
import io.harborai.worker.provider.ProviderOutcome;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;

/**
 * Everything that limits calls to one provider, shared by all tasks of the worker: an adaptive
 * concurrency limit, a circuit breaker (resilience4j, count-based window, half-open probes) and a
 * retry budget. A call takes a breaker permission and a concurrency slot before it starts; {@link
 * #onOutcome} returns both when it ends.
 *
 * <p>What counts where: the breaker counts provider faults (5xx, timeouts, connection failures,
 * invalid bodies) and ignores 429 (the provider is healthy, only throttling: the concurrency limit
 * and the rate limiter handle it) and request errors (4xx). The concurrency limit shrinks on 429,
 * 5xx and timeouts. Successes always count. While the breaker is CLOSED, a request's repeated
 * faults on one model count once: a request whose content breaks the provider fails every retry,
 * and those retries must not open the circuit for everyone (a poison share of a few percent with
 * retries would otherwise fill the window at the tail of a batch, when only retries are left).
 * Faults that are provider-wide by their code ({@link FailureScope#alwaysProviderWide}) and every
 * fault while the breaker is HALF_OPEN or OPEN always count, so an outage still opens it and
 * failing probes re-open it.
 *
 * <p>Thread-safe: the stream threads acquire, OkHttp callback threads report outcomes; the limit,
 * budget and resilience4j breaker are each thread-safe.
 */
final class ProviderLane {
    /** Decreases of the concurrency limit are at most this frequent. */
    static final long LIMIT_COOLDOWN_MS = 1_000;

    private final String provider;
    private final AdaptiveLimit limit;
    private final CircuitBreaker breaker;
    private final RetryBudget retryBudget;
    /** Calls in flight for low-priority (batch) traffic; bounded by a share of the limit. */
    private final java.util.concurrent.atomic.AtomicInteger lowInFlight =
            new java.util.concurrent.atomic.AtomicInteger();

    private final ProviderMeters meters;
    /** Calls prepared while no slot was free, first in first out; see {@link #offer}. */
    private final ConcurrentLinkedDeque<ProviderCalls.Ready> waiting = new ConcurrentLinkedDeque<>();
    /** This thread is in {@link #sendWaiting} already (a call that completes at once re-enters). */
    private static final ThreadLocal<boolean[]> SENDING = ThreadLocal.withInitial(() -> new boolean[1]);

    /** A lane whose meters go to a registry of its own (tests). */
    ProviderLane(String provider, DispatchSettings s, Clock clock) {
        this(provider, s, clock, new SimpleMeterRegistry());
    }

    /** A lane registering its meters ({@link ProviderMeters}) in {@code registry} at once. */
    ProviderLane(String provider, DispatchSettings s, Clock clock, MeterRegistry registry) {
        this.provider = provider;
        this.limit = new AdaptiveLimit(
                s.concurrencyMin(), s.concurrencyInitial(), s.concurrencyMax(), LIMIT_COOLDOWN_MS, clock);
        this.breaker = CircuitBreaker.of(
                provider,
                CircuitBreakerConfig.custom()
                        .failureRateThreshold(s.breakerFailureRatePercent())
                        .slidingWindow(
                                s.breakerWindowCalls(),
                                s.breakerWindowCalls(),
                                CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                        .waitDurationInOpenState(Duration.ofMillis(s.breakerOpenMs()))
                        .permittedNumberOfCallsInHalfOpenState(s.breakerHalfOpenCalls())
                        .clock(clock)
                        .build());
        this.retryBudget = new RetryBudget(s.retryBudgetRatio(), clock);
        this.meters = new ProviderMeters(provider, registry);
        meters.bindLane(this);
    }

    String provider() {
        return provider;
    }

    /** Breaker permission, then a concurrency slot; false (holding nothing) if either refuses. */
    Admission tryAdmit() {
        return tryAdmit(1.0);
    }

    /**
     * As {@link #tryAdmit()} for traffic that may hold at most {@code share} of the current
     * concurrency limit (at least one slot): batch requests then never take the slots online
     * requests need, yet use the provider fully when alone up to their share.
     *
     * @param share in (0, 1]; 1 = normal priority
     */
    Admission tryAdmit(double share) {
        boolean low = share < 1.0;
        if (low && lowInFlight.get() >= Math.max(1, (int) (share * limit.limit()))) {
            return Admission.BUSY;
        }
        if (!breaker.tryAcquirePermission()) {
            return Admission.CIRCUIT_OPEN;
        }
        if (!limit.tryAcquire()) {
            breaker.releasePermission();
            return Admission.BUSY;
        }
        if (low) {
            lowInFlight.incrementAndGet();
        }
        return Admission.ADMITTED;
    }

    /** Gives back what {@link #tryAdmit} took when the call is not sent after all. */
    void cancel(double share) {
        breaker.releasePermission();
        limit.cancel();
        if (share < 1.0) {
            lowInFlight.decrementAndGet();
        }
    }

    /**
     * Queues a call that found no free slot; the thread that frees the next slot sends it ({@link
     * #sendWaiting}, called after every outcome), so a finished call is followed by the next one
     * without waiting for a stream thread to come by. Safe on any thread.
     */
    void offer(ProviderCalls.Ready call) {
        waiting.addLast(call);
        sendWaiting();
    }

    /** Forgets a queued call its stream thread took back ({@link ProviderCalls.Ready#reclaim}). */
    void forget(ProviderCalls.Ready call) {
        waiting.remove(call);
    }

    /**
     * Sends queued calls, oldest first, while slots are free; safe on any thread. A call its
     * stream thread took back is skipped. A slot freed while another thread holds the head for a
     * moment is taken by the next outcome, or by the owning stream thread's next sweep.
     */
    void sendWaiting() {
        boolean[] sending = SENDING.get();
        if (sending[0]) {
            return; // the outer loop on this thread goes on
        }
        sending[0] = true;
        try {
            for (ProviderCalls.Ready call = waiting.pollFirst(); call != null; call = waiting.pollFirst()) {
                if (!call.queued()) {
                    continue;
                }
                if (tryAdmit(call.share) != Admission.ADMITTED) {
                    waiting.offerFirst(call);
                    return;
                }
                if (call.claim()) {
                    call.send();
                } else {
                    cancel(call.share);
                }
            }
        } finally {
            sending[0] = false;
        }
    }

    /**
     * Records the outcome of an admitted call; safe on any thread.
     *
     * @param repeat the request already had a fault recorded on this model: a further fault of its
     *     own is then not recorded while the breaker is CLOSED (see the class comment)
     * @return whether a fault was recorded in the breaker
     */
    boolean onOutcome(ProviderOutcome outcome, double share, boolean repeat) {
        if (share < 1.0) {
            lowInFlight.decrementAndGet();
        }
        long ms = outcome.latencyMs();
        if (outcome instanceof ProviderOutcome.Failure f) {
            limit.release(overload(f.code()) ? AdaptiveLimit.Signal.OVERLOAD : AdaptiveLimit.Signal.NEUTRAL);
            boolean record = providerFault(f.code())
                    && (!repeat
                            || FailureScope.alwaysProviderWide(f)
                            || breaker.getState() != CircuitBreaker.State.CLOSED);
            if (record) {
                breaker.onError(ms, TimeUnit.MILLISECONDS, new ProviderFault(f.code()));
            } else {
                breaker.releasePermission();
            }
            return record;
        }
        limit.release(AdaptiveLimit.Signal.SUCCESS);
        breaker.onSuccess(ms, TimeUnit.MILLISECONDS);
        return false;
    }

    /** Records the outcome of an admitted normal-priority call, a request's first on its model. */
    void onOutcome(ProviderOutcome outcome) {
        onOutcome(outcome, 1.0, false);
    }

    int lowInFlight() {
        return lowInFlight.get();
    }

    RetryBudget retryBudget() {
        return retryBudget;
    }

    AdaptiveLimit limit() {
        return limit;
    }

    CircuitBreaker.State breakerState() {
        return breaker.getState();
    }

    /** Whether the breaker refuses calls now (OPEN or FORCED_OPEN; half-open lets probes through). */
    boolean circuitOpen() {
        return ProviderMeters.open(breaker.getState());
    }

    ProviderMeters meters() {
        return meters;
    }

    static boolean overload(ErrorCode code) {
        return code == ErrorCode.RATE_LIMITED || code == ErrorCode.PROVIDER_ERROR || code == ErrorCode.TIMEOUT;
    }

    static boolean providerFault(ErrorCode code) {
        return code == ErrorCode.PROVIDER_ERROR
                || code == ErrorCode.TIMEOUT
                || code == ErrorCode.CONNECTION_FAILED
                || code == ErrorCode.INVALID_RESPONSE;
    }

    enum Admission {
        ADMITTED,
        BUSY,
        CIRCUIT_OPEN
    }

    /** What the breaker records for a failed call; no stack trace, it is a verdict, not a bug. */
    static final class ProviderFault extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ProviderFault(ErrorCode code) {
            super(code.name(), null, false, false);
        }
    }
}
