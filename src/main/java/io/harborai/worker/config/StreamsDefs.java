package io.harborai.worker.config;

import static io.harborai.worker.config.HarborConfigDef.*;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;

/**
 * Type, default, allowed range and documentation of the keys of the topics and the Kafka Streams
 * application: {@code topics.*} (but {@code topics.alerts}) and {@code worker.*}. The key name
 * constants are in {@link HarborConfigDef}, which assembles {@link HarborConfigDef#DEF} from this
 * and the other {@code *Defs} classes.
 */
final class StreamsDefs {
    private StreamsDefs() {}

    /** Adds this area's keys to {@code def}; returns it. */
    static ConfigDef define(ConfigDef def) {
        return def.define(
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
                .define(
                        TOPIC_REPLIES,
                        Type.STRING,
                        "harbor.replies",
                        Importance.MEDIUM,
                        "Topic of replies for request-reply clients (the client library, the gateway): a request whose"
                                + " headers name this topic and a partition gets its result there too, in the same"
                                + " transaction as on the results topic. Each client instance reads one partition.")
                .define(
                        TOPIC_BATCH_CONTROL,
                        Type.STRING,
                        "harbor.batches.control",
                        new ConfigDef.NonEmptyString(),
                        Importance.MEDIUM,
                        "Compacted topic of what people asked of a batch (BatchControl, key = batch id): input file,"
                                + " completion window, cancel, how it ended. The worker reads it as a global table.")
                .define(
                        TOPIC_FILES,
                        Type.STRING,
                        "harbor.files",
                        new ConfigDef.NonEmptyString(),
                        Importance.MEDIUM,
                        "Topic holding the files uploaded to the gateway (POST /v1/files) in chunks, so that any"
                                + " gateway instance can read any file: no shared disk.")
                .define(
                        TOPIC_FILES_RETENTION_MS,
                        Type.LONG,
                        java.time.Duration.ofDays(30).toMillis(),
                        Range.atLeast(60_000),
                        Importance.LOW,
                        "How long uploaded files are kept (retention.ms of topics.files when it is created here).")
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
                        "Largest accepted request record; bigger ones go to the DLQ as OVERSIZED.");
    }
}
