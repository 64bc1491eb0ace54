package io.harborai.worker.config;

import static io.harborai.worker.config.HarborConfigDef.*;

import io.harborai.worker.batch.BatchSettings;
import io.harborai.worker.cache.CacheSettings;
import io.harborai.worker.dispatch.DispatchSettings;
import io.harborai.worker.dispatch.PriorityGate;
import io.harborai.worker.metrics.PerformanceMode;
import io.harborai.worker.metrics.alert.AlertSettings;
import io.harborai.worker.metrics.snapshot.ReporterSettings;
import io.harborai.worker.topology.TopicSettings;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Builds each stage's immutable settings record from a validated {@link HarborConfig}. Config flows
 * one way: the stages (dispatch, cache, metrics, alerts, batch) receive their record, which lives
 * in their own package, and never see the config or its keys; this class and {@link
 * WorkerSettings} are where the keys are read. The config was validated as a whole when it was
 * loaded, so nothing here reports a bad key. Stateless.
 */
public final class StageSettings {
    private StageSettings() {}

    /** Every {@code dispatch.*} and {@code breaker.*} key; {@code metrics.mode: full} turns on tracing. */
    public static DispatchSettings dispatch(HarborConfig c) {
        // A slot held by an in-flight call is freed within the longest call timeout: waiting longer
        // at the cap cannot help.
        long longestCall = c.providers().stream()
                .mapToLong(p -> p.callTimeout().toMillis())
                .max()
                .orElse(c.longValue(HTTP_CALL_TIMEOUT_MS));
        return new DispatchSettings(
                c.intValue(DISPATCH_MAX_IN_FLIGHT),
                c.longValue(DISPATCH_MAX_IN_FLIGHT_BYTES),
                c.intValue(DISPATCH_BATCH_MAX_COUNT),
                c.intValue(DISPATCH_BATCH_MAX_BYTES),
                c.longValue(DISPATCH_LINGER_MS),
                c.longValue(DISPATCH_PUNCTUATE_MS),
                Math.min(c.longValue(DISPATCH_MAX_BLOCK_MS), longestCall),
                c.intValue(DISPATCH_MAX_ATTEMPTS),
                c.longValue(DISPATCH_BACKOFF_BASE_MS),
                c.longValue(DISPATCH_BACKOFF_MAX_MS),
                c.doubleValue(DISPATCH_RETRY_BUDGET_RATIO),
                c.list(DISPATCH_DEFAULT_FALLBACK_MODELS),
                c.longValue(DISPATCH_MAX_QUEUE_MS),
                c.longValue(DISPATCH_BATCH_COMPLETION_WINDOW_MS),
                c.intValue(DISPATCH_MAX_REDISPATCHES),
                c.longValue(DISPATCH_HANDOVER_WAIT_MS),
                c.intValue(DISPATCH_CONCURRENCY_MIN),
                c.intValue(DISPATCH_CONCURRENCY_INITIAL),
                c.intValue(DISPATCH_CONCURRENCY_MAX),
                c.intValue(BREAKER_FAILURE_RATE_PERCENT),
                c.intValue(BREAKER_WINDOW_CALLS),
                c.longValue(BREAKER_OPEN_MS),
                c.intValue(BREAKER_HALF_OPEN_CALLS),
                mode(c).timingBreakdown());
    }

    /** {@code dispatch.batch-yield} and its grace period: online before batch. */
    public static PriorityGate.Settings priority(HarborConfig c) {
        return new PriorityGate.Settings(c.bool(DISPATCH_BATCH_YIELD), c.longValue(DISPATCH_BATCH_YIELD_GRACE_MS));
    }

    /** The {@code cache.*} keys. */
    public static CacheSettings cache(HarborConfig c) {
        return new CacheSettings(
                c.bool(CACHE_ENABLED),
                c.bool(CACHE_TENANT_ISOLATION),
                Duration.ofSeconds(c.intValue(CACHE_TTL_SECONDS)),
                c.longValue(CACHE_L1_MAX_BYTES),
                c.bool(CACHE_L2_ENABLED),
                c.string(CACHE_L2_KEY_PREFIX));
    }

    /** The {@code alerts.*} keys: the rules' thresholds, their hysteresis counts and the webhook. */
    public static AlertSettings alerts(HarborConfig c) {
        return new AlertSettings(
                c.bool(ALERTS_ENABLED),
                c.string(ALERTS_WEBHOOK_URL),
                c.intValue(ALERTS_FIRE_AFTER),
                c.intValue(ALERTS_RESOLVE_AFTER),
                c.doubleValue(ALERTS_LATENCY_P95_MS),
                c.doubleValue(ALERTS_ERROR_RATE),
                c.doubleValue(ALERTS_HEAP_USED_RATIO),
                c.doubleValue(ALERTS_CACHE_HIT_RATE_MIN),
                c.doubleValue(ALERTS_DLQ_PER_SECOND),
                c.longValue(ALERTS_CONSUMER_LAG));
    }

    /** {@code metrics.mode}, {@code metrics.interval-ms}, the metrics and alerts topics and the alerts. */
    public static ReporterSettings reporter(HarborConfig c) {
        TopicSettings topics = topics(c);
        return new ReporterSettings(
                c.string(METRICS_MODE),
                Duration.ofMillis(c.longValue(METRICS_INTERVAL_MS)),
                topics.metrics(),
                topics.alertsOrMetrics(),
                alerts(c));
    }

    /** The {@code topics.*} keys. */
    public static TopicSettings topics(HarborConfig c) {
        return new TopicSettings(
                c.string(TOPIC_REQUESTS),
                c.string(TOPIC_REQUESTS_BATCH),
                c.string(TOPIC_RESULTS),
                c.string(TOPIC_DLQ),
                c.string(TOPIC_METRICS),
                c.string(TOPIC_ALERTS),
                c.string(TOPIC_BATCHES),
                c.string(TOPIC_BATCH_PROGRESS),
                c.string(TOPIC_REPLIES),
                c.string(TOPIC_BATCH_CONTROL),
                c.string(TOPIC_FILES),
                c.longValue(TOPIC_FILES_RETENTION_MS),
                c.bool(TOPICS_CREATE),
                c.intValue(TOPICS_PARTITIONS),
                c.shortValue(TOPICS_REPLICATION));
    }

    /** What {@code harbor submit} connects to: the cluster, the registry and the topics. */
    public static BatchSettings batch(HarborConfig c) {
        return new BatchSettings(kafkaClients(c), c.schemaRegistryUrl(), topics(c));
    }

    /** The properties every Kafka client gets: the {@code kafka.*} keys with {@code bootstrap.servers}. */
    public static Map<String, Object> kafkaClients(HarborConfig c) {
        Map<String, Object> p = new HashMap<>(c.kafka());
        p.put("bootstrap.servers", c.kafkaBootstrap());
        return Map.copyOf(p);
    }

    /** {@code metrics.mode}. */
    public static PerformanceMode mode(HarborConfig c) {
        return PerformanceMode.of(c.string(METRICS_MODE));
    }
}
