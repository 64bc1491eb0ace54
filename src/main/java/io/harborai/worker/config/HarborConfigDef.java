package io.harborai.worker.config;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;

/**
 * Every worker setting outside {@code kafka.*} and {@code providers.*}: its name, type, default,
 * allowed range and documentation, in the style of Kafka's own {@code StreamsConfig}.
 *
 * <p>Keys are the dotted paths of the YAML file ({@code topics: {results: x}} is
 * {@code topics.results}). {@code kafka.*} keys pass through to the Kafka clients unchanged;
 * {@code providers.<name>.*} keys are checked by {@link HarborConfig} itself.
 */
public final class HarborConfigDef {
    private HarborConfigDef() {}

    public static final String SCHEMA_REGISTRY_URL = "schema-registry.url";
    public static final String REDIS_URL = "redis.url";
    public static final String SIMULATOR_URL = "simulator.url";
    public static final String SIMULATOR_LATENCY_MS = "simulator.latency-ms";
    public static final String SIMULATOR_ENABLED = "simulator.enabled";

    public static final String TOPIC_REQUESTS = "topics.requests";
    public static final String TOPIC_REQUESTS_BATCH = "topics.requests-batch";
    public static final String TOPIC_RESULTS = "topics.results";
    public static final String TOPIC_DLQ = "topics.dlq";
    public static final String TOPIC_METRICS = "topics.metrics";
    public static final String TOPIC_BATCHES = "topics.batches";
    public static final String TOPIC_BATCH_PROGRESS = "topics.batch-progress";
    public static final String TOPICS_CREATE = "topics.create";
    public static final String TOPICS_PARTITIONS = "topics.partitions";
    public static final String TOPICS_REPLICATION = "topics.replication-factor";

    public static final String APPLICATION_ID = "worker.application-id";
    public static final String PROCESSING_GUARANTEE = "worker.processing-guarantee";
    public static final String COMMIT_INTERVAL_MS = "worker.commit-interval-ms";
    public static final String STREAM_THREADS = "worker.stream-threads";
    public static final String STATE_DIR = "worker.state-dir";
    public static final String REQUEST_MAX_BYTES = "worker.request-max-bytes";

    public static final String RATELIMIT_LOCAL_SHARE = "ratelimit.local-share";

    public static final String HTTP_CONNECT_TIMEOUT_MS = "http.connect-timeout-ms";
    public static final String HTTP_READ_TIMEOUT_MS = "http.read-timeout-ms";
    public static final String HTTP_WRITE_TIMEOUT_MS = "http.write-timeout-ms";
    public static final String HTTP_CALL_TIMEOUT_MS = "http.call-timeout-ms";

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
    public static final String DISPATCH_BATCH_SHARE = "dispatch.batch-share";
    public static final String DISPATCH_BATCH_YIELD = "dispatch.batch-yield";
    public static final String DISPATCH_BATCH_YIELD_GRACE_MS = "dispatch.batch-yield-grace-ms";
    public static final String DISPATCH_CONCURRENCY_MIN = "dispatch.concurrency-min";
    public static final String DISPATCH_CONCURRENCY_INITIAL = "dispatch.concurrency-initial";
    public static final String DISPATCH_CONCURRENCY_MAX = "dispatch.concurrency-max";
    public static final String CACHE_ENABLED = "cache.enabled";
    public static final String CACHE_TTL_SECONDS = "cache.ttl-seconds";
    public static final String CACHE_TENANT_ISOLATION = "cache.tenant-isolation";
    public static final String CACHE_L1_MAX_BYTES = "cache.l1.max-bytes";
    public static final String CACHE_L2_ENABLED = "cache.l2.enabled";
    public static final String CACHE_L2_KEY_PREFIX = "cache.l2.key-prefix";
    public static final String DEDUPE_ID_RETENTION_MS = "dedupe.id-retention-ms";
    public static final String BREAKER_FAILURE_RATE_PERCENT = "breaker.failure-rate-percent";
    public static final String BREAKER_WINDOW_CALLS = "breaker.window-calls";
    public static final String BREAKER_OPEN_MS = "breaker.open-ms";
    public static final String BREAKER_HALF_OPEN_CALLS = "breaker.half-open-calls";

    public static final String STRUCTURED_MAX_ATTEMPTS = "structured.max-attempts";
    public static final String BUDGET_DAILY_DEFAULT = "budget.daily-default";
    public static final String BUDGET_CURRENCY = "budget.currency";
    public static final String BUDGET_KEY_PREFIX = "budget.key-prefix";
    /** Prefix of the per-tenant limits, {@code budget.daily.<tenant>: amount}, checked by {@link HarborConfig}. */
    public static final String BUDGET_DAILY_PREFIX = "budget.daily.";

