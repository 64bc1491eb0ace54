package io.harborai.worker.dispatch.ratelimit;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The limiter the dispatcher uses: the shared (Redis) limiter while it answers, the local one
 * while it does not. A Redis outage degrades accuracy (each instance enforces its local share),
 * never availability: this class never throws and never refuses a call because Redis is down.
 *
 * <p>Contract: the first failed shared call switches to local limits (WARN, once per outage); from
 * then on every call is answered locally, at once, and at most every {@code probeInterval} one
 * asynchronous {@link SharedRateLimiter#probe()} checks Redis; when a probe succeeds the next
 * calls go to Redis again (INFO, once). Every failed shared call, probe or usage report adds one
 * to {@link #errors()}. Usage reports go to whichever limiter is active when they arrive.
 *
 * <p>Limits: while Redis is up, a call waits for it (bounded by the shared limiter's timeout);
 * the call that discovers an outage pays that timeout once. Local buckets keep their own state
 * across outages; they start full.
 *
 * <p>Threading: any thread may call any method. {@code sharedUp}, {@code nextProbeNanos} and
 * {@code probing} are atomics: callers race to switch or to start a probe and exactly one wins
 * each transition. Probe results arrive on the shared client's threads and only flip {@code
 * sharedUp}.
 */
public final class FailoverRateLimiter implements RateLimiter {

    /** How often a limiter running on local limits checks whether Redis is back. */
    public static final Duration DEFAULT_PROBE_INTERVAL = Duration.ofSeconds(1);

    private static final Logger log = LoggerFactory.getLogger(FailoverRateLimiter.class);

    private final SharedRateLimiter shared;
    private final LocalRateLimiter local;
    private final LongSupplier nanoClock;
    private final long probeIntervalNanos;
    private final AtomicBoolean sharedUp = new AtomicBoolean(true);
    private final AtomicBoolean probing = new AtomicBoolean();
    private final AtomicLong nextProbeNanos = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong failovers = new AtomicLong();

    /**
     * @param nanoClock monotonic nanoseconds; the same clock as {@code local}'s keeps tests simple
     */
    public FailoverRateLimiter(SharedRateLimiter shared, LocalRateLimiter local, LongSupplier nanoClock,
                               Duration probeInterval) {
        this.shared = shared;
        this.local = local;
        this.nanoClock = nanoClock;
        this.probeIntervalNanos = probeInterval.toNanos();
    }

    @Override
    public boolean tryAcquire(String provider, long estimatedTokens) {
        if (sharedUp.get()) {
            try {
                return shared.tryAcquire(provider, estimatedTokens);
            } catch (RuntimeException e) {
                errors.incrementAndGet();
                switchToLocal(e);
            }
        } else {
            maybeProbe();
        }
        return local.tryAcquire(provider, estimatedTokens);
    }

    @Override
    public void recordUsage(String provider, long estimatedTokens, long actualTokens) {
        if (!sharedUp.get()) {
            local.recordUsage(provider, estimatedTokens, actualTokens);
            return;
        }
        try {
            shared.recordUsageAsync(provider, estimatedTokens, actualTokens).whenComplete((v, e) -> {
                if (e != null) {
                    errors.incrementAndGet();
                }
            });
        } catch (RuntimeException e) {
            errors.incrementAndGet();
        }
    }

    /** Whether calls currently go to the shared (Redis) limiter. */
    public boolean usingShared() {
        return sharedUp.get();
    }

    /** Failed shared calls, probes and usage reports since start. */
    public long errors() {
        return errors.get();
    }

    /** How many times this limiter has switched to local limits. */
    public long failovers() {
        return failovers.get();
    }

    /** Closes the shared limiter (and with it the Redis client it owns, if any). */
    @Override
    public void close() {
        shared.close();
    }

    private void switchToLocal(RuntimeException e) {
        nextProbeNanos.set(nanoClock.getAsLong() + probeIntervalNanos);
        if (sharedUp.compareAndSet(true, false)) {
            failovers.incrementAndGet();
            log.warn("Shared rate limiter unavailable ({}); enforcing {} of each limit locally until Redis answers",
                    RedisRateLimiter.describe(e), local.localShare());
        }
    }

    private void maybeProbe() {
        long now = nanoClock.getAsLong();
        long due = nextProbeNanos.get();
        if (now - due < 0 || probing.get() || !nextProbeNanos.compareAndSet(due, now + probeIntervalNanos)) {
            return;
        }
        probing.set(true);
        try {
            shared.probe().whenComplete((v, e) -> {
                probing.set(false);
                if (e == null) {
                    switchToShared();
                } else {
                    errors.incrementAndGet();
                }
            });
        } catch (RuntimeException e) {
            probing.set(false);
            errors.incrementAndGet();
        }
    }

    private void switchToShared() {
        if (sharedUp.compareAndSet(false, true)) {
            log.info("Shared rate limiter answers again; back to limits shared across instances");
        }
    }
}
