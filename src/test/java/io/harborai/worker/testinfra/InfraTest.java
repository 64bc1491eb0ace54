package io.harborai.worker.testinfra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class InfraTest {

    @Test
    void shouldTakeAddressesFromTheEnvironmentWithoutProbingDocker() {
        AtomicInteger probes = new AtomicInteger();
        Map<String, String> env = Map.of(
                Infra.KAFKA_ENV, " broker-1:9092,broker-2:9092 ",
                Infra.REDIS_ENV, "redis://cache:6379");
        try (Infra infra = new Infra(env::get, () -> probes.incrementAndGet() > 0)) {
            assertThat(infra.kafkaBootstrap()).isEqualTo("broker-1:9092,broker-2:9092");
            assertThat(infra.redisUrl()).isEqualTo("redis://cache:6379");
            assertThat(infra.kafkaRung()).isEqualTo(Rung.ENVIRONMENT);
            assertThat(infra.source()).isEqualTo("kafka=ENVIRONMENT redis=ENVIRONMENT");
            assertThat(probes).hasValue(0);
        }
    }

    @Test
    void shouldRefuseToRestartARedisItDoesNotOwn() {
        try (Infra infra = new Infra(Map.of(Infra.REDIS_ENV, "redis://cache:6379")::get, () -> false)) {
            assertThat(infra.canRestartRedis()).isFalse();
            assertThatThrownBy(infra::stopRedis).isInstanceOf(UnsupportedOperationException.class);
            assertThat(infra.source()).isEqualTo("redis=ENVIRONMENT");
        }
    }

    /**
     * "Quickly" is the mechanism, not a clock: Testcontainers' own probe walks several strategies
     * (seconds where no engine answers), so it must not run unless a socket or DOCKER_HOST hints
     * at an engine.
     */
    @Test
    void shouldAnswerQuicklyWhenNoDockerEngineIsThere() {
        AtomicInteger probes = new AtomicInteger();
        assertThat(Containers.dockerAvailable(() -> false, () -> probes.incrementAndGet() > 0))
                .isFalse();
        assertThat(probes).as("Testcontainers asked without a hint").hasValue(0);
        assertThat(Containers.dockerAvailable(() -> true, () -> probes.incrementAndGet() > 0))
                .isTrue();
        assertThat(probes).hasValue(1);
        if (!Containers.dockerHinted()) {
            assertThat(Containers.dockerAvailable()).isFalse();
        }
    }

    @Test
    void shouldMakeUniqueLegalTopicNames() {
        String a = Topics.unique("requests");
        String b = Topics.unique("requests");
        assertThat(a).isNotEqualTo(b).startsWith("requests-").matches("[a-zA-Z0-9._-]+");
        assertThatThrownBy(() -> Topics.unique("bad name")).isInstanceOf(IllegalArgumentException.class);
    }
}
