package io.harborai.worker.dispatch;

import java.time.Clock;

/**
 * Caps retries per provider at {@code ratio} x first attempts (plus a small allowance) over a
 * sliding window of ten one-second buckets, so a failing provider sees at most a bounded extra
 * load instead of a retry storm (the Finagle / gRPC retry-budget idea). The engine asks for a retry
 * when the retry is about to be sent; beyond the budget the retry waits (at least a bucket) and asks
 * again. An exhausted budget is provider-wide trouble: it delays the request and uses none of its
 * attempts, it never fails it.
 *
 * <p>A retry that succeeds gives its withdrawal back ({@link #refund}): the budget bounds the extra
 * load of retries that fail, which is what a retry storm is. Without the refund, recovery after an
 * outage would crawl: every request waiting then is a retry, and no new first attempts refill the
 * budget.
 *
 * <p>Thread-safe (synchronized): every stream thread of the worker shares one budget per provider.
 */
final class RetryBudget {
    static final int BUCKETS = 10;
    /** Width of one bucket: a refused retry can find room no sooner than this. */
    static final long BUCKET_MS = 1_000;
    /** Retries always allowed per window, so a quiet provider can still retry a lone failure. */
    static final int MIN_RETRIES_PER_WINDOW = 10;

    private final double ratio;
    private final Clock clock;
    private final long[] firsts = new long[BUCKETS];
    private final long[] retries = new long[BUCKETS];
    private final long[] refunds = new long[BUCKETS];
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
            r += retries[i] - refunds[i];
        }
        // A refund may outlive its retry's bucket; never count fewer than none.
        if (Math.max(0, r) + 1 > ratio * f + MIN_RETRIES_PER_WINDOW) {
            return false;
        }
        retries[(int) (second % BUCKETS)]++;
        return true;
    }

    /** Gives back a retry taken by {@link #tryAcquireRetry} whose call succeeded. */
    synchronized void refund() {
        advance();
        refunds[(int) (second % BUCKETS)]++;
    }

    private void advance() {
        long now = clock.millis() / 1000;
        for (long s = Math.max(second + 1, now - BUCKETS + 1); s <= now; s++) {
            firsts[(int) (s % BUCKETS)] = 0;
            retries[(int) (s % BUCKETS)] = 0;
            refunds[(int) (s % BUCKETS)] = 0;
        }
        second = Math.max(second, now);
    }
}
