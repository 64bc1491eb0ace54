package io.harborai.worker.cache;

import io.harborai.worker.avro.CacheMode;
import io.harborai.worker.avro.ChatRequest;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;
import org.redisson.api.RedissonClient;

/**
 * What every task's dispatch processor needs to deduplicate: whether the cache is on, how keys are
 * formed, the default TTL and the two tiers (shared by all tasks of the process). Thread-safe.
 *
 * @param tiers null exactly when {@code enabled} is false
 */
public record CacheRuntime(boolean enabled, boolean tenantIsolation, Duration defaultTtl, TwoTierCache tiers) {

    public CacheRuntime {
        Objects.requireNonNull(defaultTtl, "defaultTtl");
        if (enabled != (tiers != null)) {
            throw new IllegalArgumentException("tiers must be given exactly when the cache is enabled");
        }
    }

    /** Every request is dispatched; results say BYPASS. */
    public static CacheRuntime disabled() {
        return new CacheRuntime(false, false, Duration.ZERO, null);
    }

    /**
     * The runtime of {@code settings}: its tiers are created here (closed through {@link #tiers()}).
     *
     * @param redis the shared Redis client for L2, or null when L2 is off ({@link CacheSettings#usesL2()})
     */
    public static CacheRuntime from(
            CacheSettings settings, RedissonClient redis, LongSupplier wallClockMs, MeterRegistry meters) {
        if (!settings.enabled()) {
            return disabled();
        }
        L1Cache l1 = new L1Cache(settings.l1MaxBytes(), wallClockMs);
        RedisL2Cache l2 = redis == null
                ? null
                : new RedisL2Cache(
                        redis,
                        settings.l2KeyPrefix(),
                        Duration.ofMillis(L2_CALL_TIMEOUT_MS),
                        System::nanoTime,
                        Duration.ofSeconds(1));
        return new CacheRuntime(
                true, settings.tenantIsolation(), settings.ttl(), new TwoTierCache(l1, l2, wallClockMs, meters));
    }

    /** Longest an L2 lookup may take before it counts as a miss (and Redis as down). */
    public static final int L2_CALL_TIMEOUT_MS = 400;

    /** The request's cache key (see {@link CacheKey}). */
    public String key(ChatRequest r) {
        return CacheKey.of(r, tenantIsolation);
    }

    /** {@code cache.ttl_seconds} of the request when set and positive, else {@code cache.ttl-seconds}. */
    public Duration ttl(ChatRequest r) {
        Integer t = r.getCache() == null ? null : r.getCache().getTtlSeconds();
        return t != null && t > 0 ? Duration.ofSeconds(t) : defaultTtl;
    }

    /** {@code cache.max_age_seconds} in ms, or null when the request accepts any age. */
    public static Long maxAgeMs(ChatRequest r) {
        Integer a = r.getCache() == null ? null : r.getCache().getMaxAgeSeconds();
        return a == null || a < 0 ? null : a * 1_000L;
    }

    /** Whether the request may be answered from the cache or from another request's call. */
    public boolean mayLookUp(ChatRequest r) {
        return enabled && mode(r) != CacheMode.NO_CACHE;
    }

    /** Whether a successful answer to the request is written to the cache. */
    public boolean mayStore(ChatRequest r) {
        return enabled && mode(r) != CacheMode.NO_STORE;
    }

    private static CacheMode mode(ChatRequest r) {
        return r.getCache() == null ? CacheMode.DEFAULT : r.getCache().getMode();
    }
}
