package io.harborai.worker.redis;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The up / down / probe state of one user of Redis: the one mechanism behind every Redis user's
 * fallback (the L2 cache and the tenant budgets through {@link RedisGate}, the rate limiter's
 * failover to local limits directly). It decides only whether a command may go to Redis; sending,
 * timeouts and the fallback itself are the user's.
 *
 * <p>Contract: Redis is considered up until a first failure. While up, {@link #tryCall()} admits
 * every command. A {@link Attempt#failed failed} attempt adds one to {@link #errors()} and makes the
 * next probe due {@code probeInterval} later; the first failure while up marks Redis down and
 * calls {@link Transitions#wentDown} (once per outage). While down, {@code tryCall()} admits
 * nothing, and {@link #tryProbe()} admits exactly one attempt at a time once a probe is due:
 * callers race for it and one wins; the slot is free again when that attempt reports. Any
 * {@link Attempt#succeeded success} (a probe's, or a command's that started while up) marks Redis
 * up and calls {@link Transitions#cameBack} (once per outage). {@link #countError()} counts a
 * failure that by itself says nothing about Redis's state (a fire-and-forget report that got lost)
 * without a transition.
 *
 * <p>Limits: an attempt that never reports holds the probe slot for good; users report every
 * attempt, on completion or on a timeout of their own.
 *
 * <p>One state per user, not per Redis client: the cache, the budgets and the rate limiter each
 * keep their own instance although they share one client. Sharing would change behaviour: each
 * user has its own call timeout (a slow Redis may fail the 300 ms budget calls but not the 400 ms
 * limiter calls), its own WARN/INFO lines and its own meters ({@code harbor.cache.l2.errors},
 * {@code harbor.budget.errors}, ...), and the rate limiter can even run on a client of its own. A
 * per-user state sees an outage at the user's first failed command, which costs at most one call
 * timeout per user and outage.
 *
 * <p>Threading: any thread may call any method; the state is atomics. {@link Transitions} are
 * called on the thread that reports the transition (a caller's, or a Redis client's callback
 * thread) and should be short.
 */
public final class RedisHealth {

    /** What a user does when Redis goes down and when it answers again, e.g. its WARN and INFO lines. */
    public interface Transitions {

        /**
         * Redis went down: called once per outage, by the first failure while up.
         *
         * @param op the failed command's name, as the user reported it
         * @param cause the failure, e.g. a timeout or Redisson's connection error
         */
        void wentDown(String op, Throwable cause);

        /**
         * Redis answers again: called once per outage, by the first success while down.
         *
         * @param errors {@link #errors()} at that moment, the outage's included
         */
        void cameBack(long errors);
    }

    /** One admitted command; reports its outcome exactly once. */
    public final class Attempt {
        private final boolean probe;

        private Attempt(boolean probe) {
            this.probe = probe;
        }

        /** The command succeeded: Redis is up (again). */
        public void succeeded() {
            if (probe) {
                probing.set(false);
            }
            RedisHealth.this.succeeded();
        }

        /** The command failed or timed out: one more error, Redis is down, next probe an interval from now. */
        public void failed(String op, Throwable cause) {
            if (probe) {
                probing.set(false);
            }
            errors.incrementAndGet();
            nextProbeNanos.set(nanoClock.getAsLong() + probeIntervalNanos);
            if (up.compareAndSet(true, false)) {
                outages.incrementAndGet();
                transitions.wentDown(op, cause);
            }
        }

        /** Whether this attempt is the probe of a down Redis. */
        public boolean probe() {
            return probe;
        }
    }

    private final LongSupplier nanoClock;
    private final Duration probeInterval;
    private final long probeIntervalNanos;
    private final Transitions transitions;
    private final AtomicBoolean up = new AtomicBoolean(true);
    private final AtomicBoolean probing = new AtomicBoolean();
    private final AtomicLong nextProbeNanos = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong outages = new AtomicLong();
    // Attempts carry no state of their own: two instances serve every call, no allocation per command.
    private final Attempt call = new Attempt(false);
    private final Attempt probeAttempt = new Attempt(true);

    /**
     * @param nanoClock monotonic nanoseconds, for the probe interval
     * @param probeInterval how long after a failure the next probe may go to Redis
     * @param transitions called at each transition
     * @throws IllegalArgumentException if {@code probeInterval} is negative
     */
    public RedisHealth(LongSupplier nanoClock, Duration probeInterval, Transitions transitions) {
        if (probeInterval.isNegative()) {
            throw new IllegalArgumentException("probeInterval must not be negative, was " + probeInterval);
        }
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.probeInterval = probeInterval;
        this.probeIntervalNanos = probeInterval.toNanos();
        this.transitions = Objects.requireNonNull(transitions, "transitions");
    }

    /** An ordinary command while Redis is up; {@code null} while it is down. */
    public Attempt tryCall() {
        return up.get() ? call : null;
    }

    /**
     * The probe while Redis is down, when one is due and no other probe is running; else {@code
     * null} (also while up: then there is nothing to probe, use {@link #tryCall()}).
     */
    public Attempt tryProbe() {
        if (up.get() || nanoClock.getAsLong() - nextProbeNanos.get() < 0 || !probing.compareAndSet(false, true)) {
            return null;
        }
        return probeAttempt;
    }

    /** A command that went to Redis outside an attempt (e.g. a connection check) succeeded: Redis is up. */
    public void succeeded() {
        if (up.compareAndSet(false, true)) {
            transitions.cameBack(errors.get());
        }
    }

    /** Counts a failure that does not by itself decide whether Redis is down. */
    public void countError() {
        errors.incrementAndGet();
    }

    /** Whether commands go to Redis (true until a first failure). */
    public boolean up() {
        return up.get();
    }

    /** Failed attempts, probes included, and {@link #countError() counted errors} since start. */
    public long errors() {
        return errors.get();
    }

    /** How many times Redis has gone down (transitions from up to down) since start. */
    public long outages() {
        return outages.get();
    }

    /** How long after a failure the next probe may go to Redis. */
    public Duration probeInterval() {
        return probeInterval;
    }

    /**
     * The root cause's class and message, for log lines: Redisson wraps connection errors several
     * times over. Its messages name only scheme, host and port ({@link RedisClients} passes
     * credentials separately).
     */
    public static String describe(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
}
