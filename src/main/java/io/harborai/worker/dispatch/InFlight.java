package io.harborai.worker.dispatch;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The worker-wide memory budget: requests held in memory (queued, in flight, awaiting a retry, or
 * {@linkplain #reserve waiting for a cache lookup}) by count and by serialized bytes. Shared by every task's engine; a request is added when its
 * processor takes it and removed when its result is forwarded.
 *
 * <p>A finished call whose result waits in its task's completion queue does not count against
 * the count cap: only that task can forward it, and while another task's {@code process()} waits
 * for capacity it cannot. Counting those would make every task's wait depend on the others and
 * leave the provider idle (measured: 0.68 of C/L at C=10 with six tasks). Such results are at
 * most one per call in flight, so memory stays within twice the cap.
 *
 * <p>{@link #activity()} changes with every request added or removed, so the {@link PriorityGate}
 * sees online work that came and went between two of its looks.
 *
 * <p>Thread-safe (atomics): every stream thread reads and updates it.
 */
public final class InFlight {
    private final int maxCount;
    private final long maxBytes;
    private final AtomicInteger count = new AtomicInteger();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicInteger completed = new AtomicInteger();
    private final AtomicLong changes = new AtomicLong();

    public InFlight(int maxCount, long maxBytes) {
        this.maxCount = maxCount;
        this.maxBytes = maxBytes;
    }

    void add(long size) {
        changes.incrementAndGet();
        count.incrementAndGet();
        bytes.addAndGet(size);
    }

    void remove(long size) {
        changes.incrementAndGet();
        count.decrementAndGet();
        bytes.addAndGet(-size);
    }

    /**
     * Bytes of a request held outside the engine: it waits for the call of an identical request
     * (single-flight) and makes no call of its own, so it counts against the byte cap only.
     */
    public void holdBytes(long size) {
        bytes.addAndGet(size);
    }

    /** Releases {@link #holdBytes}. */
    public void releaseBytes(long size) {
        bytes.addAndGet(-size);
    }

    /** A call finished (OkHttp thread); its result now waits in a completion queue. */
    void completionArrived() {
        completed.incrementAndGet();
    }

    /** A stream thread took a finished call off its completion queue. */
    void completionTaken() {
        completed.decrementAndGet();
    }

    /**
     * A request taken by a processor that reaches an engine unless a cache lookup in progress
     * answers it first: counted like a held one (by count and bytes) so every task sees it.
     */
    public void reserve(long size) {
        add(size);
    }

    /** Releases {@link #reserve}, before the request is submitted or answered. */
    public void unreserve(long size) {
        remove(size);
    }

    /** At or over either cap: the stream thread must drain before taking another record. */
    public boolean full() {
        return count.get() - completed.get() >= maxCount || bytes.get() >= maxBytes;
    }

    public int count() {
        return count.get();
    }

    public long bytes() {
        return bytes.get();
    }

    /** A number that changes whenever a request is added or removed; only equality means anything. */
    public long activity() {
        return changes.get();
    }
}
