package io.harborai.worker.config;

import org.apache.kafka.common.config.ConfigDef;

/**
 * Every worker setting outside {@code kafka.*} and {@code providers.*}: its name, type, default,
 * allowed range and documentation, in the style of Kafka's own {@code StreamsConfig}.
 *
 * <p>Keys are the dotted paths of the YAML file ({@code topics: {results: x}} is
 * {@code topics.results}). {@code kafka.*} keys pass through to the Kafka clients unchanged;
 * {@code providers.<name>.*} keys are checked by {@link HarborConfig} itself.
 *
 * <p>Where keys live: every key's name constant is here (the one list of all keys), grouped by
 * area; its type, default, range and doc are in the {@code *Defs} class named above its group.
 */
public final class HarborConfigDef {
    private HarborConfigDef() {}

    // ConnectionDefs
    public static final String SCHEMA_REGISTRY_URL = "schema-registry.url";
    public static final String SCHEMA_REGISTRY_USERNAME = "schema-registry.username";
    public static final String SCHEMA_REGISTRY_PASSWORD_FILE = "schema-registry.password-file";
    public static final String REDIS_URL = "redis.url";
    public static final String REDIS_USERNAME = "redis.username";
    public static final String REDIS_PASSWORD_FILE = "redis.password-file";
    public static final String SIMULATOR_URL = "simulator.url";
    public static final String SIMULATOR_LATENCY_MS = "simulator.latency-ms";
    public static final String SIMULATOR_ENABLED = "simulator.enabled";

    // StreamsDefs
    public static final String TOPIC_REQUESTS = "topics.requests";
    public static final String TOPIC_REQUESTS_BATCH = "topics.requests-batch";
    public static final String TOPIC_RESULTS = "topics.results";
    public static final String TOPIC_DLQ = "topics.dlq";
    public static final String TOPIC_METRICS = "topics.metrics";
    public static final String TOPIC_BATCHES = "topics.batches";
    public static final String TOPIC_BATCH_PROGRESS = "topics.batch-progress";
    public static final String TOPIC_REPLIES = "topics.replies";
    public static final String TOPIC_BATCH_CONTROL = "topics.batch-control";
    public static final String TOPIC_FILES = "topics.files";
    public static final String TOPIC_FILES_RETENTION_MS = "topics.files-retention-ms";
    public static final String TOPICS_CREATE = "topics.create";
    public static final String TOPICS_PARTITIONS = "topics.partitions";
    public static final String TOPICS_REPLICATION = "topics.replication-factor";
    public static final String APPLICATION_ID = "worker.application-id";
    public static final String PROCESSING_GUARANTEE = "worker.processing-guarantee";
    public static final String COMMIT_INTERVAL_MS = "worker.commit-interval-ms";
    public static final String STREAM_THREADS = "worker.stream-threads";
    public static final String STATE_DIR = "worker.state-dir";
    public static final String REQUEST_MAX_BYTES = "worker.request-max-bytes";

    // ProviderCallDefs
    public static final String RATELIMIT_LOCAL_SHARE = "ratelimit.local-share";
    public static final String HTTP_CONNECT_TIMEOUT_MS = "http.connect-timeout-ms";
    public static final String HTTP_READ_TIMEOUT_MS = "http.read-timeout-ms";
    public static final String HTTP_WRITE_TIMEOUT_MS = "http.write-timeout-ms";
    public static final String HTTP_CALL_TIMEOUT_MS = "http.call-timeout-ms";

    // DispatchDefs
    public static final String DISPATCH_MAX_IN_FLIGHT = "dispatch.max-in-flight";
    public static final String DISPATCH_MAX_IN_FLIGHT_BYTES = "dispatch.max-in-flight-bytes";
    public static final String DISPATCH_BATCH_MAX_COUNT = "dispatch.batch-max-count";
    public static final String DISPATCH_BATCH_MAX_BYTES = "dispatch.batch-max-bytes";
    public static final String DISPATCH_LINGER_MS = "dispatch.linger-ms";
    public static final String DISPATCH_PUNCTUATE_MS = "dispatch.punctuate-ms";
    public static final String DISPATCH_MAX_BLOCK_MS = "dispatch.max-block-ms";
    public static final String DISPATCH_MAX_ATTEMPTS = "dispatch.max-attempts";
    public static final String DISPATCH_BACKOFF_BASE_MS = "dispatch.backoff-base-ms";
    public static final String DISPATCH_BACKOFF_MAX_MS = "dispatch.backoff-max-ms";
    public static final String DISPATCH_RETRY_BUDGET_RATIO = "dispatch.retry-budget-ratio";
    public static final String DISPATCH_DEFAULT_FALLBACK_MODELS = "dispatch.default-fallback-models";
    public static final String DISPATCH_MAX_QUEUE_MS = "dispatch.max-queue-ms";
    public static final String DISPATCH_BATCH_COMPLETION_WINDOW_MS = "dispatch.batch-completion-window-ms";
    public static final String DISPATCH_MAX_REDISPATCHES = "dispatch.max-redispatches";
    public static final String DISPATCH_HANDOVER_WAIT_MS = "dispatch.handover-wait-ms";
    public static final String DISPATCH_BATCH_SHARE = "dispatch.batch-share";
    public static final String DISPATCH_BATCH_YIELD = "dispatch.batch-yield";
    public static final String DISPATCH_BATCH_YIELD_GRACE_MS = "dispatch.batch-yield-grace-ms";
    public static final String DISPATCH_CONCURRENCY_MIN = "dispatch.concurrency-min";
    public static final String DISPATCH_CONCURRENCY_INITIAL = "dispatch.concurrency-initial";
    public static final String DISPATCH_CONCURRENCY_MAX = "dispatch.concurrency-max";
    public static final String BREAKER_FAILURE_RATE_PERCENT = "breaker.failure-rate-percent";
    public static final String BREAKER_WINDOW_CALLS = "breaker.window-calls";
    public static final String BREAKER_OPEN_MS = "breaker.open-ms";
    public static final String BREAKER_HALF_OPEN_CALLS = "breaker.half-open-calls";

