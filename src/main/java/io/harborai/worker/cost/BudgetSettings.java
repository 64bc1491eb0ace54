package io.harborai.worker.cost;

import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Objects;

/**
 * How much each tenant may spend per day.
 *
 * <p>Spend in another currency than {@code currency} is neither converted nor counted (exchange
 * rates are not the worker's business); {@link RedisTenantBudgets} counts such costs in the meter
 * {@value RedisTenantBudgets#UNCOUNTED}. Price such models in the budget currency to limit them.
 *
 * @param defaultDailyLimit the limit of every tenant without its own; 0 = unlimited
 * @param perTenantLimits limits that replace the default for the tenants named ({@code "-"} is the
 *     tenant of requests without one); 0 = unlimited for that tenant
 * @param currency the currency of the limits, e.g. {@code USD}
 * @param keyPrefix prefix of the Redis keys, default {@value #DEFAULT_KEY_PREFIX}
 * @param zone where a day starts and ends, default UTC
 */
public record BudgetSettings(
        double defaultDailyLimit, Map<String, Double> perTenantLimits, String currency, String keyPrefix, ZoneId zone) {

    public static final String DEFAULT_KEY_PREFIX = "harbor:budget:";

    /** @throws IllegalArgumentException for a negative or non-finite limit or a malformed currency */
    public BudgetSettings {
        requireLimit("defaultDailyLimit", defaultDailyLimit);
        perTenantLimits = Map.copyOf(Objects.requireNonNull(perTenantLimits, "perTenantLimits"));
        perTenantLimits.forEach((tenant, limit) -> requireLimit("limit of tenant " + tenant, limit));
        if (!Price.isCurrency(currency)) {
            throw new IllegalArgumentException("currency must be three capital letters such as USD, was " + currency);
        }
        keyPrefix = keyPrefix == null ? DEFAULT_KEY_PREFIX : keyPrefix;
        zone = zone == null ? ZoneOffset.UTC : zone;
    }

    /** Settings with the default key prefix and UTC days. */
    public static BudgetSettings of(double defaultDailyLimit, Map<String, Double> perTenantLimits, String currency) {
        return new BudgetSettings(defaultDailyLimit, perTenantLimits, currency, null, null);
    }

    /** {@code tenant}'s daily limit, 0 when unlimited; a null tenant is {@value TenantBudgets#NO_TENANT}. */
    public double limitFor(String tenant) {
        Double own = perTenantLimits.get(TenantBudgets.tenantKey(tenant));
        return own != null ? own : defaultDailyLimit;
    }

    /** Whether any tenant has a limit at all (else {@link TenantBudgets#none()} will do). */
    public boolean anyLimit() {
        return defaultDailyLimit > 0 || perTenantLimits.values().stream().anyMatch(l -> l > 0);
    }

    private static void requireLimit(String name, Double limit) {
        if (limit == null || !Double.isFinite(limit) || limit < 0) {
            throw new IllegalArgumentException(name + " must be a finite number >= 0 (0 = unlimited), was " + limit);
        }
    }
}
