package io.harborai.worker.cache;

import java.time.Duration;
import java.util.Objects;

/**
 * The deduplication settings ({@code cache.*}). Immutable.
 *
 * @param enabled whether identical requests are answered from the cache or from one another's call
 * @param tenantIsolation whether the tenant is part of the cache key
 * @param ttl how long an answer is served when the request names no TTL of its own
 * @param l1MaxBytes bound of the in-process tier in bytes of encoded answers; 0 = no L1
 * @param l2Enabled whether answers are shared through Redis (only when {@code enabled})
 * @param l2KeyPrefix prefix of the Redis keys of cached answers
 */
public record CacheSettings(
        boolean enabled,
        boolean tenantIsolation,
        Duration ttl,
        long l1MaxBytes,
        boolean l2Enabled,
        String l2KeyPrefix) {

    public CacheSettings {
        Objects.requireNonNull(ttl, "ttl");
    }

    /** Whether the Redis tier is in use: the cache and its L2 are both on. */
    public boolean usesL2() {
        return enabled && l2Enabled;
    }
}