    // CacheDefs
    public static final String CACHE_ENABLED = "cache.enabled";
    public static final String CACHE_TTL_SECONDS = "cache.ttl-seconds";
    public static final String CACHE_TENANT_ISOLATION = "cache.tenant-isolation";
    public static final String CACHE_L1_MAX_BYTES = "cache.l1.max-bytes";
    public static final String CACHE_L2_ENABLED = "cache.l2.enabled";
    public static final String CACHE_L2_KEY_PREFIX = "cache.l2.key-prefix";
    public static final String DEDUPE_ID_RETENTION_MS = "dedupe.id-retention-ms";

    // MetricsDefs
    public static final String TOPIC_ALERTS = "topics.alerts";
    public static final String METRICS_PORT = "metrics.port";
    public static final String METRICS_BIND_ADDRESS = "metrics.bind-address";
    public static final String METRICS_BEARER_TOKEN_FILE = "metrics.bearer-token-file";
    public static final String METRICS_INTERVAL_MS = "metrics.interval-ms";
    public static final String METRICS_MODE = "metrics.mode";
    public static final String ALERTS_ENABLED = "alerts.enabled";
    public static final String ALERTS_WEBHOOK_URL = "alerts.webhook-url";
    public static final String ALERTS_FIRE_AFTER = "alerts.fire-after-snapshots";
    public static final String ALERTS_RESOLVE_AFTER = "alerts.resolve-after-snapshots";
    public static final String ALERTS_LATENCY_P95_MS = "alerts.latency-p95-ms";
    public static final String ALERTS_ERROR_RATE = "alerts.error-rate";
    public static final String ALERTS_HEAP_USED_RATIO = "alerts.heap-used-ratio";
    public static final String ALERTS_CACHE_HIT_RATE_MIN = "alerts.cache-hit-rate-min";
    public static final String ALERTS_DLQ_PER_SECOND = "alerts.dlq-per-second";
    public static final String ALERTS_CONSUMER_LAG = "alerts.consumer-lag";

    // StructuredBudgetDefs
    public static final String STRUCTURED_MAX_ATTEMPTS = "structured.max-attempts";
    public static final String BUDGET_DAILY_DEFAULT = "budget.daily-default";
    public static final String BUDGET_CURRENCY = "budget.currency";
    public static final String BUDGET_KEY_PREFIX = "budget.key-prefix";
    /** Prefix of the per-tenant limits, {@code budget.daily.<tenant>: amount}, checked by {@link HarborConfig}. */
    public static final String BUDGET_DAILY_PREFIX = "budget.daily.";

    // GatewayDefs
    public static final String GATEWAY_PORT = "gateway.port";
    public static final String GATEWAY_BIND_ADDRESS = "gateway.bind-address";
    public static final String GATEWAY_TIMEOUT_MS = "gateway.timeout-ms";
    public static final String GATEWAY_GROUP_ID = "gateway.group-id";
    public static final String GATEWAY_THREADS = "gateway.threads";
    public static final String GATEWAY_INSTANCES = "gateway.instances";

    /** Every key above, defined in the order start-up validation reports problems in. */
    public static final ConfigDef DEF = assemble();

    private static ConfigDef assemble() {
        ConfigDef def = new ConfigDef();
        ConnectionDefs.define(def);
        StreamsDefs.define(def);
        ProviderCallDefs.define(def);
        DispatchDefs.define(def);
        CacheDefs.define(def);
        MetricsDefs.define(def);
        StructuredBudgetDefs.define(def);
        return GatewayDefs.define(def);
    }
}
