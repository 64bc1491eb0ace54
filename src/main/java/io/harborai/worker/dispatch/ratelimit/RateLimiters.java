package io.harborai.worker.dispatch.ratelimit;

import io.harborai.worker.redis.RedisClients;
import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;
import org.redisson.api.RedissonClient;

/**
 * Builds the worker's rate limiter from configuration: unlimited when no provider has a limit,
 * else a {@link FailoverRateLimiter} over Redis (shared) and in-process buckets (fallback).
 *
 * <p>The Redis client ({@link RedisClients}) fails fast rather than waiting out an outage, and every
 * limiter call is capped at {@value #CALL_TIMEOUT_MS} ms; it connects lazily, so the worker also
 * starts while Redis is down (on local limits).
 */
public final class RateLimiters {

    /** Hard cap on one limiter call, retries included: what the stream thread may wait at worst. */
    public static final int CALL_TIMEOUT_MS = 400;

    private RateLimiters() {}

    /** As {@link #create(String, List, double, LongSupplier)} on {@link System#nanoTime()}. */
    public static RateLimiter create(String redisUrl, List<RateLimitSpec> specs, double localShare) {
        return create(redisUrl, specs, localShare, System::nanoTime);
    }

    /**
     * @param redisUrl {@code redis://} or {@code rediss://} (TLS), optionally {@code user:password@}
     *     or {@code :password@}, optionally {@code /db}
     * @param specs provider limits; providers without one are unlimited
     * @param localShare the fraction of each limit one instance enforces while Redis is down, in
     *     (0, 1]; see {@link LocalRateLimiter}
     * @throws IllegalArgumentException for a malformed URL (the message never quotes it) or share
     */
    public static RateLimiter create(
            String redisUrl, List<RateLimitSpec> specs, double localShare, LongSupplier nanoClock) {
        if (specs.stream().noneMatch(RateLimitSpec::limited)) {
            return RateLimiter.unlimited();
        }
        RedissonClient client = RedisClients.create(redisUrl);
        return failover(client, specs, localShare, nanoClock, () -> RedisClients.shutdown(client));
    }

    /**
     * As {@link #create(String, List, double, LongSupplier)} over a Redis client the caller owns
     * (and shares, e.g. with the L2 cache); closing the limiter leaves the client running.
     */
    public static RateLimiter create(
            RedissonClient client, List<RateLimitSpec> specs, double localShare, LongSupplier nanoClock) {
        if (specs.stream().noneMatch(RateLimitSpec::limited)) {
            return RateLimiter.unlimited();
        }
        return failover(client, specs, localShare, nanoClock, () -> {});
    }

    private static RateLimiter failover(
            RedissonClient client,
            List<RateLimitSpec> specs,
            double localShare,
            LongSupplier nanoClock,
            Runnable onClose) {
        LocalRateLimiter local = new LocalRateLimiter(specs, localShare, nanoClock);
        RedisRateLimiter shared = new RedisRateLimiter(client, specs, Duration.ofMillis(CALL_TIMEOUT_MS), onClose);
        return new FailoverRateLimiter(shared, local, nanoClock, FailoverRateLimiter.DEFAULT_PROBE_INTERVAL);
    }
}
