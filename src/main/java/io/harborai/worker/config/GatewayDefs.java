package io.harborai.worker.config;

import static io.harborai.worker.config.HarborConfigDef.*;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * Type, default, allowed range and documentation of the keys of {@code harbor gateway}: {@code
 * gateway.*}. The key name constants are in {@link HarborConfigDef}, which assembles {@link
 * HarborConfigDef#DEF} from this and the other {@code *Defs} classes.
 */
final class GatewayDefs {
    private GatewayDefs() {}

    /** Adds this area's keys to {@code def}; returns it. */
    static ConfigDef define(ConfigDef def) {
        return def.define(
                        GATEWAY_PORT,
                        Type.INT,
                        8080,
                        Range.between(0, 65_535),
                        Importance.MEDIUM,
                        "Port of harbor gateway's OpenAI-compatible HTTP API (0 = any free port).")
                .define(
                        GATEWAY_BIND_ADDRESS,
                        Type.STRING,
                        "0.0.0.0",
                        Importance.MEDIUM,
                        "Address harbor gateway listens on.")
                .define(
                        GATEWAY_TIMEOUT_MS,
                        Type.LONG,
                        120_000L,
                        Range.between(100, 86_400_000),
                        Importance.MEDIUM,
                        "How long a chat completion waits for its result before answering 504; a request's own"
                                + " deadline, when shorter, wins.")
                .define(
                        GATEWAY_GROUP_ID,
                        Type.STRING,
                        "harbor-gateway",
                        Importance.LOW,
                        "Consumer group of the gateway instances on topics.replies: each instance reads only the"
                                + " partitions the group gives it (at most as many instances as partitions).")
                .define(
                        GATEWAY_THREADS,
                        Type.INT,
                        32,
                        Range.between(1, 10_000),
                        Importance.LOW,
                        "HTTP request threads of harbor gateway: they read, check and produce requests (and serve"
                                + " files and batches); a chat completion waiting for its result holds no thread.")
                .define(
                        GATEWAY_INSTANCES,
                        Type.INT,
                        1,
                        Range.between(1, 10_000),
                        Importance.LOW,
                        "How many gateway instances run: while Redis is down each enforces 1/instances of every"
                                + " tenant's rpm on its own.");
    }
}
