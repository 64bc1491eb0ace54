package io.harborai.worker.bench;

import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.Timings;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The worker-added latency of a phase cut into where it was spent (microseconds, whole milliseconds apart from {@code toWorker}), so a latency
 * figure names its cause:
 *
 * <ul>
 *   <li>{@code toWorker}: from the bench's send to the worker's id ledger taking the request
 *       ({@code PendingRequest.received_at_ms}): the client producer, the source topic, the worker's
 *       fetch and decode;
 *   <li>{@code inWorker}: from there to the result's completion, less the provider call
 *       ({@code ChatResult.timings.queue_ms}): the cache-key repartition hop, the L2 lookup, the
 *       queue for a call slot;
 *   <li>{@code toReader}: from the result's completion ({@code completed_at_ms}) to the bench's
 *       read_committed consumer holding it: the result's produce, its commit, the reader's fetch.
 * </ul>
 *
 * <p>{@code toWorker} is what is left of the end-to-end figure after the other two, so the three add up
 * to the worker-added latency. The cut compares the worker's wall clock with the bench's, which is
 * sound because the bench's workers run on the bench's machine.
 */
record LatencySplit(Histogram toWorker, Histogram inWorker, Histogram toReader) {
    private static final long MAX_MICROS = TimeUnit.HOURS.toMicros(1);

    /** Collects one phase; used from one thread. */
    static final class Recorder {
        private final Histogram toWorker = new Histogram(MAX_MICROS, 3);
        private final Histogram inWorker = new Histogram(MAX_MICROS, 3);
        private final Histogram toReader = new Histogram(MAX_MICROS, 3);

        /**
         * Records one result read at {@code readAtMs} (wall clock), {@code e2eMicros} after its send.
         */
        void record(ChatResult r, long e2eMicros, long readAtMs) {
            Timings t = r.getTimings();
            long reader = clamp((readAtMs - r.getCompletedAtMs()) * 1_000);
            long inside = clamp(t.getQueueMs() * 1_000);
            long worker = clamp(e2eMicros - t.getTotalMs() * 1_000 - reader);
            toWorker.recordValue(worker);
            inWorker.recordValue(inside);
            toReader.recordValue(reader);
        }

        private static long clamp(long micros) {
            return Math.min(MAX_MICROS, Math.max(0, micros));
        }

        LatencySplit snapshot() {
            return new LatencySplit(toWorker.copy(), inWorker.copy(), toReader.copy());
        }
    }
}
