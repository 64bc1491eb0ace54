package io.harborai.worker.dispatch.ratelimit;

/**
 * Admission of provider calls under requests-per-minute and tokens-per-minute limits. The
 * dispatcher asks before each call and never blocks on the answer: a refused call stays queued
 * and is asked again later (Kafka, not memory, is the buffer).
 *
 * <p>Implementations are thread-safe: the stream thread asks, HTTP callback threads report usage.
 */
public interface RateLimiter extends AutoCloseable {
    /**
     * Takes one request permit and {@code estimatedTokens} token permits for {@code provider}, or
     * nothing at all.
     *
     * @return true when the call may start now
     */
    boolean tryAcquire(String provider, long estimatedTokens);

    /**
     * Reports the tokens a finished call really used, so TPM accounting follows actual usage
     * (the estimate was taken up front). Default: ignored.
     */
    default void recordUsage(String provider, long estimatedTokens, long actualTokens) {}

    @Override
    default void close() {}

    /** No limits at all. */
    static RateLimiter unlimited() {
        return (provider, tokens) -> true;
    }
}
