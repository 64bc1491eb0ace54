package io.harborai.worker.cost;

import io.harborai.worker.avro.Cost;

/**
 * Daily spend limits per tenant: the stream thread asks {@link #exceeded} before a provider call
 * and reports each call's {@link Cost} through {@link #record}.
 *
 * <p>Contract: both methods are non-blocking: they answer from, and add to, a local view and leave
 * any network work to other threads. A {@code null} tenant is the tenant {@value #NO_TENANT}.
 * Answers may lag spend by the implementation's refresh delay, so a limit is a soft bound: see
 * {@link RedisTenantBudgets} for how far it can be overrun.
 *
 * <p>Threading: implementations are safe to call from any thread.
 */
public interface TenantBudgets extends AutoCloseable {

    /** The tenant that requests without one are counted under. */
    String NO_TENANT = "-";

    /** Whether {@code tenant} has spent its daily limit; never blocks. */
    boolean exceeded(String tenant);

    /** Adds {@code cost} to {@code tenant}'s spend today; never blocks. A null cost is ignored. */
    void record(String tenant, Cost cost);

    /** Stops using any external store. Never throws. */
    @Override
    void close();

    /** Budgets that never limit and record nothing. */
    static TenantBudgets none() {
        return Unlimited.INSTANCE;
    }

    /** The tenant key for {@code tenant}: {@value #NO_TENANT} for null. */
    static String tenantKey(String tenant) {
        return tenant == null ? NO_TENANT : tenant;
    }

    /** The {@link #none()} budgets. */
    enum Unlimited implements TenantBudgets {
        INSTANCE;

        @Override
        public boolean exceeded(String tenant) {
            return false;
        }

        @Override
        public void record(String tenant, Cost cost) {}

        @Override
        public void close() {}
    }
}
