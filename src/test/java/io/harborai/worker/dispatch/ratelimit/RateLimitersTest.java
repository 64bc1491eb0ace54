package io.harborai.worker.dispatch.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.redisson.config.Config;

class RateLimitersTest {

    @Test
    void shouldBeUnlimitedWithoutConnectingWhenNoProviderHasALimit() {
        RateLimiter limiter = RateLimiters.create("redis://unreachable.invalid:1",
                List.of(RateLimitSpec.of("p", 0, 0)), 1.0);
        assertThat(limiter.tryAcquire("p", Long.MAX_VALUE)).isTrue();
        assertThat(RateLimiters.create("redis://x:1", List.of(), 1.0).tryAcquire("q", 1)).isTrue();
    }

    @Test
    void shouldHandTheCredentialsToRedissonApartFromTheAddress() {
        RateLimiters.RedisUrl url = RateLimiters.RedisUrl.parse("rediss://worker:s3cr%40t@cache.example:6380/2");
        assertThat(url.address()).isEqualTo("rediss://cache.example:6380");
        assertThat(url.username()).isEqualTo("worker");
        assertThat(url.password()).isEqualTo("s3cr@t");
        assertThat(url.database()).isEqualTo(2);
        assertThat(url.toString()).doesNotContain("s3cr");

        Config config = RateLimiters.redissonConfig(url);
        assertThat(config.useSingleServer().getAddress()).doesNotContain("s3cr");
        assertThat(config.getUsername()).isEqualTo("worker");
    }

    @Test
    void shouldTakeAPasswordWithoutAUserAndDefaultThePort() {
        RateLimiters.RedisUrl url = RateLimiters.RedisUrl.parse("redis://:pw@localhost");
        assertThat(url.address()).isEqualTo("redis://localhost:6379");
        assertThat(url.username()).isNull();
        assertThat(url.password()).isEqualTo("pw");
        Config config = RateLimiters.redissonConfig(url);
        assertThat(config.getPassword()).isEqualTo("pw");
        assertThat(config.useSingleServer().getTimeout()).isEqualTo(RateLimiters.COMMAND_TIMEOUT_MS);
    }

    @Test
    void shouldRejectABadUrlWithoutQuotingIt() {
        assertThatThrownBy(() -> RateLimiters.RedisUrl.parse("redis://u:p@ss w0rd@host:6379"))
                .isInstanceOf(IllegalArgumentException.class)
                .message().doesNotContain("w0rd");
        assertThatThrownBy(() -> RateLimiters.RedisUrl.parse("http://host:6379"))
                .hasMessageContaining("redis://");
    }
}
