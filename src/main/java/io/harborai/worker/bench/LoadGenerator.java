package io.harborai.worker.bench;

import io.harborai.worker.avro.ChatRequest;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Produces one phase of requests to the request topic: either all at once (a backlog) or open
 * loop at a fixed rate, where request {@code i} is due at {@code start + i / rate} whatever
 * happened to earlier ones.
 *
 * <p>The send time recorded for request {@code i} is its due time in open-loop mode (so a stalled
 * producer cannot hide queueing: no coordinated omission) and the time just before
 * {@code send} in backlog mode. Times are {@link System#nanoTime()}, so the bench, not the broker,
 * is the clock: producer and collector must run in one JVM, which they do.
 *
 * <p>Threading: {@link #run} runs on the generator thread and is the only writer of
 * {@link #sentAtNanos} and {@link #produced}; the collector thread reads both. The array is an
 * {@link AtomicLongArray} so that a read after the result arrived sees the write (the broker round
 * trip is not a Java happens-before edge).
 */
final class LoadGenerator implements Runnable {
    private final Producer<String, ChatRequest> producer;
    private final String topic;
    private final BenchRequests requests;
    private final String salt;
    private final long firstSeq;
    private final int count;
    private final long distinct;
    private final double rate;
    private final AtomicLongArray sentAtNanos;
    private final AtomicLong produced = new AtomicLong();
    private volatile Throwable failure;

    LoadGenerator(
            Producer<String, ChatRequest> producer,
            String topic,
            BenchRequests requests,
            String salt,
            long firstSeq,
            int count,
            long distinct,
            double rate) {
        this.producer = producer;
        this.topic = topic;
        this.requests = requests;
        this.salt = salt;
        this.firstSeq = firstSeq;
        this.count = count;
        this.distinct = distinct;
        this.rate = rate;
        this.sentAtNanos = new AtomicLongArray(count);
    }

    @Override
    public void run() {
        try {
            long start = System.nanoTime();
            double nanosPerRequest = rate > 0 ? 1e9 / rate : 0;
            for (int i = 0; i < count; i++) {
                long sentAt;
                if (rate > 0) {
                    sentAt = start + (long) (i * nanosPerRequest);
                    long wait = sentAt - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                } else {
                    sentAt = System.nanoTime();
                }
                // Build before stamping would be fairer, but the build is a few microseconds.
                ChatRequest req = requests.request(firstSeq + i, salt, i, distinct);
                sentAtNanos.set(i, sentAt);
                producer.send(new ProducerRecord<>(topic, req.getId(), req));
                produced.lazySet(i + 1L);
            }
            producer.flush();
        } catch (RuntimeException e) {
            failure = e;
        }
    }

    /** Requests handed to the producer so far. */
    long produced() {
        return produced.get();
    }

    /** The send time of the request with this seq, or -1 when it is not in this phase. */
    long sentAtNanos(long seq) {
        long i = seq - firstSeq;
        return i < 0 || i >= count ? -1 : sentAtNanos.get((int) i);
    }

    /** Why the generator stopped early, or null. */
    Throwable failure() {
        return failure;
    }
}
