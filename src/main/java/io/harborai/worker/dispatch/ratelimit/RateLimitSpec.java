package io.harborai.worker.dispatch.ratelimit;

import java.util.regex.Pattern;

/**
 * The limits of one provider: requests per minute and tokens per minute, each with its burst.
 *
 * <p>Each dimension is a token bucket that refills continuously at {@code limit / 60 s} and holds
 * at most its burst; a limit of 0 means that dimension is unlimited. The default burst is {@link
 * #DEFAULT_BURST_FRACTION} of the per-minute limit (ten seconds' worth, at least 1): a fresh or
 * idle bucket may then admit ten seconds of traffic at once but never a whole minute, which is
 * what providers that enforce per-second sub-windows tolerate. Over any window of {@code t}
 * seconds at most {@code limit * t / 60 + burst} permits are granted.
 *
 * @param provider the provider name as configured ({@code providers.<name>}); letters, digits,
 *     {@code . _ -} only, because it becomes part of a Redis key and its cluster hash tag
 * @param requestsPerMinute RPM limit, 0 = unlimited
 * @param tokensPerMinute TPM limit, 0 = unlimited
 * @param requestBurst bucket size for requests, 0 = default
 * @param tokenBurst bucket size for tokens, 0 = default
 */
public record RateLimitSpec(
        String provider, long requestsPerMinute, long tokensPerMinute, long requestBurst, long tokenBurst) {

    /** Default burst as a fraction of the per-minute limit: 1/6, i.e. ten seconds of traffic. */
    public static final double DEFAULT_BURST_FRACTION = 1.0 / 6;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");

    /** Validates the values; a burst given for an unlimited dimension is ignored. */
    public RateLimitSpec {
        if (provider == null || !NAME.matcher(provider).matches()) {
            throw new IllegalArgumentException("provider name must be 1-100 of [A-Za-z0-9._-], was '" + provider + "'");
        }
        requireNonNegative("requestsPerMinute", requestsPerMinute);
        requireNonNegative("tokensPerMinute", tokensPerMinute);
        requireNonNegative("requestBurst", requestBurst);
        requireNonNegative("tokenBurst", tokenBurst);
    }

    /** Limits with the default bursts. */
    public static RateLimitSpec of(String provider, long requestsPerMinute, long tokensPerMinute) {
        return new RateLimitSpec(provider, requestsPerMinute, tokensPerMinute, 0, 0);
    }

    /** Whether either dimension is limited. */
    public boolean limited() {
        return requestsPerMinute > 0 || tokensPerMinute > 0;
    }

    /** The request bucket size in effect: the given burst, or the default; 0 when unlimited. */
    public long effectiveRequestBurst() {
        return effectiveBurst(requestsPerMinute, requestBurst);
    }

    /** The token bucket size in effect: the given burst, or the default; 0 when unlimited. */
    public long effectiveTokenBurst() {
        return effectiveBurst(tokensPerMinute, tokenBurst);
    }

    private static long effectiveBurst(long perMinute, long burst) {
        if (perMinute == 0) {
            return 0;
        }
        return burst > 0 ? burst : Math.max(1, (long) Math.ceil(perMinute * DEFAULT_BURST_FRACTION));
    }

    private static void requireNonNegative(String what, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(what + " must be >= 0, was " + value);
        }
    }
}
