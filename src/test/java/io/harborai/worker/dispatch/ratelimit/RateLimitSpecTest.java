package io.harborai.worker.dispatch.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RateLimitSpecTest {

    @Test
    void shouldDefaultTheBurstToASixthOfTheLimitAndAtLeastOne() {
        RateLimitSpec spec = RateLimitSpec.of("openai", 600, 100_000);
        assertThat(spec.effectiveRequestBurst()).isEqualTo(100);
        assertThat(spec.effectiveTokenBurst()).isEqualTo(16_667);
        assertThat(RateLimitSpec.of("slow", 3, 0).effectiveRequestBurst()).isEqualTo(1);
    }

    @Test
    void shouldKeepAGivenBurstAndNoneForAnUnlimitedDimension() {
        RateLimitSpec spec = new RateLimitSpec("p", 600, 0, 7, 99);
        assertThat(spec.effectiveRequestBurst()).isEqualTo(7);
        assertThat(spec.effectiveTokenBurst()).isZero();
        assertThat(spec.limited()).isTrue();
        assertThat(RateLimitSpec.of("p", 0, 0).limited()).isFalse();
    }

    @Test
    void shouldRejectNegativeValuesAndNamesThatWouldBreakTheRedisHashTag() {
        assertThatThrownBy(() -> RateLimitSpec.of("p", -1, 0)).hasMessageContaining("requestsPerMinute");
        assertThatThrownBy(() -> RateLimitSpec.of("a}b", 1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RateLimitSpec.of("", 1, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