    public static final String TOPIC_ALERTS = "topics.alerts";
    public static final String METRICS_PORT = "metrics.port";
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

    public static final ConfigDef DEF = new ConfigDef()
            .define(
                    SCHEMA_REGISTRY_URL,
                    Type.STRING,
                    "http://localhost:8081",
                    Importance.HIGH,
                    "Schema Registry base URL. Env HARBOR_SCHEMA_REGISTRY_URL overrides it.")
            .define(
                    REDIS_URL,
                    Type.PASSWORD,
                    "redis://localhost:6379",
                    Importance.MEDIUM,
                    "Redis URL (redis:// or rediss://, optionally with a password). Env HARBOR_REDIS_URL overrides it.")
            .define(
                    SIMULATOR_URL,
                    Type.STRING,
                    null,
                    Importance.LOW,
                    "Base URL of a running simulator (asks for simulated answers explicitly). Used only when no provider is configured. Env HARBOR_SIMULATOR_URL overrides it.")
            .define(
                    SIMULATOR_ENABLED,
                    Type.BOOLEAN,
                    false,
                    Importance.LOW,
                    "Serve every model from an in-process simulator when no provider is configured (tests and demos; `harbor run --simulator`). Without it, or simulator.url, a worker with no provider refuses to start.")
            .define(
                    SIMULATOR_LATENCY_MS,
                    Type.INT,
                    0,
                    Range.between(0, 600_000),
                    Importance.LOW,
                    "Fixed latency of the in-process simulator.")
            .define(
                    TOPIC_REQUESTS,
                    Type.STRING,
                    "harbor.requests",
                    new ConfigDef.NonEmptyString(),
                    Importance.HIGH,
                    "Topic of online ChatRequests.")
            .define(
                    TOPIC_REQUESTS_BATCH,
                    Type.STRING,
                    "harbor.requests.batch",
                    new ConfigDef.NonEmptyString(),
                    Importance.MEDIUM,
                    "Topic of low-priority offline batch ChatRequests.")
            .define(
                    TOPIC_RESULTS,
                    Type.STRING,
                    "harbor.results",
                    new ConfigDef.NonEmptyString(),
                    Importance.HIGH,
                    "Topic of ChatResults, keyed by request id.")
            .define(
                    TOPIC_DLQ,
                    Type.STRING,
                    "harbor.dlq",
                    new ConfigDef.NonEmptyString(),
                    Importance.HIGH,
                    "Dead-letter topic: original bytes plus headers naming the reason.")
            .define(
                    TOPIC_METRICS,
                    Type.STRING,
                    "harbor.metrics",
                    new ConfigDef.NonEmptyString(),
                    Importance.MEDIUM,
                    "Topic of MetricEvent and Alert records.")
            .define(
                    TOPIC_BATCHES,
                    Type.STRING,
                    "harbor.batches",
                    Importance.MEDIUM,
                    "Compacted topic of batch jobs (BatchStatus, key = batch id), written by harbor submit.")
            .define(
                    TOPIC_BATCH_PROGRESS,
                    Type.STRING,
                    "harbor.batches.progress",
                    Importance.MEDIUM,
                    "Compacted topic of per-task batch result counts (BatchProgress), written by the worker.")
            .define(TOPICS_CREATE, Type.BOOLEAN, true, Importance.MEDIUM, "Create missing topics at start-up.")
            .define(
                    TOPICS_PARTITIONS,
                    Type.INT,
                    6,
                    Range.between(1, 10_000),
                    Importance.LOW,
                    "Partitions of topics the worker creates.")
            .define(
                    TOPICS_REPLICATION,
                    Type.SHORT,
                    (short) 1,
                    Range.between(1, 32),
                    Importance.LOW,
                    "Replication factor of topics the worker creates.")
            .define(
                    APPLICATION_ID,
                    Type.STRING,
                    "harbor-worker",
                    new ConfigDef.NonEmptyString(),
                    Importance.HIGH,
                    "Kafka Streams application.id: workers sharing it share the load.")
            .define(
                    PROCESSING_GUARANTEE,
                    Type.STRING,
                    "exactly_once_v2",
                    ValidString.in("exactly_once_v2", "at_least_once"),
                    Importance.HIGH,
                    "exactly_once_v2 gives one result per request id to read_committed consumers.")
            .define(
                    COMMIT_INTERVAL_MS,
                    Type.LONG,
                    100L,
                    Range.between(1, 600_000),
                    Importance.MEDIUM,
                    "Kafka Streams commit interval; under exactly_once_v2 it sets the latency floor.")
            .define(
                    STREAM_THREADS,
                    Type.INT,
                    1,
                    Range.between(1, 64),
                    Importance.MEDIUM,
                    "Kafka Streams threads per worker instance.")
            .define(
                    STATE_DIR,
                    Type.STRING,
                    null,
                    Importance.LOW,
                    "Kafka Streams state directory (default: a directory under java.io.tmpdir).")
            .define(
                    REQUEST_MAX_BYTES,
                    Type.INT,
                    1 << 20,
                    Range.between(1024, 64 << 20),
                    Importance.MEDIUM,
                    "Largest accepted request record; bigger ones go to the DLQ as OVERSIZED.")
            .define(
                    RATELIMIT_LOCAL_SHARE,
                    Type.DOUBLE,
                    1.0,
                    Range.between(0.001, 1.0),
                    Importance.LOW,
                    "While Redis is unreachable each instance enforces this fraction of every provider's RPM/TPM"
                            + " locally (1/N keeps N instances under the shared limit).")
            .define(
                    HTTP_CONNECT_TIMEOUT_MS,
                    Type.LONG,
                    5_000L,
                    Range.between(1, 600_000),
                    Importance.LOW,
                    "Default provider connect timeout.")
            .define(
                    HTTP_READ_TIMEOUT_MS,
                    Type.LONG,
                    120_000L,
                    Range.between(1, 3_600_000),
                    Importance.LOW,
                    "Default provider read timeout (reasoning models can think for minutes).")
            .define(
                    HTTP_WRITE_TIMEOUT_MS,
                    Type.LONG,
                    10_000L,
                    Range.between(1, 600_000),
                    Importance.LOW,
                    "Default provider write timeout.")
            .define(
                    HTTP_CALL_TIMEOUT_MS,
                    Type.LONG,
                    300_000L,
                    Range.between(1, 3_600_000),
                    Importance.LOW,
                    "Default bound on a whole provider call.")
            .define(
                    DISPATCH_MAX_IN_FLIGHT,
                    Type.INT,
                    256,
                    Range.between(1, 100_000),
                    Importance.HIGH,
                    "Cap on requests held in memory per worker (queued + in flight + awaiting retry). At the cap the stream "
                            + "thread stops taking records and drains completions: Kafka is the buffer.")
            .define(
                    DISPATCH_MAX_IN_FLIGHT_BYTES,
                    Type.LONG,
                    64L << 20,
                    Range.between(1024, 1L << 34),
                    Importance.HIGH,
                    "Cap on the serialized size of the requests held in memory per worker.")
            .define(
                    DISPATCH_BATCH_MAX_COUNT,
                    Type.INT,
                    64,
                    Range.between(1, 10_000),
                    Importance.LOW,
                    "A micro-batch is sent when it holds this many requests, or batch-max-bytes, or its oldest request waited linger-ms.")
            .define(
                    DISPATCH_BATCH_MAX_BYTES,
                    Type.INT,
                    1 << 20,
                    Range.between(1024, 64 << 20),
                    Importance.LOW,
                    "Byte bound of one micro-batch (serialized request size); see batch-max-count.")
            .define(
                    DISPATCH_LINGER_MS,
                    Type.LONG,
                    2L,
                    Range.between(0, 10_000),
                    Importance.LOW,
                    "Longest a queued request waits for its micro-batch to fill (0 = send at once); see batch-max-count.")
            .define(
                    DISPATCH_PUNCTUATE_MS,
                    Type.LONG,
                    5L,
                    Range.between(1, 1_000),
                    Importance.LOW,
                    "Period of the wall-clock punctuator that forwards completions and sends due work.")
            .define(
                    DISPATCH_MAX_BLOCK_MS,
                    Type.LONG,
                    5_000L,
                    Range.between(10, 60_000),
                    Importance.LOW,
                    "Longest one process() call waits for capacity at the cap. Kept below max.poll.interval.ms and the "
                            + "Streams EOS transaction.timeout.ms (10 s); the worker also caps it at the longest provider "
                            + "call timeout. When it passes, the record is parked on disk (the task's changelogged parked store) "
                            + "and admitted, oldest first, when the cap has room.")
            .define(
                    DISPATCH_MAX_ATTEMPTS,
                    Type.INT,
                    4,
                    Range.between(1, 20),
                    Importance.MEDIUM,
                    "Provider calls per request and model (the first call included); fallback models get their own.")
            .define(
                    DISPATCH_BACKOFF_BASE_MS,
                    Type.LONG,
                    200L,
                    Range.between(1, 600_000),
                    Importance.LOW,
                    "Exponential backoff base: retry n waits a uniformly random time in [0, min(max, base * 2^(n-1))].")
            .define(
                    DISPATCH_BACKOFF_MAX_MS,
                    Type.LONG,
                    30_000L,
                    Range.between(1, 3_600_000),
                    Importance.LOW,
                    "Exponential backoff ceiling. A provider's Retry-After is honoured even when longer.")
            .define(
                    DISPATCH_RETRY_BUDGET_RATIO,
                    Type.DOUBLE,
                    0.2,
                    Range.between(0.0, 10.0),
                    Importance.LOW,
                    "Per provider, failed retries over the last 10 s may be at most this ratio of first attempts (plus 10), "
                            + "so a failing provider is not hammered by retry storms (a retry that succeeds is given back). Beyond "
                            + "it a retry waits and asks again; it never fails a request.")
            .define(
                    DISPATCH_DEFAULT_FALLBACK_MODELS,
                    Type.LIST,
                    "",
                    Importance.MEDIUM,
                    "Models tried, in order, after a request's own fallback_models, when its model fails for good or its "
                            + "provider's circuit is open.")
            .define(
                    DISPATCH_MAX_REDISPATCHES,
                    Type.INT,
                    10,
                    Range.between(0, 1_000),
                    Importance.LOW,
                    "A pending request restored from the store (after a crash, restart or rebalance) more often than"
                            + " this gets a FAILED INTERNAL result instead of another dispatch: a request that crashes the"
                            + " worker every time cannot stall its partition forever.")
            .define(
                    DISPATCH_MAX_QUEUE_MS,
                    Type.LONG,
                    600_000L,
                    Range.between(1, 86_400_000),
                    Importance.MEDIUM,
                    "Default deadline: a request without deadline_ms is answered DEADLINE_EXCEEDED this long after the "
                            + "worker took it, if no attempt succeeded by then. Batch lines use "
                            + DISPATCH_BATCH_COMPLETION_WINDOW_MS + " instead.")
            .define(
                    DISPATCH_BATCH_COMPLETION_WINDOW_MS,
                    Type.LONG,
                    86_400_000L,
                    Range.between(1, 604_800_000),
                    Importance.MEDIUM,
                    "Completion window of a batch line (topics.requests-batch) without deadline_ms, like OpenAI's batch "
                            + "completion_window: it is answered DEADLINE_EXCEEDED this long after the worker took it if no attempt "
                            + "succeeded by then. Until then provider-wide trouble (open circuit, retry budget, 429, outage) only "
                            + "delays it.")
            .define(
                    DISPATCH_BATCH_SHARE,
                    Type.DOUBLE,
                    0.25,
                    Range.between(0.01, 1.0),
                    Importance.MEDIUM,
                    "Share of dispatch.max-in-flight(-bytes) and of each provider's concurrency limit that batch traffic "
                            + "(topics.requests-batch, served by its own Streams application <application-id>-batch) may hold, so "
                            + "a large batch never starves online requests.")
            .define(
                    DISPATCH_BATCH_YIELD,
                    Type.BOOLEAN,
                    true,
                    Importance.MEDIUM,
                    "Online before batch: batch traffic starts no provider call while online requests are held (queued, in "
                            + "flight or awaiting a retry) or were within dispatch.batch-yield-grace-ms; one batch call still "
                            + "starts every dispatch.max-block-ms / 2 of a yield. false: batch is limited by dispatch.batch-share only.")
            .define(
                    DISPATCH_BATCH_YIELD_GRACE_MS,
                    Type.LONG,
                    300L,
                    Range.between(0, 60_000),
                    Importance.LOW,
                    "How long batch keeps yielding after the last online request was taken or answered: covers the gaps "
                            + "between online requests, their decode and repartition hop and their result's commit.")
            .define(
                    DISPATCH_CONCURRENCY_MIN,
                    Type.INT,
                    4,
                    Range.between(1, 10_000),
                    Importance.LOW,
                    "Adaptive concurrency per provider: lower bound.")
            .define(
                    DISPATCH_CONCURRENCY_INITIAL,
                    Type.INT,
                    64,
                    Range.between(1, 10_000),
                    Importance.LOW,
                    "Adaptive concurrency per provider: starting limit (clamped into [min, max]).")
            .define(
                    DISPATCH_CONCURRENCY_MAX,
                    Type.INT,
                    256,
                    Range.between(1, 10_000),
                    Importance.MEDIUM,
                    "Adaptive concurrency per provider: upper bound.")
            .define(
                    BREAKER_FAILURE_RATE_PERCENT,
                    Type.INT,
                    50,
                    Range.between(1, 100),
                    Importance.LOW,
                    "Circuit breaker per provider opens when this share of the last window-calls calls failed "
                            + "(5xx, timeouts, connection failures, invalid bodies; not 429 and not request errors). While closed, "
                            + "a request's repeated faults on one model count once. An open circuit delays requests, never fails them.")
            .define(
                    BREAKER_WINDOW_CALLS,
                    Type.INT,
                    50,
                    Range.between(1, 10_000),
                    Importance.LOW,
                    "Calls in the breaker's sliding window (also the minimum before it may open).")
            .define(
                    BREAKER_OPEN_MS,
                    Type.LONG,
                    30_000L,
                    Range.between(1, 3_600_000),
                    Importance.LOW,
                    "How long an open breaker refuses calls before letting half-open probes through.")
            .define(
                    BREAKER_HALF_OPEN_CALLS,
                    Type.INT,
                    5,
                    Range.between(1, 1_000),
                    Importance.LOW,
                    "Probe calls in half-open state; their failure rate decides between closing and re-opening.")
            .define(
                    CACHE_ENABLED,
                    Type.BOOLEAN,
                    true,
                    Importance.HIGH,
                    "Deduplicate identical requests: answer from the L1/L2 cache, and let requests identical to one in "
                            + "flight wait for its answer (single-flight, via a repartition by cache key). When false every "
                            + "request is dispatched (cache outcome BYPASS) and the repartition hop is skipped.")
            .define(
                    CACHE_TTL_SECONDS,
                    Type.INT,
                    3_600,
                    Range.between(1, 31_536_000),
                    Importance.MEDIUM,
                    "How long a successful answer is served from the cache; a request's cache.ttl_seconds overrides it.")
            .define(
                    CACHE_TENANT_ISOLATION,
                    Type.BOOLEAN,
                    true,
                    Importance.HIGH,
                    "Mix the request's tenant into the cache key, so a tenant is never served another tenant's answer "
                            + "(and never joins another tenant's call). false shares answers across tenants.")
            .define(
                    CACHE_L1_MAX_BYTES,
                    Type.LONG,
                    32L * 1024 * 1024,
                    Range.between(0, Long.MAX_VALUE),
                    Importance.MEDIUM,
                    "In-process cache bound in bytes of encoded answers (per worker process); 0 disables L1.")
            .define(
                    CACHE_L2_ENABLED,
                    Type.BOOLEAN,
                    true,
                    Importance.MEDIUM,
                    "Share answers across worker instances through Redis (redis.url). While Redis is unreachable the "
                            + "worker serves from L1 and providers, counts the errors and re-probes Redis every second.")
            .define(
                    CACHE_L2_KEY_PREFIX,
                    Type.STRING,
                    "harbor:cache:",
                    Importance.LOW,
                    "Prefix of the Redis keys of cached answers.")
            .define(
                    DEDUPE_ID_RETENTION_MS,
                    Type.LONG,
                    86_400_000L,
                    Range.between(1_000L, 31_536_000_000L),
                    Importance.MEDIUM,
                    "How long a request id is remembered (a changelogged RocksDB window store per task, on disk). A record "
                            + "whose id was taken within this time gets no provider call and no second result: it goes to the "
                            + "DLQ as DUPLICATE_ID. After it the id is forgotten and a re-send is served as a new request.")
            .define(
                    TOPIC_ALERTS,
                    Type.STRING,
                    null,
                    Importance.LOW,
                    "Topic of Alert events; unset = topics.metrics (records carry the header harbor.event = metric|alert).")
            .define(
                    METRICS_PORT,
                    Type.INT,
                    0,
                    Range.between(0, 65_535),
                    Importance.MEDIUM,
                    "Port of the HTTP endpoint with /metrics (Prometheus text), /health and /ready; 0 = no endpoint. "
                            + "harbor run --metrics-port sets it.")
            .define(
                    METRICS_INTERVAL_MS,
                    Type.LONG,
                    10_000L,
                    Range.between(100, 3_600_000),
                    Importance.MEDIUM,
                    "Period of the MetricEvent snapshots written to topics.metrics (and of the alert rule evaluation).")
            .define(
                    METRICS_MODE,
                    Type.STRING,
                    "balanced",
                    ValidString.in("fast", "balanced", "full"),
                    Importance.MEDIUM,
                    "What is recorded: fast = counters and coarse latency histograms only; balanced = plus latency "
                            + "percentiles end-to-end and per provider; full = plus the per-request timing breakdown in results "
                            + "and trace events.")
            .define(
                    ALERTS_ENABLED,
                    Type.BOOLEAN,
                    true,
                    Importance.MEDIUM,
                    "Evaluate the alert rules on every snapshot and write Alert events (FIRING, RESOLVED).")
            .define(
                    ALERTS_WEBHOOK_URL,
                    Type.STRING,
                    null,
                    Importance.LOW,
                    "When set, every Alert event is also POSTed there as JSON.")
            .define(
                    ALERTS_FIRE_AFTER,
                    Type.INT,
                    3,
                    Range.between(1, 1_000),
                    Importance.LOW,
                    "Consecutive snapshots breaching a rule's threshold before it fires.")
            .define(
                    ALERTS_RESOLVE_AFTER,
                    Type.INT,
                    3,
                    Range.between(1, 1_000),
                    Importance.LOW,
                    "Consecutive snapshots back inside the threshold (with 10% hysteresis) before a firing rule resolves.")
            .define(
                    ALERTS_LATENCY_P95_MS,
                    Type.DOUBLE,
                    5_000.0,
                    Range.atLeast(0.0),
                    Importance.MEDIUM,
                    "Rule latency_p95: end-to-end p95 above this many ms (0 = off).")
            .define(
                    ALERTS_ERROR_RATE,
                    Type.DOUBLE,
                    0.05,
                    Range.between(0.0, 1.0),
                    Importance.MEDIUM,
                    "Rule error_rate: share of FAILED results above this (0 = off).")
            .define(
                    ALERTS_HEAP_USED_RATIO,
                    Type.DOUBLE,
                    0.90,
                    Range.between(0.0, 1.0),
                    Importance.MEDIUM,
                    "Rule memory: heap used above this share of the maximum heap (0 = off).")
            .define(
                    ALERTS_CACHE_HIT_RATE_MIN,
                    Type.DOUBLE,
                    0.0,
                    Range.between(0.0, 1.0),
                    Importance.LOW,
                    "Rule cache_hit_rate: hit rate below this floor (0 = off).")
            .define(
                    ALERTS_DLQ_PER_SECOND,
                    Type.DOUBLE,
                    1.0,
                    Range.atLeast(0.0),
                    Importance.LOW,
                    "Rule dlq_rate: DLQ records per second above this (0 = off).")
            .define(
                    ALERTS_CONSUMER_LAG,
                    Type.LONG,
                    100_000L,
                    Range.atLeast(0L),
                    Importance.LOW,
                    "Rule consumer_lag: records behind on the request topics above this (0 = off). The rule circuit_open "
                            + "fires while any provider's circuit breaker is open.")
            .define(
                    STRUCTURED_MAX_ATTEMPTS,
                    Type.INT,
                    3,
                    Range.between(1, 10),
                    Importance.MEDIUM,
                    "Answers checked per structured-output request (response_format json_schema or json_object): an "
                            + "invalid answer is re-asked in the same conversation with the validation errors until this many "
                            + "answers were checked, then the result is FAILED with SCHEMA_VALIDATION. 1 = never re-ask.")
            .define(
                    BUDGET_DAILY_DEFAULT,
                    Type.DOUBLE,
                    0.0,
                    Range.atLeast(0.0),
                    Importance.MEDIUM,
                    "Daily spend limit of every tenant without its own budget.daily.<tenant>, in budget.currency; 0 = "
                            + "none. Spend is kept in Redis (redis.url) per tenant and UTC day; a request of a tenant over its "
                            + "limit gets a FAILED result with BUDGET_EXCEEDED and no provider call.")
            .define(
                    BUDGET_CURRENCY,
                    Type.STRING,
                    "USD",
                    new ConfigDef.NonEmptyString(),
                    Importance.LOW,
                    "Currency of the budget limits; costs priced in another currency are not converted and not counted.")
            .define(
                    BUDGET_KEY_PREFIX,
                    Type.STRING,
                    "harbor:budget:",
                    Importance.LOW,
                    "Prefix of the Redis keys holding each tenant's daily spend.");
}
