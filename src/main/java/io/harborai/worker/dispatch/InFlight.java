package io.harborai.worker.dispatch;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The worker-wide memory budget: requests held in memory (queued, in flight or awaiting a retry)
 * by count and by serialized bytes. Shared by every task's engine; a request is added when its
 * processor takes it and removed when its result is forwarded.
 *
 * <p>Thread-safe (atomics): every stream thread reads and updates it.
 */
public final class InFlight {
    private final int maxCount;
    private final long maxBytes;
    private final AtomicInteger count = new AtomicInteger();
    private final AtomicLong bytes = new AtomicLong();

    public InFlight(int maxCount, long maxBytes) {
        this.maxCount = maxCount;
        this.maxBytes = maxBytes;
    }

    void add(long size) {
        count.incrementAndGet();
        bytes.addAndGet(size);
    }

    void remove(long size) {
        count.decrementAndGet();
        bytes.addAndGet(-size);
    }

    /** At or over either cap: the stream thread must drain before taking another record. */
    public boolean full() {
        return count.get() >= maxCount || bytes.get() >= maxBytes;
    }

    public int count() {
        return count.get();
    }

    public long bytes() {
        return bytes.get();
    }
}
