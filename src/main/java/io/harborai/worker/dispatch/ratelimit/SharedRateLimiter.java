package io.harborai.worker.dispatch.ratelimit;

import java.util.concurrent.CompletionStage;

/**
 * A rate limiter whose buckets live outside this JVM (Redis) and can therefore be unreachable.
 * Unlike a plain {@link RateLimiter} it reports that instead of hiding it, so that {@link
 * FailoverRateLimiter} can fall back to local limits.
 */
public interface SharedRateLimiter extends RateLimiter {

    /**
     * As {@link RateLimiter#tryAcquire}, answering within a bounded time.
     *
     * @throws RateLimiterUnavailableException when the shared store does not answer in time or
     *     answers with an error; then nothing was taken, or the take is lost with the store
     */
    @Override
    boolean tryAcquire(String provider, long estimatedTokens);

    /** As {@link RateLimiter#recordUsage}, without waiting; the stage fails when the store does. */
    CompletionStage<Void> recordUsageAsync(String provider, long estimatedTokens, long actualTokens);

    /** Completes normally when the shared store answers again, exceptionally when it does not. */
    CompletionStage<Void> probe();
}
