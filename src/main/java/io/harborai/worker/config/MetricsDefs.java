package io.harborai.worker.config;

import static io.harborai.worker.config.HarborConfigDef.*;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;

/**
 * Type, default, allowed range and documentation of the keys of observability: {@code metrics.*},
 * {@code alerts.*} and {@code topics.alerts}. The key name constants are in {@link
 * HarborConfigDef}, which assembles {@link HarborConfigDef#DEF} from this and the other {@code
 * *Defs} classes.
 */
final class MetricsDefs {
    private MetricsDefs() {}

    /** Adds this area's keys to {@code def}; returns it. */
    static ConfigDef define(ConfigDef def) {
        return def.define(
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
                        METRICS_BIND_ADDRESS,
                        Type.STRING,
                        "0.0.0.0",
                        new ConfigDef.NonEmptyString(),
                        Importance.MEDIUM,
                        "Address the metrics endpoint binds (0.0.0.0 = every interface; harbor dev prints "
                                + "HARBOR_METRICS_BIND_ADDRESS=127.0.0.1 so its worker binds loopback).")
                .define(
                        METRICS_BEARER_TOKEN_FILE,
                        Type.STRING,
                        null,
                        Importance.MEDIUM,
                        "Path of a file holding a token: GET /metrics then needs `Authorization: Bearer <token>` "
                                + "(401 otherwise); /health and /ready stay open for probes. Also the gateway's /metrics.")
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
                                + "fires while any provider's circuit breaker is open.");
    }
}
