package io.harborai.worker.batch;

import io.harborai.worker.avro.BatchProgress;
import io.harborai.worker.avro.BatchStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads the latest values of compacted batch topics ({@code topics.batches}, {@code
 * topics.batch-progress}) with an assigned (group-less) read_committed consumer: every partition
 * from the beginning to its end as of the call. These topics hold one small record per batch (and
 * per task), so a full read is cheap.
 *
 * <p>Not thread-safe: uses the given consumer from the calling thread.
 */
public final class BatchStatuses {
    private BatchStatuses() {}

    /** The latest {@link BatchStatus} of {@code batchId}, if the batch was ever submitted. */
    public static Optional<BatchStatus> status(Consumer<String, BatchStatus> consumer, String topic, String batchId) {
        Map<String, BatchStatus> latest = latest(consumer, topic, batchId::equals);
        return Optional.ofNullable(latest.get(batchId));
    }

    /** The latest {@link BatchProgress} of every task that wrote results of {@code batchId}. */
    public static List<BatchProgress> progress(Consumer<String, BatchProgress> consumer, String topic, String batchId) {
        String prefix = batchId + "|";
        return new ArrayList<>(
                latest(consumer, topic, k -> k.startsWith(prefix)).values());
    }

    /** Latest value per key (tombstones remove) for keys matching {@code wanted}, up to the current end. */
    static <V> Map<String, V> latest(Consumer<String, V> consumer, String topic, Predicate<String> wanted) {
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
        Map<String, V> latest = new HashMap<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!reached(consumer, end)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("could not read " + topic + " to its end within 60 s");
            }
            for (ConsumerRecord<String, V> rec : consumer.poll(Duration.ofMillis(200))) {
                if (rec.key() != null && wanted.test(rec.key())) {
                    if (rec.value() == null) {
                        latest.remove(rec.key());
                    } else {
                        latest.put(rec.key(), rec.value());
                    }
                }
            }
        }
        return latest;
    }

    static boolean reached(Consumer<?, ?> consumer, Map<TopicPartition, Long> end) {
        // Under read_committed the position may stop short of the end offset only at a transaction
        // marker or aborted data; position() moves past those, so comparing positions is exact.
        return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
    }
}
