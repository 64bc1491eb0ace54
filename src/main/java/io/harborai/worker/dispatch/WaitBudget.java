package io.harborai.worker.dispatch;

import java.util.concurrent.TimeUnit;

/**
 * How long each stream thread may still block for capacity ({@link
 * DispatchEngine#awaitCapacity}) before its next punctuation: {@code dispatch.max-block-ms} in all,
 * shared by every record and task the thread processes in between.
 *
 * <p>Why per thread and not per record: Kafka Streams processes a run of records of each of the
 * thread's tasks, then punctuates, then commits once {@code commit.interval.ms} has passed. A bound
 * per record does not bound that run: measured in {@code FailureIsolationIT}, a 30 s provider
 * outage filled the cap with requests waiting for the breaker, each following record waited out its
 * own 5 s in turn, the open transaction outlived {@code transaction.timeout.ms}, the broker fenced
 * the thread's producer and every task was closed dirty and restored. Refilled at every punctuation
 * of the thread's tasks ({@link DispatchEngine#punctuated()}), so between two commit checks the
 * thread blocks at most {@code max-block-ms}; with the budget spent, {@code awaitCapacity} only
 * looks and the record is parked at once.
 *
 * <p>Threading: one value per thread ({@link ThreadLocal}), read and written only by its owner.
 */
final class WaitBudget {
    private final long budgetNs;
    private final ThreadLocal<long[]> spentNs = ThreadLocal.withInitial(() -> new long[1]);

    WaitBudget(long budgetMs) {
        this.budgetNs = TimeUnit.MILLISECONDS.toNanos(budgetMs);
    }

    /** What the calling thread may still wait before its next punctuation; 0 when spent. */
    long leftNs() {
        return Math.max(0, budgetNs - spentNs.get()[0]);
    }

    /** The calling thread waited {@code ns}. */
    void spend(long ns) {
        spentNs.get()[0] += ns;
    }

    /** The calling thread punctuated: Kafka Streams may commit next, so its budget starts again. */
    void refill() {
        spentNs.get()[0] = 0;
    }
}
