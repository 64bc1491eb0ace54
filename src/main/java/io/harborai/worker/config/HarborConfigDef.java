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

    public static final String TOPIC_REQUESTS = "topics.requests";
    public static final String TOPIC_REQUESTS_BATCH = "topics.requests-batch";
    public static final String TOPIC_RESULTS = "topics.results";
    public static final String TOPIC_DLQ = "topics.dlq";
    public static final String TOPIC_METRICS = "topics.metrics";
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

    public static final ConfigDef DEF = new ConfigDef()
        .define(SCHEMA_REGISTRY_URL, Type.STRING, "http://localhost:8081", Importance.HIGH,
            "Schema Registry base URL. Env HARBOR_SCHEMA_REGISTRY_URL overrides it.")
        .define(REDIS_URL, Type.PASSWORD, "redis://localhost:6379", Importance.MEDIUM,
            "Redis URL (redis:// or rediss://, optionally with a password). Env HARBOR_REDIS_URL overrides it.")
        .define(SIMULATOR_URL, Type.STRING, null, Importance.LOW,
            "Base URL of a running simulator. Used only when no provider is configured; when unset an in-process simulator serves every model. Env HARBOR_SIMULATOR_URL overrides it.")
        .define(SIMULATOR_LATENCY_MS, Type.INT, 0, Range.between(0, 600_000), Importance.LOW,
            "Fixed latency of the in-process simulator.")
        .define(TOPIC_REQUESTS, Type.STRING, "harbor.requests", new ConfigDef.NonEmptyString(), Importance.HIGH,
            "Topic of online ChatRequests.")
        .define(TOPIC_REQUESTS_BATCH, Type.STRING, "harbor.requests.batch", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
            "Topic of low-priority offline batch ChatRequests.")
        .define(TOPIC_RESULTS, Type.STRING, "harbor.results", new ConfigDef.NonEmptyString(), Importance.HIGH,
            "Topic of ChatResults, keyed by request id.")
        .define(TOPIC_DLQ, Type.STRING, "harbor.dlq", new ConfigDef.NonEmptyString(), Importance.HIGH,
            "Dead-letter topic: original bytes plus headers naming the reason.")
        .define(TOPIC_METRICS, Type.STRING, "harbor.metrics", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
            "Topic of MetricEvent and Alert records.")
        .define(TOPICS_CREATE, Type.BOOLEAN, true, Importance.MEDIUM,
            "Create missing topics at start-up.")
        .define(TOPICS_PARTITIONS, Type.INT, 6, Range.between(1, 10_000), Importance.LOW,
            "Partitions of topics the worker creates.")
        .define(TOPICS_REPLICATION, Type.SHORT, (short) 1, Range.between(1, 32), Importance.LOW,
            "Replication factor of topics the worker creates.")
        .define(APPLICATION_ID, Type.STRING, "harbor-worker", new ConfigDef.NonEmptyString(), Importance.HIGH,
            "Kafka Streams application.id: workers sharing it share the load.")
        .define(PROCESSING_GUARANTEE, Type.STRING, "exactly_once_v2",
            ValidString.in("exactly_once_v2", "at_least_once"), Importance.HIGH,
            "exactly_once_v2 gives one result per request id to read_committed consumers.")
        .define(COMMIT_INTERVAL_MS, Type.LONG, 100L, Range.between(1, 600_000), Importance.MEDIUM,
            "Kafka Streams commit interval; under exactly_once_v2 it sets the latency floor.")
        .define(STREAM_THREADS, Type.INT, 1, Range.between(1, 64), Importance.MEDIUM,
            "Kafka Streams threads per worker instance.")
        .define(STATE_DIR, Type.STRING, null, Importance.LOW,
            "Kafka Streams state directory (default: a directory under java.io.tmpdir).")
        .define(REQUEST_MAX_BYTES, Type.INT, 1 << 20, Range.between(1024, 64 << 20), Importance.MEDIUM,
            "Largest accepted request record; bigger ones go to the DLQ as OVERSIZED.")
        .define(RATELIMIT_LOCAL_SHARE, Type.DOUBLE, 1.0, Range.between(0.001, 1.0), Importance.LOW,
            "While Redis is unreachable each instance enforces this fraction of every provider's RPM/TPM"
                + " locally (1/N keeps N instances under the shared limit).")
        .define(HTTP_CONNECT_TIMEOUT_MS, Type.LONG, 5_000L, Range.between(1, 600_000), Importance.LOW,
            "Default provider connect timeout.")
        .define(HTTP_READ_TIMEOUT_MS, Type.LONG, 120_000L, Range.between(1, 3_600_000), Importance.LOW,
            "Default provider read timeout (reasoning models can think for minutes).")
        .define(HTTP_WRITE_TIMEOUT_MS, Type.LONG, 10_000L, Range.between(1, 600_000), Importance.LOW,
            "Default provider write timeout.")
        .define(HTTP_CALL_TIMEOUT_MS, Type.LONG, 300_000L, Range.between(1, 3_600_000), Importance.LOW,
            "Default bound on a whole provider call.");
}
