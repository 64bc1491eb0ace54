package io.harborai.worker.config;

import static io.harborai.worker.config.HarborConfigDef.*;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * Type, default, allowed range and documentation of the keys of provider call defaults: {@code
 * ratelimit.*} and {@code http.*} (per-provider {@code providers.<name>.*} keys are checked by
 * {@link HarborConfig}). The key name constants are in {@link HarborConfigDef}, which assembles
 * {@link HarborConfigDef#DEF} from this and the other {@code *Defs} classes.
 */
final class ProviderCallDefs {
    private ProviderCallDefs() {}

    /** Adds this area's keys to {@code def}; returns it. */
    static ConfigDef define(ConfigDef def) {
        return def.define(
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
                        "Default bound on a whole provider call.");
    }
}
