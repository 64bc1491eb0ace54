package io.harborai.worker.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.harborai.worker.testinfra.HarborIntegrationTest;
import io.harborai.worker.testinfra.Infra;
import io.harborai.worker.testinfra.Rung;
import io.harborai.worker.testinfra.Topics;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.Redisson;
import org.redisson.api.RBucket;
import org.redisson.api.RedissonClient;
import org.redisson.client.RedisException;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;
import org.redisson.config.ConstantDelay;

@HarborIntegrationTest
class EmbeddedRedisIT {

    private static final int TIMEOUT_MS = 500;
    private static final int RETRY_ATTEMPTS = 1;
    private static final Duration RETRY_DELAY = Duration.ofMillis(100);
    /** The longest Redisson should take to give up on a command while Redis is down. */
    private static final Duration GIVES_UP_AFTER = Duration.ofMillis(TIMEOUT_MS)
            .plus(Duration.ofMillis(TIMEOUT_MS).plus(RETRY_DELAY).multipliedBy(RETRY_ATTEMPTS + 1));

    private static RedissonClient redisson;

    @BeforeAll
    static void connect(Infra infra) {
        Config config = new Config();
        config.setCodec(StringCodec.INSTANCE);
        // Fail fast while Redis is down, reconnect fast when it is back: an outage test should take
        // about a second, not Redisson's default 3 retries x 1.5 s plus exponential reconnects.
        config.useSingleServer()
                .setAddress(infra.redisUrl())
                .setConnectTimeout(TIMEOUT_MS)
                .setTimeout(TIMEOUT_MS)
                .setRetryAttempts(RETRY_ATTEMPTS)
                .setRetryDelay(new ConstantDelay(RETRY_DELAY))
                .setReconnectionDelay(new ConstantDelay(Duration.ofMillis(100)))
                .setConnectionMinimumIdleSize(1)
                .setConnectionPoolSize(2)
                .setSubscriptionConnectionMinimumIdleSize(0);
        redisson = Redisson.create(config);
    }

    @AfterAll
    static void disconnect() {
        if (redisson != null) {
            redisson.shutdown();
        }
    }

    @Test
    void shouldStoreValuesWithTtlAndExpireThem(Infra infra) {
        RBucket<String> kept = redisson.getBucket(Topics.unique("kept"));
        kept.set("value", Duration.ofSeconds(30));
        assertThat(kept.get()).isEqualTo("value");
        assertThat(kept.remainTimeToLive()).isBetween(1L, 30_000L);

        RBucket<String> shortLived = redisson.getBucket(Topics.unique("short"));
        shortLived.set("gone soon", Duration.ofMillis(200));
        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> shortLived.get() == null);

        if (System.getenv(Infra.REDIS_ENV) == null) {
            assertThat(infra.redisRung()).isNotEqualTo(Rung.ENVIRONMENT);
        }
    }

    @Test
    void shouldFailWhileRedisIsDownAndRecoverOnTheSamePort(Infra infra) {
        Assumptions.assumeTrue(
                infra.canRestartRedis(), "Redis from rung " + infra.redisRung() + " cannot be restarted");
        String url = infra.redisUrl();
        RBucket<String> bucket = redisson.getBucket(Topics.unique("outage"));
        bucket.set("before");

        infra.stopRedis();
        try {
            long t0 = System.nanoTime();
            assertThatThrownBy(bucket::get).isInstanceOf(RedisException.class);
            // A hang guard, not a latency check: a generous multiple of Redisson's own give-up time.
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(GIVES_UP_AFTER.multipliedBy(5));
        } finally {
            infra.startRedis();
        }

        assertThat(infra.redisUrl()).isEqualTo(url);
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(100))
                .ignoreExceptions()
                .untilAsserted(() -> {
                    bucket.set("after", Duration.ofSeconds(30));
                    assertThat(bucket.get()).isEqualTo("after");
                });
    }
}
