package io.harborai.worker.client;

import io.harborai.worker.avro.ChatResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds a request's one result on the results topic by id: for a retry (the worker's notice says
 * when the id was first taken) and for a request whose reply partition this client lost in a
 * rebalance. The results topic is keyed by request id with the producer's default partitioner, so
 * the result is on partition {@code murmur2(id) % partitions}, at or after the time the request was
 * taken; the lookup reads that partition from there (read_committed) until the id appears, and keeps
 * reading while any lookup on it waits (the first answer may still be on its way).
 *
 * <p>Why by hand: no library reads a Kafka topic by key from a time; it is a seek by timestamp and a
 * scan, which is what README "Use it from your application" tells other languages to do too.
 *
 * <p>Threading: {@link #find} from any thread; one thread of its own runs the consumer.
 */
final class ResultLookup implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ResultLookup.class);
    /** How far before the given time the scan starts: the clocks of client and worker may differ. */
    static final long CLOCK_SLACK_MS = 5_000;

    private record Wanted(String id, long fromMs, CompletableFuture<ChatResult> future) {}

    private final Consumer<String, ChatResult> consumer;
    private final String topic;
    private final ConcurrentLinkedQueue<Wanted> incoming = new ConcurrentLinkedQueue<>();
    private final Map<TopicPartition, Map<String, List<CompletableFuture<ChatResult>>>> waiting = new HashMap<>();
    private final Thread thread;
    private volatile boolean closed;
    private int partitions = -1;

    ResultLookup(Consumer<String, ChatResult> consumer, String resultsTopic, String name) {
        this.consumer = consumer;
        this.topic = resultsTopic;
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** The partition of the results topic that holds {@code id}'s result. */
    static int partitionOf(String id, int partitions) {
        return Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** Completes {@code future} with {@code id}'s result, read from the results topic at or after {@code fromMs}. */
    void find(String id, long fromMs, CompletableFuture<ChatResult> future) {
        // No consumer.wakeup(): it would also break a partitionsFor or seek of this thread; the
        // lookup is taken within one short poll.
        incoming.add(new Wanted(id, fromMs, future));
    }

    private void run() {
        try {
            while (!closed) {
                takeIncoming();
                if (waiting.isEmpty()) {
                    sleepQuietly();
                    continue;
                }
                for (ConsumerRecord<String, ChatResult> r : consumer.poll(Duration.ofMillis(50))) {
                    deliver(new TopicPartition(r.topic(), r.partition()), r.key(), r.value());
                }
                dropFinished();
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            if (!closed) {
                log.error("Result lookups on {} stopped: {}", topic, e.toString(), e);
                waiting.values()
                        .forEach(byId -> byId.values().forEach(fs -> fs.forEach(f -> f.completeExceptionally(e))));
            }
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }

    private void takeIncoming() {
        Set<TopicPartition> reading = new HashSet<>(waiting.keySet());
        Map<TopicPartition, Long> seekTo = new HashMap<>();
        for (Wanted w = incoming.poll(); w != null; w = incoming.poll()) {
            if (w.future().isDone()) {
                continue;
            }
            if (partitions < 0) {
                partitions =
                        consumer.partitionsFor(topic, Duration.ofSeconds(30)).size();
            }
            TopicPartition tp = new TopicPartition(topic, partitionOf(w.id(), partitions));
            waiting.computeIfAbsent(tp, k -> new HashMap<>())
                    .computeIfAbsent(w.id(), k -> new ArrayList<>())
                    .add(w.future());
            seekTo.merge(tp, Math.max(0, w.fromMs() - CLOCK_SLACK_MS), Math::min);
        }
        if (seekTo.isEmpty()) {
            return;
        }
        consumer.assign(waiting.keySet());
        Map<TopicPartition, OffsetAndTimestamp> offsets = consumer.offsetsForTimes(seekTo, Duration.ofSeconds(30));
        Set<TopicPartition> atEnd = new HashSet<>();
        seekTo.keySet().forEach(tp -> {
            OffsetAndTimestamp o = offsets.get(tp);
            if (reading.contains(tp)) {
                // Others wait on this partition: only ever seek back, never past their results.
                if (o != null && o.offset() < consumer.position(tp)) {
                    consumer.seek(tp, o.offset());
                }
            } else if (o == null) {
                atEnd.add(tp); // nothing at or after that time yet: the result is still to come
            } else {
                consumer.seek(tp, o.offset());
            }
        });
        if (!atEnd.isEmpty()) {
            consumer.seekToEnd(atEnd);
        }
    }

    private void deliver(TopicPartition tp, String id, ChatResult result) {
        Map<String, List<CompletableFuture<ChatResult>>> byId = waiting.get(tp);
        List<CompletableFuture<ChatResult>> futures = byId == null || id == null ? null : byId.remove(id);
        if (futures != null && result != null) {
            futures.forEach(f -> f.complete(result));
        }
    }

    /** Forgets lookups that ended otherwise (timed out, cancelled) and partitions nobody waits on. */
    private void dropFinished() {
        waiting.values()
                .forEach(byId -> byId.values().removeIf(fs -> {
                    fs.removeIf(CompletableFuture::isDone);
                    return fs.isEmpty();
                }));
        if (waiting.values().removeIf(Map::isEmpty)) {
            consumer.assign(waiting.keySet());
        }
    }

    private void sleepQuietly() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    @Override
    public void close() {
        closed = true;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
