package io.harborai.worker.topology;

import io.harborai.worker.avro.PendingRequest;
import io.harborai.worker.dispatch.PendingCodec;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * One task's requests that arrived while the worker's in-flight budget stayed full: a FIFO queue
 * on disk, in the task's persistent, changelogged {@code parked} store, so a long provider outage
 * grows the disk by the backlog the worker has already taken, never the heap.
 *
 * <p>Keys are arrival sequence numbers, serialized as 8-byte big-endian longs: they are never
 * negative, so the store's byte order is their numeric order. Entries are only appended at the
 * tail and removed at the head, so the store holds exactly the keys {@code [head, tail)}; both are
 * recovered on construction from the store's first and last key, which is how a restored store
 * (after a crash, restart or rebalance) carries on where the previous owner stopped. Values are
 * {@link PendingCodec} bytes, the encoding of the {@code pending} store.
 *
 * <p>Moving an entry to the engine and deleting it here happen on the stream thread in one
 * processing step, so under {@code exactly_once_v2} both commit in one transaction with the input
 * offsets: a parked request is never lost and never admitted twice.
 *
 * <p>Owned by its task's stream thread.
 */
final class ParkedRequests {
    private final KeyValueStore<Long, byte[]> store;
    private final TopologyMeters meters;
    /** Sequence of the oldest entry; equals {@code tail} when empty. */
    private long head;
    /** Sequence the next parked record gets. */
    private long tail;

    ParkedRequests(KeyValueStore<Long, byte[]> store, TopologyMeters meters) {
        this.store = store;
        this.meters = meters;
        try (KeyValueIterator<Long, byte[]> first = store.all();
                KeyValueIterator<Long, byte[]> last = store.reverseAll()) {
            if (first.hasNext()) {
                head = first.next().key;
                tail = last.next().key + 1;
            }
        }
        meters.parkedChanged(size());
    }

    boolean isEmpty() {
        return head == tail;
    }

    /** Parked entries of this task. */
    long size() {
        return tail - head;
    }

    /** Appends a record at the tail. */
    void park(PendingRequest request) {
        store.put(tail++, PendingCodec.encode(request));
        meters.parked();
    }

    /**
     * Hands the oldest entries to {@code admit}, oldest first, while {@code room} says there is
     * room; each is deleted from the store as it is handed over.
     *
     * @return how many were handed over
     */
    int drain(BooleanSupplier room, Consumer<PendingRequest> admit) {
        int n = 0;
        while (head < tail && room.getAsBoolean()) {
            KeyValue<Long, PendingRequest> oldest = oldest();
            if (oldest == null) {
                break;
            }
            store.delete(oldest.key);
            head = oldest.key + 1;
            meters.parkedChanged(-1);
            n++;
            admit.accept(oldest.value);
        }
        return n;
    }

    /** The entry at the head; a missing key (never written by this class) is stepped over. */
    private KeyValue<Long, PendingRequest> oldest() {
        for (; head < tail; head++) {
            byte[] bytes = store.get(head);
            if (bytes != null) {
                return KeyValue.pair(head, PendingCodec.decode(bytes));
            }
            meters.parkedChanged(-1);
        }
        return null;
    }

    /** The task is closing: its entries stay in the store for the next owner, not in this instance's gauge. */
    void close() {
        meters.parkedChanged(-size());
        head = tail;
    }
}
