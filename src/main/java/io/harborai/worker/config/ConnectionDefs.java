package io.harborai.worker.config;

import static io.harborai.worker.config.HarborConfigDef.*;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * Type, default, allowed range and documentation of the keys of the services the worker talks to:
 * {@code schema-registry.*}, {@code redis.*} and the stand-in provider {@code simulator.*}. The
 * {@code *-file} keys are read by {@link SecretFiles}. The
 * key name constants are in {@link HarborConfigDef}, which assembles {@link HarborConfigDef#DEF}
 * from this and the other {@code *Defs} classes.
 */
final class ConnectionDefs {
    private ConnectionDefs() {}

    /** Adds this area's keys to {@code def}; returns it. */
    static ConfigDef define(ConfigDef def) {
        return def.define(
                        SCHEMA_REGISTRY_URL,
                        Type.STRING,
                        "http://localhost:8081",
                        Importance.HIGH,
                        "Schema Registry base URL (user info in it = basic auth; never logged). Env "
                                + "HARBOR_SCHEMA_REGISTRY_URL overrides it.")
                .define(
                        SCHEMA_REGISTRY_USERNAME,
                        Type.STRING,
                        null,
                        Importance.MEDIUM,
                        "Basic-auth user of the registry; with schema-registry.password-file.")
                .define(
                        SCHEMA_REGISTRY_PASSWORD_FILE,
                        Type.STRING,
                        null,
                        Importance.MEDIUM,
                        "Path of a file holding the registry password (a mounted Secret), read at start-up; "
                                + "not together with user info in schema-registry.url.")
                .define(
                        REDIS_URL,
                        Type.PASSWORD,
                        "redis://localhost:6379",
                        Importance.MEDIUM,
                        "Redis URL (redis:// or rediss://, optionally with a password). Env HARBOR_REDIS_URL overrides it.")
                .define(
                        REDIS_USERNAME,
                        Type.STRING,
                        null,
                        Importance.MEDIUM,
                        "Redis ACL user; needs redis.password-file. Unset with a password file = the default user.")
                .define(
                        REDIS_PASSWORD_FILE,
                        Type.STRING,
                        null,
                        Importance.MEDIUM,
                        "Path of a file holding the Redis password (a mounted Secret), read at start-up; not "
                                + "together with credentials in redis.url.")
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
                        "Fixed latency of the in-process simulator.");
    }
}
