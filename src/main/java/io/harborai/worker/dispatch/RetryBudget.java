package io.harborai.worker.dispatch;

import java.time.Clock;

/**
 * Caps retries per provider at {@code ratio} x first attempts (plus a small allowance) over a
 * sliding window of ten one-second buckets, so a failing provider sees at most a bounded extra
 * load instead of a retry storm (the Finagle / gRPC retry-budget idea). Beyond the budget a
 * request fails with its last error (or moves to a fallback model).
 *
 * <p>Thread-safe (synchronized): every stream thread of the worker shares one budget per provider.
 */
final class RetryBudget {
    static final int BUCKETS = 10;
    /** Retries always allowed per window, so a quiet provider can still retry a lone failure. */
    static final int MIN_RETRIES_PER_WINDOW = 10;

    private final double ratio;
    private final Clock clock;
    private final long[] firsts = new long[BUCKETS];
    private final long[] retries = new long[BUCKETS];
    private long second;

    RetryBudget(double ratio, Clock clock) {
        this.ratio = ratio;
        this.clock = clock;
        this.second = clock.millis() / 1000;
    }

    synchronized void recordFirstAttempt() {
        advance();
        firsts[(int) (second % BUCKETS)]++;
    }

    /** Takes one retry from the budget; false when the window has no retry left. */
    synchronized boolean tryAcquireRetry() {
        advance();
        long f = 0;
        long r = 0;
        for (int i = 0; i < BUCKETS; i++) {
            f += firsts[i];
            r += retries[i];
        }
        if (r + 1 > ratio * f + MIN_RETRIES_PER_WINDOW) {
            return false;
        }
        retries[(int) (second % BUCKETS)]++;
        return true;
    }

    private void advance() {
        long now = clock.millis() / 1000;
        for (long s = Math.max(second + 1, now - BUCKETS + 1); s <= now; s++) {
            firsts[(int) (s % BUCKETS)] = 0;
            retries[(int) (s % BUCKETS)] = 0;
        }
        second = Math.max(second, now);
    }
}
