package io.harborai.worker.dispatch.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LocalRateLimiterTest {

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    private LocalRateLimiter limiter(double share, RateLimitSpec... specs) {
        return new LocalRateLimiter(List.of(specs), share, nanos::get);
    }

    private void advanceMillis(long ms) {
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
    }

    private static int acquireAll(RateLimiter limiter, String provider, long tokens) {
        int granted = 0;
        while (granted < 1_000_000 && limiter.tryAcquire(provider, tokens)) {
            granted++;
        }
        return granted;
    }

    @Test
    void shouldGrantADefaultBurstOfTenSecondsThenRefuse() {
        LocalRateLimiter limiter = limiter(1.0, RateLimitSpec.of("p", 600, 0));
        assertThat(acquireAll(limiter, "p", 0)).isEqualTo(100);
        assertThat(limiter.tryAcquire("p", 0)).isFalse();
    }

    @Test
    void shouldRefillAtThePerMinuteRate() {
        LocalRateLimiter limiter = limiter(1.0, RateLimitSpec.of("p", 600, 0));
        acquireAll(limiter, "p", 0);
        advanceMillis(99);
        assertThat(limiter.tryAcquire("p", 0)).isFalse();
        advanceMillis(1);
        assertThat(limiter.tryAcquire("p", 0)).isTrue();
        advanceMillis(5_000);
        assertThat(acquireAll(limiter, "p", 0)).isEqualTo(50);
    }

    @Test
    void shouldNeverHoldMoreThanTheBurstAfterIdling() {
        LocalRateLimiter limiter = limiter(1.0, new RateLimitSpec("p", 600, 0, 20, 0));
        advanceMillis(3_600_000);
        assertThat(acquireAll(limiter, "p", 0)).isEqualTo(20);
    }

    @Test
    void shouldTakeNeitherRequestNorTokensWhenTokensAreShort() {
        LocalRateLimiter limiter = limiter(1.0, new RateLimitSpec("p", 600, 60_000, 5, 1_000));
        assertThat(limiter.tryAcquire("p", 800)).isTrue();
        assertThat(limiter.tryAcquire("p", 300)).isFalse();
        // The refused call took no request permit: four more small calls still fit.
        assertThat(acquireAll(limiter, "p", 50)).isEqualTo(4);
        assertThat(limiter.availableTokens("p")).isCloseTo(0, within(1e-9));
    }

    @Test
    void shouldTakeNoTokensWhenRequestsAreShort() {
        LocalRateLimiter limiter = limiter(1.0, new RateLimitSpec("p", 60, 60_000, 1, 10_000));
        assertThat(limiter.tryAcquire("p", 100)).isTrue();
        assertThat(limiter.tryAcquire("p", 100)).isFalse();
        assertThat(limiter.availableTokens("p")).isCloseTo(9_900, within(1e-9));
    }

    @Test
    void shouldAdmitARequestLargerThanTheBucketWhenFullAndMakeLaterOnesWaitOffItsDebt() {
        LocalRateLimiter limiter = limiter(1.0, new RateLimitSpec("p", 0, 60_000, 0, 1_000));
        assertThat(limiter.tryAcquire("p", 3_000)).isTrue();
        assertThat(limiter.availableTokens("p")).isCloseTo(-2_000, within(1e-9));
        advanceMillis(1_900); // 1,000 tokens/s: still 100 short of zero
        assertThat(limiter.tryAcquire("p", 1)).isFalse();
        advanceMillis(101);
        assertThat(limiter.tryAcquire("p", 1)).isTrue();
    }

    @Test
    void shouldRefundUnusedTokensUpToAFullBucket() {
        LocalRateLimiter limiter = limiter(1.0, new RateLimitSpec("p", 0, 60_000, 0, 1_000));
        assertThat(limiter.tryAcquire("p", 900)).isTrue();
        limiter.recordUsage("p", 900, 100);
        assertThat(limiter.availableTokens("p")).isCloseTo(900, within(1e-9));
        limiter.recordUsage("p", 900, 0);
        assertThat(limiter.availableTokens("p")).isCloseTo(1_000, within(1e-9));
    }

    @Test
    void shouldDebitExtraUsageButNotBelowMinusOneBucket() {
        LocalRateLimiter limiter = limiter(1.0, new RateLimitSpec("p", 0, 60_000, 0, 1_000));
        assertThat(limiter.tryAcquire("p", 100)).isTrue();
        limiter.recordUsage("p", 100, 600);
        assertThat(limiter.availableTokens("p")).isCloseTo(400, within(1e-9));
        limiter.recordUsage("p", 100, 1_000_000);
        assertThat(limiter.availableTokens("p")).isCloseTo(-1_000, within(1e-9));
    }

    @Test
    void shouldIgnoreNegativeActualUsage() {
        LocalRateLimiter limiter = limiter(1.0, new RateLimitSpec("p", 0, 60_000, 0, 1_000));
        limiter.tryAcquire("p", 500);
        limiter.recordUsage("p", 500, -1);
        assertThat(limiter.availableTokens("p")).isCloseTo(500, within(1e-9));
    }

    @Test
    void shouldLeaveUnlimitedDimensionsAndUnknownProvidersUnlimited() {
        LocalRateLimiter limiter = limiter(
                1.0,
                RateLimitSpec.of("rpm-only", 6, 0),
                RateLimitSpec.of("tpm-only", 0, 600),
                RateLimitSpec.of("none", 0, 0));
        assertThat(acquireAll(limiter, "rpm-only", 1_000_000_000)).isEqualTo(1);
        assertThat(acquireAll(limiter, "tpm-only", 0)).isEqualTo(1_000_000);
        assertThat(acquireAll(limiter, "none", 1_000_000_000)).isEqualTo(1_000_000);
        assertThat(acquireAll(limiter, "unknown", 1_000_000_000)).isEqualTo(1_000_000);
    }

    @Test
    void shouldEnforceOnlyTheLocalShareOfEachLimit() {
        LocalRateLimiter limiter = limiter(0.25, RateLimitSpec.of("p", 600, 0));
        assertThat(acquireAll(limiter, "p", 0)).isEqualTo(25);
        advanceMillis(4_000); // 2.5 req/s
        assertThat(acquireAll(limiter, "p", 0)).isEqualTo(10);
    }

    @Test
    void shouldRejectAShareOutsideZeroToOne() {
        assertThatThrownBy(() -> limiter(0, RateLimitSpec.of("p", 1, 0))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> limiter(1.5, RateLimitSpec.of("p", 1, 0)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
