package io.harborai.worker.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.harborai.worker.provider.ErrorCode;
import io.harborai.worker.testinfra.MutableClock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Backoff, retry budget, adaptive limit and breaker, each on a hand-moved clock. */
class DispatchPartsTest {
    private final MutableClock clock = new MutableClock(1_700_000_000_000L);

    @Test
    void shouldBoundFullJitterBackoffByTheExponentialCeiling() {
        RetryPolicy low = new RetryPolicy(100, 1_000, () -> 0.0);
        RetryPolicy high = new RetryPolicy(100, 1_000, () -> 0.999_999);
        assertThat(low.delayMs(3, null)).isZero();
        assertThat(high.ceilingMs(1)).isEqualTo(100);
        assertThat(high.ceilingMs(3)).isEqualTo(400);
        assertThat(high.ceilingMs(5)).isEqualTo(1_000);
        assertThat(high.ceilingMs(60)).isEqualTo(1_000);
        assertThat(high.delayMs(3, null)).isBetween(399L, 400L);
    }

    @Test
    void shouldNeverWaitLessThanRetryAfter() {
        RetryPolicy p = new RetryPolicy(100, 1_000, () -> 0.5);
        assertThat(p.delayMs(1, Duration.ofSeconds(7))).isEqualTo(7_000);
        assertThat(p.delayMs(1, Duration.ZERO)).isEqualTo(50);
    }

    @Test
    void shouldAllowRetriesUpToTheBudgetRatioThenRefillAsTheWindowSlides() {
        RetryBudget budget = new RetryBudget(0.2, clock);
        for (int i = 0; i < 100; i++) {
            budget.recordFirstAttempt();
        }
        int allowed = 0;
        while (budget.tryAcquireRetry()) {
            allowed++;
        }
        assertThat(allowed).isEqualTo(20 + RetryBudget.MIN_RETRIES_PER_WINDOW);
        clock.advance(RetryBudget.BUCKETS * 1_000L);
        assertThat(budget.tryAcquireRetry()).as("old retries left the window").isTrue();
    }

    @Test
    void shouldRaiseTheLimitOnSuccessAndLowerItOnOverloadWithinBounds() {
        AdaptiveLimit limit = new AdaptiveLimit(2, 4, 6, 1_000, clock);
        for (int i = 0; i < 10; i++) {
            while (limit.tryAcquire()) {
                // fill the limit: growth needs a busy lane
            }
            limit.release(AdaptiveLimit.Signal.SUCCESS);
            while (limit.inFlight() > 0) {
                limit.cancel();
            }
        }
        assertThat(limit.limit()).isEqualTo(6);
        limit.tryAcquire();
        limit.release(AdaptiveLimit.Signal.OVERLOAD);
        assertThat(limit.limit()).isEqualTo(5);
        limit.tryAcquire();
        limit.release(AdaptiveLimit.Signal.OVERLOAD);
        assertThat(limit.limit()).as("one decrease per cooldown").isEqualTo(5);
        for (int i = 0; i < 20; i++) {
            clock.advance(1_000);
            limit.tryAcquire();
            limit.release(AdaptiveLimit.Signal.OVERLOAD);
        }
        assertThat(limit.limit()).isEqualTo(2);
    }

    @Test
    void shouldNotGrowTheLimitOfAnIdleLane() {
        AdaptiveLimit limit = new AdaptiveLimit(1, 10, 100, 1_000, clock);
        for (int i = 0; i < 50; i++) {
            limit.tryAcquire();
            limit.release(AdaptiveLimit.Signal.SUCCESS);
        }
        assertThat(limit.limit()).isEqualTo(10);
    }

    @Test
    void shouldLowerTheLaneLimitOn429And5xxAndTimeoutsButNotOnRequestErrors() {
        assertThat(ProviderLane.overload(ErrorCode.RATE_LIMITED)).isTrue();
        assertThat(ProviderLane.overload(ErrorCode.PROVIDER_ERROR)).isTrue();
        assertThat(ProviderLane.overload(ErrorCode.TIMEOUT)).isTrue();
        assertThat(ProviderLane.overload(ErrorCode.PROVIDER_REJECTED)).isFalse();
        assertThat(ProviderLane.providerFault(ErrorCode.RATE_LIMITED))
                .as("429 does not open the breaker")
                .isFalse();
    }

    @Test
    void shouldOpenHalfOpenAndCloseTheBreakerOnTheInjectedClock() {
        DispatchSettings s = EngineFixtures.settings(Map.of(
                "breaker.window-calls",
                4,
                "breaker.failure-rate-percent",
                50,
                "breaker.open-ms",
                10_000,
                "breaker.half-open-calls",
                2));
        ProviderLane lane = new ProviderLane("p", s, clock);
        for (int i = 0; i < 4; i++) {
            assertThat(lane.tryAdmit()).isEqualTo(ProviderLane.Admission.ADMITTED);
            lane.onOutcome(EngineFixtures.failure(ErrorCode.PROVIDER_ERROR, 500, null));
        }
        assertThat(lane.breakerState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(lane.tryAdmit()).isEqualTo(ProviderLane.Admission.CIRCUIT_OPEN);
        clock.advance(10_000);
        assertThat(lane.tryAdmit())
                .as("open until strictly after open-ms")
                .isEqualTo(ProviderLane.Admission.CIRCUIT_OPEN);
        clock.advance(1);
        assertThat(lane.tryAdmit()).isEqualTo(ProviderLane.Admission.ADMITTED);
        assertThat(lane.breakerState()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
        assertThat(lane.tryAdmit()).isEqualTo(ProviderLane.Admission.ADMITTED);
        assertThat(lane.tryAdmit()).as("only the probes pass").isEqualTo(ProviderLane.Admission.CIRCUIT_OPEN);
        lane.onOutcome(EngineFixtures.success("ok"));
        lane.onOutcome(EngineFixtures.success("ok"));
        assertThat(lane.breakerState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(lane.limit().inFlight()).isZero();
    }

    @Test
    void shouldKeepBatchCallsWithinTheirShareOfALaneWhileOnlineCallsStillGetSlots() {
        var lane = new ProviderLane(
                "p", EngineFixtures.settings(java.util.Map.of("dispatch.concurrency-initial", 8)), new MutableClock(0));
        assertThat(lane.tryAdmit(0.25)).isEqualTo(ProviderLane.Admission.ADMITTED);
        assertThat(lane.tryAdmit(0.25)).isEqualTo(ProviderLane.Admission.ADMITTED);
        assertThat(lane.tryAdmit(0.25)).as("2 of 8 slots is the batch share").isEqualTo(ProviderLane.Admission.BUSY);
        for (int i = 0; i < 6; i++) {
            assertThat(lane.tryAdmit()).as("online call %d", i).isEqualTo(ProviderLane.Admission.ADMITTED);
        }
        assertThat(lane.tryAdmit()).isEqualTo(ProviderLane.Admission.BUSY);
        lane.onOutcome(EngineFixtures.success("x"), 0.25, false);
        assertThat(lane.lowInFlight()).isEqualTo(1);
        lane.cancel(1.0);
        assertThat(lane.tryAdmit(0.25))
                .as("a batch slot and a lane slot are free again")
                .isEqualTo(ProviderLane.Admission.ADMITTED);
    }
}
