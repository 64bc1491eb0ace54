package io.harborai.worker.top;

import io.harborai.worker.avro.Alert;
import io.harborai.worker.avro.MetricEvent;
import io.harborai.worker.metrics.topic.MetricsTopic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads {@code topics.metrics} (and {@code topics.alerts} when it is another topic) into a {@link
 * TopView}: an assigned, group-less consumer over every partition, starting at the first record
 * not older than a given time, and following new records as they come. Each record's type comes
 * from its {@value MetricsTopic#EVENT_HEADER} header; a record without one is an Alert on the
 * alerts topic and a MetricEvent elsewhere. Records that do not decode are skipped and counted
 * ({@link #skipped()}), so one bad record never stops the view.
 *
 * <p>{@link #caughtUp()} compares the positions with the end offsets taken by {@link #start}: that
 * is what {@code harbor top --once} waits for.
 *
 * <p>Not thread-safe: used from the command's thread, except {@link #wakeup()}, which any thread
 * may call to end a blocking {@link #poll} (it then throws {@code WakeupException}).
 */
public final class MetricsFeed implements AutoCloseable {
    private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(30);

    private final Consumer<String, byte[]> consumer;
    private final List<String> topics;
    private final String alertsTopic;
    private final Deserializer<MetricEvent> metrics;
    private final Deserializer<Alert> alerts;
    private final Map<TopicPartition, Long> endAtStart = new HashMap<>();
    private long skipped;

    /**
     * @param metricsTopic {@code topics.metrics}
     * @param alertsTopic {@code topics.alerts}, or null when alerts share the metrics topic
     */
    public MetricsFeed(
            Consumer<String, byte[]> consumer,
            String metricsTopic,
            String alertsTopic,
            Deserializer<MetricEvent> metrics,
            Deserializer<Alert> alerts) {
        this.consumer = consumer;
        Set<String> t = new LinkedHashSet<>(List.of(metricsTopic));
        if (alertsTopic != null && !alertsTopic.isBlank()) {
            t.add(alertsTopic);
        }
        this.topics = List.copyOf(t);
        this.alertsTopic = alertsTopic;
        this.metrics = metrics;
        this.alerts = alerts;
    }

    /**
     * Assigns every partition of the topics and seeks each to its first record at or after {@code
     * sinceMs} (its end when there is none). Returns the topics that do not exist (not read).
     */
    public List<String> start(long sinceMs) {
        List<String> missing = new ArrayList<>();
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            var infos = consumer.partitionsFor(topic, METADATA_TIMEOUT);
            if (infos == null || infos.isEmpty()) {
                missing.add(topic);
                continue;
            }
            infos.forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
        }
        consumer.assign(partitions);
        if (partitions.isEmpty()) {
            return missing;
        }
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(tp -> query.put(tp, Math.max(0, sinceMs)));
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query, METADATA_TIMEOUT);
        endAtStart.putAll(consumer.endOffsets(partitions, METADATA_TIMEOUT));
        for (TopicPartition tp : partitions) {
            OffsetAndTimestamp at = found.get(tp);
            consumer.seek(tp, at == null ? endAtStart.get(tp) : at.offset());
        }
        return missing;
    }

    /** Polls once (up to {@code timeout}) and feeds what came into {@code view}; returns how many records. */
    public int poll(Duration timeout, TopView view) {
        int n = 0;
        for (ConsumerRecord<String, byte[]> rec : consumer.poll(timeout)) {
            n++;
            if (rec.value() == null) {
                continue;
            }
            String type = MetricsTopic.eventType(rec.headers());
            if (type == null) {
                type = rec.topic().equals(alertsTopic) ? MetricsTopic.ALERT : MetricsTopic.METRIC;
            }
            try {
                switch (type) {
                    case MetricsTopic.METRIC ->
                        view.accept(metrics.deserialize(rec.topic(), rec.headers(), rec.value()));
                    case MetricsTopic.ALERT -> view.accept(alerts.deserialize(rec.topic(), rec.headers(), rec.value()));
                    default -> skipped++;
                }
            } catch (RuntimeException e) {
                skipped++; // a record of another writer or schema: not ours to fail on
            }
        }
        return n;
    }

    /** True once every partition has been read up to its end offset as of {@link #start}. */
    public boolean caughtUp() {
        return endAtStart.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
    }

    /** Records skipped so far: an unknown event type or a value that did not decode. */
    public long skipped() {
        return skipped;
    }

    /** Makes a blocking {@link #poll} in another thread return by throwing {@code WakeupException}. */
    public void wakeup() {
        consumer.wakeup();
    }

    @Override
    public void close() {
        consumer.close();
    }
}
