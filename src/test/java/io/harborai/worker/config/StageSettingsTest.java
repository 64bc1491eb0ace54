package io.harborai.worker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.harborai.worker.cache.CacheSettings;
import io.harborai.worker.dispatch.PriorityGate;
import io.harborai.worker.metrics.snapshot.ReporterSettings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The stage records built from a config: each reads its own keys, and the worker's checks what only it needs. */
class StageSettingsTest {

    @Test
    void shouldReadThePriorityKeys() {
        assertThat(StageSettings.priority(HarborConfig.fromMap(Map.of("dispatch.batch-yield-grace-ms", 150))))
                .isEqualTo(new PriorityGate.Settings(true, 150));
        assertThat(StageSettings.priority(HarborConfig.fromMap(Map.of("dispatch.batch-yield", false)))
                        .enabled())
                .isFalse();
    }

    @Test
    void shouldCapTheDispatchBlockAtTheLongestCallAndTraceOnlyInFullMode() {
        HarborConfig c = HarborConfig.fromMap(
                Map.of("dispatch.max-block-ms", 9_000, "http.call-timeout-ms", 2_000, "metrics.mode", "full"));
        assertThat(StageSettings.dispatch(c).maxBlockMs()).isEqualTo(2_000);
        assertThat(StageSettings.dispatch(c).timingBreakdown()).isTrue();
        assertThat(StageSettings.dispatch(HarborConfig.fromMap(Map.of())).timingBreakdown())
                .isFalse();
    }

    @Test
    void shouldReadTheCacheKeysAndUseL2OnlyWithTheCacheOn() {
        CacheSettings cache = StageSettings.cache(HarborConfig.fromMap(Map.of(
                "cache.ttl-seconds",
                60,
                "cache.tenant-isolation",
                false,
                "cache.l1.max-bytes",
                1024,
                "cache.l2.key-prefix",
                "x:")));
        assertThat(cache).isEqualTo(new CacheSettings(true, false, Duration.ofSeconds(60), 1024, true, "x:"));
        assertThat(cache.usesL2()).isTrue();
        assertThat(StageSettings.cache(HarborConfig.fromMap(Map.of("cache.enabled", false)))
                        .usesL2())
                .isFalse();
    }

    @Test
    void shouldSendAlertsToTheMetricsTopicUnlessAnAlertsTopicIsSet() {
        ReporterSettings plain =
                StageSettings.reporter(HarborConfig.fromMap(Map.of("topics.metrics", "m", "metrics.interval-ms", 500)));
        assertThat(plain.alertsTopic()).isEqualTo("m");
        assertThat(plain.interval()).isEqualTo(Duration.ofMillis(500));
        assertThat(StageSettings.reporter(HarborConfig.fromMap(Map.of("topics.alerts", "a")))
                        .alertsTopic())
                .isEqualTo("a");
    }

    @Test
    void shouldGiveEveryKafkaClientTheBootstrapServers() {
        HarborConfig c = HarborConfig.fromMap(Map.of("kafka.client.dns.lookup", "use_all_dns_ips"));
        assertThat(StageSettings.batch(c).kafka())
                .containsEntry("bootstrap.servers", "localhost:9092")
                .containsEntry("client.dns.lookup", "use_all_dns_ips");
    }

    @Test
    void shouldRefuseAWorkerWithoutAProviderUnlessTheSimulatorIsAskedFor() {
        assertThatThrownBy(() -> WorkerSettings.from(HarborConfig.fromMap(Map.of())))
                .isInstanceOfSatisfying(
                        ConfigException.class,
                        e -> assertThat(e.problems()).containsExactly(WorkerSettings.NO_PROVIDER));
        assertThat(WorkerSettings.from(HarborConfig.fromMap(Map.of("simulator.enabled", true)))
                        .providers()
                        .configured())
                .isEmpty();
        assertThat(WorkerSettings.from(HarborConfig.fromMap(Map.of("simulator.url", "http://sim:1")))
                        .providers()
                        .simulatorUrl())
                .isEqualTo("http://sim:1");
    }

    @Test
    void shouldNeverShowTheRedisPassword() {
        WorkerSettings s = WorkerSettings.from(
                HarborConfig.fromMap(Map.of("simulator.enabled", true, "redis.url", "redis://:s3cret@host:6379")));
        assertThat(s.redisUrl().value()).isEqualTo("redis://:s3cret@host:6379");
        assertThat(s.toString()).doesNotContain("s3cret");
    }

    @Test
    void shouldReportCrossedConcurrencyBoundsWithTheOtherBadKeys() {
        assertThatThrownBy(() -> HarborConfig.fromMap(
                        Map.of("dispatch.concurrency-min", 50, "dispatch.concurrency-max", 10, "topics.partitions", 0)))
                .isInstanceOfSatisfying(
                        ConfigException.class,
                        e -> assertThat(e.problems())
                                .hasSize(2)
                                .anySatisfy(p -> assertThat(p).startsWith("topics.partitions"))
                                .anySatisfy(p -> assertThat(p)
                                        .isEqualTo("dispatch.concurrency-min: 50 exceeds "
                                                + "dispatch.concurrency-max (10)")));
    }
}
