package io.harborai.worker.dispatch.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FailoverRateLimiterTest {

    private final AtomicLong nanos = new AtomicLong();
    private final FakeShared shared = new FakeShared();
    private final LocalRateLimiter local =
            new LocalRateLimiter(List.of(new RateLimitSpec("p", 60, 0, 3, 0)), 1.0, nanos::get);
    private final FailoverRateLimiter limiter =
            new FailoverRateLimiter(shared, local, nanos::get, Duration.ofSeconds(1));

    @Test
    void shouldAnswerFromTheSharedLimiterWhileItIsUp() {
        shared.answer = false;
        assertThat(limiter.tryAcquire("p", 10)).isFalse();
        assertThat(shared.acquires).hasValue(1);
        assertThat(limiter.usingShared()).isTrue();
        assertThat(limiter.errors()).isZero();
    }

    @Test
    void shouldFallBackToLocalLimitsNotToUnlimitedWhenTheSharedLimiterFails() {
        shared.down = true;
        assertThat(limiter.tryAcquire("p", 0)).isTrue();
        assertThat(limiter.tryAcquire("p", 0)).isTrue();
        assertThat(limiter.tryAcquire("p", 0)).isTrue();
        assertThat(limiter.tryAcquire("p", 0)).isFalse();
        assertThat(limiter.usingShared()).isFalse();
        assertThat(limiter.errors()).isEqualTo(1);
        assertThat(limiter.failovers()).isEqualTo(1);
        assertThat(shared.acquires)
                .as("no shared calls after the first failure")
                .hasValue(1);
    }

    @Test
    void shouldProbeAtMostOncePerIntervalAndReturnWhenAProbeSucceeds() {
        shared.down = true;
        limiter.tryAcquire("p", 0);
        nanos.addAndGet(Duration.ofMillis(999).toNanos());
        limiter.tryAcquire("p", 0);
        assertThat(shared.probes).hasValue(0);

        nanos.addAndGet(Duration.ofMillis(1).toNanos());
        limiter.tryAcquire("p", 0);
        limiter.tryAcquire("p", 0);
        assertThat(shared.probes).hasValue(1);
        assertThat(limiter.errors()).isEqualTo(2);
        assertThat(limiter.usingShared()).isFalse();

        shared.down = false;
        nanos.addAndGet(Duration.ofSeconds(1).toNanos());
        limiter.tryAcquire("p", 0);
        assertThat(shared.probes).hasValue(2);
        assertThat(limiter.usingShared()).isTrue();
        limiter.tryAcquire("p", 0);
        assertThat(shared.acquires).hasValue(2);
    }

    @Test
    void shouldSendUsageToTheActiveLimiterAndCountFailedReports() {
        limiter.recordUsage("p", 10, 5);
        assertThat(shared.usageReports).hasValue(1);
        shared.failUsage = true;
        limiter.recordUsage("p", 10, 5);
        assertThat(limiter.errors()).isEqualTo(1);
        assertThat(limiter.usingShared())
                .as("a lost usage report alone does not fail over")
                .isTrue();
    }

    @Test
    void shouldCloseTheSharedLimiter() {
        limiter.close();
        assertThat(shared.closed).isTrue();
    }

    /** A shared limiter that answers synchronously and can be switched off. */
    private static final class FakeShared implements SharedRateLimiter {
        volatile boolean down;
        volatile boolean failUsage;
        volatile boolean answer = true;
        volatile boolean closed;
        final AtomicInteger acquires = new AtomicInteger();
        final AtomicInteger probes = new AtomicInteger();
        final AtomicInteger usageReports = new AtomicInteger();

        @Override
        public boolean tryAcquire(String provider, long estimatedTokens) {
            acquires.incrementAndGet();
            if (down) {
                throw new RateLimiterUnavailableException("down", null);
            }
            return answer;
        }

        @Override
        public CompletionStage<Void> recordUsageAsync(String provider, long estimatedTokens, long actualTokens) {
            usageReports.incrementAndGet();
            return failUsage
                    ? CompletableFuture.failedFuture(new IllegalStateException("lost"))
                    : CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Void> probe() {
            probes.incrementAndGet();
            return down
                    ? CompletableFuture.failedFuture(new IllegalStateException("still down"))
                    : CompletableFuture.completedFuture(null);
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
