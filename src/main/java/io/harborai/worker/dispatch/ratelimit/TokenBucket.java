package io.harborai.worker.dispatch.ratelimit;

/**
 * One token bucket, the in-process twin of the bucket in {@code rate_limit.lua}: the same
 * arithmetic, so a provider is limited alike whether Redis or the local fallback answers.
 *
 * <ul>
 *   <li>A bucket starts full and refills at {@code perMinute / 60 s} up to {@code burst}.
 *   <li>A take of {@code n} needs {@code min(n, burst)} available and then subtracts all of
 *       {@code n}: a request larger than the bucket still gets through when the bucket is full,
 *       and the debt (a negative level) holds later requests back for as long as it really cost.
 *   <li>A correction may refund up to a full bucket or debit down to {@code -burst}, never further,
 *       so one wildly wrong usage report cannot lock a provider out for long.
 * </ul>
 *
 * <p>Hand-written, not bucket4j: it must be the exact twin of the script (see {@link
 * RedisRateLimiter} for why no library serves there), debt and bounded corrections included.
 *
 * <p>Threading: not thread-safe; {@link LocalRateLimiter} guards each provider's buckets with one
 * lock so that a request and its tokens are taken together.
 */
final class TokenBucket {

    private static final double NANOS_PER_MINUTE = 60e9;

    private final double perNano;
    private final double burst;
    private double level;
    private long lastNanos;

    TokenBucket(double perMinute, double burst, long nowNanos) {
        this.perNano = perMinute / NANOS_PER_MINUTE;
        this.burst = burst;
        this.level = burst;
        this.lastNanos = nowNanos;
    }

    /** Whether {@code n} permits could be taken now (after refilling to {@code nowNanos}). */
    boolean canTake(double n, long nowNanos) {
        refill(nowNanos);
        return level >= Math.min(n, burst);
    }

    /** Subtracts {@code n}; call only after {@link #canTake} said yes at the same instant. */
    void take(double n) {
        level -= n;
    }

    /** Adds {@code delta} (negative: an extra debit), bounded to {@code [-burst, burst]}. */
    void correct(double delta, long nowNanos) {
        refill(nowNanos);
        double next = level + delta;
        level = delta >= 0 ? Math.min(next, burst) : Math.max(next, Math.min(level, -burst));
    }

    /** The permits available now; may be negative after an oversized take. */
    double level(long nowNanos) {
        refill(nowNanos);
        return level;
    }

    private void refill(long nowNanos) {
        long elapsed = nowNanos - lastNanos;
        if (elapsed > 0) {
            level = Math.min(burst, level + elapsed * perNano);
            lastNanos = nowNanos;
        }
    }
}
