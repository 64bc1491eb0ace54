package io.harborai.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.harborai.worker.config.HarborConfig;
import io.harborai.worker.dispatch.ratelimit.RateLimiter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Assembly without a broker: what a start that fails half-way leaves behind. */
class HarborWorkerTest {

    @Test
    void shouldCloseWhatAFailedStartOpened() {
        String appId = "failed-start-" + UUID.randomUUID().toString().substring(0, 8);
        // Everything up to the metrics endpoint is built (simulator, reporter, both Streams apps);
        // the endpoint then refuses a registry that is not a Prometheus one.
        HarborConfig config = HarborConfig.fromMap(Map.of(
                "kafka.bootstrap.servers",
                "localhost:1",
                "worker.application-id",
                appId,
                "topics.create",
                false,
                "cache.l2.enabled",
                false,
                "simulator.enabled",
                true,
                "metrics.port",
                1));

        assertThatThrownBy(() -> HarborWorker.start(config, RateLimiter.unlimited(), new SimpleMeterRegistry()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs a Prometheus registry");

        // The reporter's producer and the apps' clients name their threads after the application id.
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(threadsOf(appId)).isEmpty());
    }

    private static List<String> threadsOf(String appId) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(n -> n.contains(appId))
                .toList();
    }
}
