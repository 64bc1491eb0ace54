package io.harborai.worker.config;

import static io.harborai.worker.config.HarborConfigDef.*;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * Type, default, allowed range and documentation of the keys of dedupe and the two-tier cache:
 * {@code cache.*} and {@code dedupe.*}. The key name constants are in {@link HarborConfigDef},
 * which assembles {@link HarborConfigDef#DEF} from this and the other {@code *Defs} classes.
 */
final class CacheDefs {
    private CacheDefs() {}

    /** Adds this area's keys to {@code def}; returns it. */
    static ConfigDef define(ConfigDef def) {
        return def.define(
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
                                + "DLQ as DUPLICATE_ID. After it the id is forgotten and a re-send is served as a new request.");
    }
}
