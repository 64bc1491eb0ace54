package io.harborai.worker.gateway;

import io.harborai.worker.config.GatewayTenants;
import io.harborai.worker.dispatch.ratelimit.RateLimitSpec;
import io.harborai.worker.dispatch.ratelimit.RateLimiter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * API keys to tenants, and each tenant's requests-per-minute limit. A request's key ({@code
 * Authorization: Bearer KEY}) is hashed (SHA-256) and looked up; the key itself is never kept,
 * logged or passed on. Through the gateway the tenant comes from the key only.
 *
 * <p>The limits are token buckets shared by every gateway instance in Redis (the dispatch's own
 * limiter, under {@code gateway-tenant.<name>} so a tenant never shares a provider's bucket), each
 * instance enforcing its share alone while Redis is down. Thread-safe.
 */
final class Tenants implements AutoCloseable {
    /** The limiter's name of a tenant's bucket. */
    static String bucket(String tenant) {
        return "gateway-tenant." + tenant;
    }

    private final Map<String, GatewayTenants.Tenant> byHash = new HashMap<>();
    private final Map<String, Long> rpm = new HashMap<>();
    private final boolean open;
    private final RateLimiter limiter;

    Tenants(GatewayTenants config, java.util.function.Function<List<RateLimitSpec>, RateLimiter> limiters) {
        config.tenants().forEach(t -> {
            t.keySha256().forEach(h -> byHash.put(h, t));
            rpm.put(t.name(), t.rpm());
        });
        open = config.tenants().isEmpty();
        limiter = limiters.apply(config.tenants().stream()
                .filter(t -> t.rpm() > 0)
                .map(t -> RateLimitSpec.of(bucket(t.name()), t.rpm(), 0))
                .toList());
    }

    /** True when no tenant is configured: requests need no key and carry no tenant. */
    boolean open() {
        return open;
    }

    /** The tenant of an {@code Authorization} header value, or null for a missing or unknown key. */
    String tenantOf(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        GatewayTenants.Tenant t = byHash.get(sha256(authorization.substring(7).trim()));
        return t == null ? null : t.name();
    }

    /** Takes one request of the tenant's limit; false when it is spent for now. */
    boolean admit(String tenant) {
        return rpm.getOrDefault(tenant, 0L) <= 0 || limiter.tryAcquire(bucket(tenant), 0);
    }

    /** Seconds until the tenant's bucket holds a request again, at least 1. */
    long retryAfterSeconds(String tenant) {
        long perMinute = rpm.getOrDefault(tenant, 0L);
        return perMinute <= 0 ? 1 : Math.max(1, (long) Math.ceil(60.0 / perMinute));
    }

    static String sha256(String text) {
        try {
            return java.util.HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    @Override
    public void close() {
        limiter.close();
    }
}
