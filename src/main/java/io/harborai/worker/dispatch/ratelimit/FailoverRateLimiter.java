package io.harborai.worker.dispatch.ratelimit;

import io.harborai.worker.redis.RedisHealth;
import java.time.Duration;
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
 * to {@link #errors()}; a lost usage report alone does not switch. Usage reports go to whichever
 * limiter is active when they arrive. The up / down / probe state is a {@link RedisHealth}, the
 * same mechanism as the L2 cache's and the budgets'.
 *
 * <p>Limits: while Redis is up, a call waits for it (bounded by the shared limiter's timeout);
 * the call that discovers an outage pays that timeout once. Local buckets keep their own state
 * across outages; they start full.
 *
 * <p>Threading: any thread may call any method. The state is the {@link RedisHealth}'s atomics:
 * callers race to switch or to start a probe and exactly one wins each transition. Probe results
 * arrive on the shared client's threads and only report to the health.
 */
public final class FailoverRateLimiter implements RateLimiter {

    /** How often a limiter running on local limits checks whether Redis is back. */
    public static final Duration DEFAULT_PROBE_INTERVAL = Duration.ofSeconds(1);

    private static final Logger log = LoggerFactory.getLogger(FailoverRateLimiter.class);

    private final SharedRateLimiter shared;
    private final LocalRateLimiter local;
    private final RedisHealth health;

    /**
     * @param nanoClock monotonic nanoseconds; the same clock as {@code local}'s keeps tests simple
     */
    public FailoverRateLimiter(
            SharedRateLimiter shared, LocalRateLimiter local, LongSupplier nanoClock, Duration probeInterval) {
        this.shared = shared;
        this.local = local;
        this.health = new RedisHealth(nanoClock, probeInterval, new RedisHealth.Transitions() {
            @Override
            public void wentDown(String op, Throwable cause) {
                log.warn(
                        "Shared rate limiter unavailable ({}); enforcing {} of each limit locally until Redis answers",
                        RedisHealth.describe(cause),
                        local.localShare());
            }

            @Override
            public void cameBack(long errors) {
                log.info("Shared rate limiter answers again; back to limits shared across instances");
            }
        });
    }

    @Override
    public boolean tryAcquire(String provider, long estimatedTokens) {
        RedisHealth.Attempt call = health.tryCall();
        if (call != null) {
            try {
                boolean allowed = shared.tryAcquire(provider, estimatedTokens);
                call.succeeded();
                return allowed;
            } catch (RuntimeException e) {
                call.failed("acquire", e);
            }
        } else {
            maybeProbe();
        }
        return local.tryAcquire(provider, estimatedTokens);
    }

    @Override
    public void recordUsage(String provider, long estimatedTokens, long actualTokens) {
        if (!health.up()) {
            local.recordUsage(provider, estimatedTokens, actualTokens);
            return;
        }
        try {
            shared.recordUsageAsync(provider, estimatedTokens, actualTokens).whenComplete((v, e) -> {
                if (e != null) {
                    health.countError();
                }
            });
        } catch (RuntimeException e) {
            health.countError();
        }
    }

    /** Whether calls currently go to the shared (Redis) limiter. */
    public boolean usingShared() {
        return health.up();
    }

    /** Failed shared calls, probes and usage reports since start. */
    public long errors() {
        return health.errors();
    }

    /** How many times this limiter has switched to local limits. */
    public long failovers() {
        return health.outages();
    }

    /** Closes the shared limiter (and with it the Redis client it owns, if any). */
    @Override
    public void close() {
        shared.close();
    }

    private void maybeProbe() {
        RedisHealth.Attempt probe = health.tryProbe();
        if (probe == null) {
            return;
        }
        try {
            shared.probe().whenComplete((v, e) -> {
                if (e == null) {
                    probe.succeeded();
                } else {
                    probe.failed("probe", e);
                }
            });
        } catch (RuntimeException e) {
            probe.failed("probe", e);
        }
    }
}
