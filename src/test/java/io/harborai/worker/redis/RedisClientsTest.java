package io.harborai.worker.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.redisson.config.Config;

class RedisClientsTest {

    @Test
    void shouldHandTheCredentialsToRedissonApartFromTheAddress() {
        RedisClients.RedisUrl url = RedisClients.RedisUrl.parse("rediss://worker:s3cr%40t@cache.example:6380/2");
        assertThat(url.address()).isEqualTo("rediss://cache.example:6380");
        assertThat(url.username()).isEqualTo("worker");
        assertThat(url.password()).isEqualTo("s3cr@t");
        assertThat(url.database()).isEqualTo(2);
        assertThat(url.toString()).doesNotContain("s3cr");

        Config config = RedisClients.redissonConfig(url);
        assertThat(config.useSingleServer().getAddress()).doesNotContain("s3cr");
        assertThat(config.getUsername()).isEqualTo("worker");
    }

    @Test
    void shouldTakeAPasswordWithoutAUserAndDefaultThePort() {
        RedisClients.RedisUrl url = RedisClients.RedisUrl.parse("redis://:pw@localhost");
        assertThat(url.address()).isEqualTo("redis://localhost:6379");
        assertThat(url.username()).isNull();
        assertThat(url.password()).isEqualTo("pw");
        Config config = RedisClients.redissonConfig(url);
        assertThat(config.getPassword()).isEqualTo("pw");
        assertThat(config.useSingleServer().getTimeout()).isEqualTo(RedisClients.COMMAND_TIMEOUT_MS);
    }

    @Test
    void shouldRejectABadUrlWithoutQuotingIt() {
        assertThatThrownBy(() -> RedisClients.RedisUrl.parse("redis://u:p@ss w0rd@host:6379"))
                .isInstanceOf(IllegalArgumentException.class)
                .message()
                .doesNotContain("w0rd");
        assertThatThrownBy(() -> RedisClients.RedisUrl.parse("http://host:6379"))
                .hasMessageContaining("redis://");
    }

    @Test
    void shouldTellARefusalOfTheCredentialsFromAnOutage() {
        assertThat(RedisClients.refusal(new RuntimeException(
                        "Unable to connect", new IllegalStateException("WRONGPASS invalid username-password pair"))))
                .isEqualTo("WRONGPASS");
        assertThat(RedisClients.refusal(new RuntimeException("NOAUTH Authentication required.")))
                .isEqualTo("NOAUTH");
        assertThat(RedisClients.refusal(new RuntimeException("NOPERM this user has no permissions")))
                .isEqualTo("NOPERM");
        assertThat(RedisClients.refusal(new RuntimeException("Unable to connect to Redis server: 127.0.0.1:1")))
                .isNull();
    }
}
