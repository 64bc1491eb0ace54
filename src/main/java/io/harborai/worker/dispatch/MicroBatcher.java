package io.harborai.worker.dispatch;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The queue of requests ready to be sent, released in micro-batches: a batch is due when the
 * queue holds {@code maxCount} requests or {@code maxBytes} bytes, or when its oldest request has
 * waited {@code lingerMs}. FIFO; requests a lane refused go back to the front in their order.
 *
 * <p>Owned by one task's stream thread; not thread-safe.
 */
final class MicroBatcher {
    private final int maxCount;
    private final long maxBytes;
    private final long lingerMs;
    private final ArrayDeque<PendingEntry> queue = new ArrayDeque<>();
    private long bytes;

    MicroBatcher(int maxCount, long maxBytes, long lingerMs) {
        this.maxCount = maxCount;
        this.maxBytes = maxBytes;
        this.lingerMs = lingerMs;
    }

    void add(PendingEntry e, long nowMs) {
        e.state = PendingEntry.State.READY;
        e.readySinceMs = nowMs;
        queue.addLast(e);
        bytes += e.bytes;
    }

    /** Puts refused requests back at the front, keeping their order and their waiting time. */
    void requeueFront(List<PendingEntry> refused) {
        for (int i = refused.size() - 1; i >= 0; i--) {
            queue.addFirst(refused.get(i));
            bytes += refused.get(i).bytes;
        }
    }

    boolean due(long nowMs) {
        PendingEntry head = queue.peekFirst();
        return head != null && (queue.size() >= maxCount || bytes >= maxBytes || nowMs - head.readySinceMs >= lingerMs);
    }

    /** Removes the next batch: at least one request, then up to the count and byte bounds. */
    List<PendingEntry> next() {
        List<PendingEntry> batch = new ArrayList<>();
        long batchBytes = 0;
        while (!queue.isEmpty()
                && batch.size() < maxCount
                && (batch.isEmpty() || batchBytes + queue.peekFirst().bytes <= maxBytes)) {
            PendingEntry e = queue.pollFirst();
            bytes -= e.bytes;
            batchBytes += e.bytes;
            batch.add(e);
        }
        return batch;
    }

    int size() {
        return queue.size();
    }

    void clear() {
        queue.clear();
        bytes = 0;
    }
}
