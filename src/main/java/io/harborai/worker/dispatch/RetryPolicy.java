package io.harborai.worker.dispatch;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with full jitter: retry {@code n} (1 = the first retry) waits a uniformly
 * random time in {@code [0, min(max, base * 2^(n-1))]}; full jitter spreads the retries of a burst
 * that failed together. A provider's {@code Retry-After} is a floor: a retry is never due before
 * it, even when it is longer than the backoff ceiling.
 *
 * <p>Thread-safe when {@code random} is (it is called from the stream thread only).
 */
final class RetryPolicy {
    private final long baseMs;
    private final long maxMs;
    private final DoubleSupplier random;

    /** @param random uniform in [0, 1); injected so tests pin the jitter */
    RetryPolicy(long baseMs, long maxMs, DoubleSupplier random) {
        this.baseMs = baseMs;
        this.maxMs = Math.max(baseMs, maxMs);
        this.random = random;
    }

    /** The upper bound of the jittered wait before retry {@code n}. */
    long ceilingMs(int retry) {
        int shift = Math.min(Math.max(retry - 1, 0), 40);
        long exp = baseMs << shift;
        return exp <= 0 || exp > maxMs ? maxMs : exp;
    }

    /** The wait before retry {@code n}, at least {@code retryAfter} when the provider sent one. */
    long delayMs(int retry, Duration retryAfter) {
        long jittered = (long) (random.getAsDouble() * ceilingMs(retry));
        long floor = retryAfter == null ? 0 : retryAfter.toMillis();
        return Math.max(jittered, floor);
    }
}
