package io.harborai.worker.bench;

import io.harborai.worker.topology.TopicSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Kafka records the workers wrote, counted at the broker (outside the workers): the end offsets of
 * every topic the workers write (results, DLQ, metrics, alerts, batch progress, and their Kafka
 * Streams repartition and changelog topics, named after the run's application id) before and after
 * a phase, then the committed records between them, read with {@code read_committed}.
 *
 * <p>Under exactly-once every transaction also takes one offset per partition for its commit
 * marker, and aborted records take offsets too; so each topic reports both {@code records}
 * (committed data records, what a reader sees) and {@code offsets} (the raw end-offset growth).
 *
 * <p>Threading: used by the bench's calling thread only; owns one Admin client.
 */
final class TopicCounts implements AutoCloseable {
    /** A phase's records in one topic. */
    record Count(String topic, String role, long records, long offsets) {}

    /** End offsets of the workers' topics at one moment. */
    record Snapshot(Map<TopicPartition, Long> endOffsets) {}

    /**
     * The Kafka Streams setting the bench gives its workers so that their repartition records stay
     * readable until counted: purging is left out for a day (the bench's topics are its own).
     */
    static final Map<String, Object> NO_PURGE = Map.of("kafka.repartition.purge.interval.ms", 86_400_000L);

    /** How long reading a phase's committed records may take before the count is given up. */
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    private final Map<String, Object> common;
    private final Admin admin;
    private final Function<String, String> roles;

    /**
     * @param run the run's name: the application id and the prefix of its topics
     * @param benchTopics topics the bench itself writes (its requests), not counted
     */
    TopicCounts(Map<String, Object> common, String run, TopicSettings topics, Set<String> benchTopics) {
        this.common = common;
        this.admin = Admin.create(common);
        this.roles = name -> benchTopics.contains(name) ? null : role(name, run, topics);
    }

    /**
     * The role of a topic the workers write, or null for one they do not: {@code results},
     * {@code repartition}, {@code changelog}, {@code dlq}, {@code metrics}, {@code progress} or
     * {@code other} (another topic of the run).
     */
    static String role(String name, String run, TopicSettings t) {
        if (name.equals(t.results())) {
            return "results";
        } else if (name.equals(t.dlq())) {
            return "dlq";
        } else if (name.equals(t.metrics()) || name.equals(t.alerts())) {
            return "metrics";
        } else if (name.equals(t.batches()) || name.equals(t.batchProgress())) {
            return "progress";
        } else if (!name.startsWith(run)) {
            return null;
        } else if (name.endsWith("-repartition")) {
            return "repartition";
        } else if (name.endsWith("-changelog")) {
            return "changelog";
        }
        return "other";
    }

    Snapshot snapshot() throws ExecutionException, InterruptedException {
        Set<String> names = admin.listTopics(new ListTopicsOptions().listInternal(false)).names().get().stream()
                .filter(n -> roles.apply(n) != null)
                .collect(Collectors.toSet());
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (TopicDescription d :
                admin.describeTopics(names).allTopicNames().get().values()) {
            d.partitions().forEach(p -> latest.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest()));
        }
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(latest).all().get().forEach((tp, info) -> ends.put(tp, info.offset()));
        return new Snapshot(ends);
    }

    /**
     * Per topic that grew between the snapshots: committed records and offsets taken, sorted by
     * role and name. A topic created in between counts from offset 0.
     */
    List<Count> between(Snapshot before, Snapshot after) {
        Map<TopicPartition, long[]> ranges = new HashMap<>();
        after.endOffsets().forEach((tp, end) -> {
            long start = before.endOffsets().getOrDefault(tp, 0L);
            if (end > start) {
                ranges.put(tp, new long[] {start, end});
            }
        });
        warnIfPurged(ranges);
        Map<TopicPartition, Long> committed = readCommitted(ranges);
        Map<String, long[]> byTopic = new HashMap<>();
        ranges.forEach((tp, r) -> {
            long[] c = byTopic.computeIfAbsent(tp.topic(), t -> new long[2]);
            c[0] += committed.getOrDefault(tp, 0L);
            c[1] += r[1] - r[0];
        });
        List<Count> counts = new ArrayList<>();
        byTopic.forEach((topic, c) -> counts.add(new Count(topic, roles.apply(topic), c[0], c[1])));
        counts.sort((a, b) -> a.role().equals(b.role())
                ? a.topic().compareTo(b.topic())
                : a.role().compareTo(b.role()));
        return counts;
    }

    /**
     * Kafka Streams deletes consumed repartition records every {@code repartition.purge.interval.ms};
     * records deleted before they are read cannot be counted (the bench's workers run with purging
     * off, see {@link #NO_PURGE}, so this warns only when that was overridden).
     */
    private void warnIfPurged(Map<TopicPartition, long[]> ranges) {
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        ranges.keySet().forEach(tp -> earliest.put(tp, OffsetSpec.earliest()));
        try {
            Set<String> purged = new TreeSet<>();
            admin.listOffsets(earliest).all().get().forEach((tp, info) -> {
                if (info.offset() > ranges.get(tp)[0]) {
                    purged.add(tp.topic());
                }
            });
            if (!purged.isEmpty()) {
                System.err.println("warning: records of " + purged + " were deleted before they could be counted;"
                        + " their records are low (offsets are right)");
            }
        } catch (ExecutionException e) {
            System.err.println("warning: cannot read the log start offsets: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Committed data records per partition in [start, end), read with {@code read_committed}. */
    private Map<TopicPartition, Long> readCommitted(Map<TopicPartition, long[]> ranges) {
        Map<TopicPartition, Long> counted = new HashMap<>();
        if (ranges.isEmpty()) {
            return counted;
        }
        Map<String, Object> props = new HashMap<>(common);
        props.put("isolation.level", "read_committed");
        // Where a range's start was deleted, count what is left rather than jump to the end.
        props.put("auto.offset.reset", "earliest");
        props.put("enable.auto.commit", false);
        props.put("max.poll.records", 5_000);
        props.put("client.id", "harbor-bench-topic-counts");
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(ranges.keySet());
            ranges.forEach((tp, r) -> consumer.seek(tp, r[0]));
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            Set<TopicPartition> open = new HashSet<>(ranges.keySet());
            while (!open.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> rec : consumer.poll(Duration.ofMillis(200))) {
                    TopicPartition tp = new TopicPartition(rec.topic(), rec.partition());
                    if (rec.offset() < ranges.get(tp)[1]) {
                        counted.merge(tp, 1L, Long::sum);
                    }
                }
                // The position moves past commit markers and aborted records too.
                Set<TopicPartition> done = new HashSet<>(open);
                done.removeIf(tp -> consumer.position(tp) < ranges.get(tp)[1]);
                consumer.pause(done);
                open.removeAll(done);
            }
            if (!open.isEmpty()) {
                System.err.println("warning: committed records of " + open + " not read within " + READ_TIMEOUT
                        + "; their counts are low");
            }
        }
        return counted;
    }

    @Override
    public void close() {
        admin.close();
    }
}
