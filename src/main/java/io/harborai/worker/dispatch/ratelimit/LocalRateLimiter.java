package io.harborai.worker.dispatch.ratelimit;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * RPM/TPM token buckets in this JVM only: the fallback while Redis is unreachable, and enough on
 * its own for a single worker instance.
 *
 * <p>Contract: {@link #tryAcquire} takes one request and the estimated tokens from the
 * provider's buckets together, or nothing; providers without a spec, and unlimited dimensions,
 * always pass. Bucket arithmetic is that of {@link TokenBucket}.
 *
 * <p>Limits: every instance enforces {@code localShare} of each limit (rates and bursts alike)
 * and knows nothing of the others, so N instances together admit up to {@code N * localShare}
 * times the limit. {@code localShare = 1.0} assumes that only one instance runs (or that
 * overshooting during an outage is acceptable); {@code 1/N} for N expected instances keeps the
 * cluster under the limit but wastes capacity when fewer run.
 *
 * <p>Threading: any thread may call any method. The provider map is built once and never
 * changes; each provider's pair of buckets is guarded by its own monitor, so providers do not
 * contend with each other and the critical section is a few arithmetic operations.
 */
public final class LocalRateLimiter implements RateLimiter {

    private final Map<String, Buckets> buckets = new HashMap<>();
    private final LongSupplier nanoClock;
    private final double localShare;

    /**
     * @param specs the limits; later specs for the same provider replace earlier ones
     * @param localShare the fraction of each limit this instance enforces, in (0, 1]
     * @param nanoClock a monotonic clock in nanoseconds, e.g. {@code System::nanoTime}
     */
    public LocalRateLimiter(List<RateLimitSpec> specs, double localShare, LongSupplier nanoClock) {
        if (!(localShare > 0 && localShare <= 1)) {
            throw new IllegalArgumentException("localShare must be in (0, 1], was " + localShare);
        }
        this.nanoClock = nanoClock;
        this.localShare = localShare;
        long now = nanoClock.getAsLong();
        for (RateLimitSpec spec : specs) {
            if (spec.limited()) {
                buckets.put(
                        spec.provider(),
                        new Buckets(
                                bucket(spec.requestsPerMinute(), spec.effectiveRequestBurst(), now),
                                bucket(spec.tokensPerMinute(), spec.effectiveTokenBurst(), now)));
            }
        }
    }

    /** The fraction of each limit this instance enforces. */
    public double localShare() {
        return localShare;
    }

    @Override
    public boolean tryAcquire(String provider, long estimatedTokens) {
        Buckets b = buckets.get(provider);
        if (b == null) {
            return true;
        }
        long tokens = Math.max(0, estimatedTokens);
        synchronized (b) {
            long now = nanoClock.getAsLong();
            boolean requestOk = b.requests == null || b.requests.canTake(1, now);
            boolean tokensOk = b.tokens == null || tokens == 0 || b.tokens.canTake(tokens, now);
            if (!requestOk || !tokensOk) {
                return false;
            }
            if (b.requests != null) {
                b.requests.take(1);
            }
            if (b.tokens != null) {
                b.tokens.take(tokens);
            }
            return true;
        }
    }

    @Override
    public void recordUsage(String provider, long estimatedTokens, long actualTokens) {
        Buckets b = buckets.get(provider);
        if (b == null || b.tokens == null || actualTokens < 0 || estimatedTokens == actualTokens) {
            return;
        }
        synchronized (b) {
            b.tokens.correct((double) Math.max(0, estimatedTokens) - actualTokens, nanoClock.getAsLong());
        }
    }

    /** Tokens available now for {@code provider}, for tests and diagnostics; NaN when unlimited. */
    double availableTokens(String provider) {
        Buckets b = buckets.get(provider);
        if (b == null || b.tokens == null) {
            return Double.NaN;
        }
        synchronized (b) {
            return b.tokens.level(nanoClock.getAsLong());
        }
    }

    private TokenBucket bucket(long perMinute, long burst, long now) {
        return perMinute == 0 ? null : new TokenBucket(perMinute * localShare, burst * localShare, now);
    }

    /** A null bucket is an unlimited dimension. */
    private record Buckets(TokenBucket requests, TokenBucket tokens) {}
}
