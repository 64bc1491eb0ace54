package io.harborai.worker.dispatch.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RateLimitersTest {

    @Test
    void shouldBeUnlimitedWithoutConnectingWhenNoProviderHasALimit() {
        RateLimiter limiter =
                RateLimiters.create("redis://unreachable.invalid:1", List.of(RateLimitSpec.of("p", 0, 0)), 1.0);
        assertThat(limiter.tryAcquire("p", Long.MAX_VALUE)).isTrue();
        assertThat(RateLimiters.create("redis://x:1", List.of(), 1.0).tryAcquire("q", 1))
                .isTrue();
    }
}
