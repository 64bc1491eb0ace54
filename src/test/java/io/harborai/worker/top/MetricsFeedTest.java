package io.harborai.worker.top;

import static io.harborai.worker.top.TopFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.harborai.worker.avro.Alert;
import io.harborai.worker.avro.AlertState;
import io.harborai.worker.avro.MetricEvent;
import io.harborai.worker.avro.Severity;
import io.harborai.worker.metrics.topic.MetricsTopic;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;

class MetricsFeedTest {
    private static final long NOW = 1_700_000_000_000L;
    private static final TopicPartition METRICS = new TopicPartition("m", 0);
    private static final TopicPartition ALERTS = new TopicPartition("a", 0);

    /** A MockConsumer whose offsetsForTimes answers from a fixed map (the mock does not implement it). */
    private static final class Consumer extends MockConsumer<String, byte[]> {
        final Map<TopicPartition, Long> offsetForSince = new HashMap<>();

        Consumer() {
            super("earliest");
        }

        @Override
        public synchronized Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(
                Map<TopicPartition, Long> query, Duration timeout) {
            Map<TopicPartition, OffsetAndTimestamp> out = new HashMap<>();
            query.forEach((tp, ts) -> out.put(
                    tp, offsetForSince.containsKey(tp) ? new OffsetAndTimestamp(offsetForSince.get(tp), ts) : null));
            return out;
        }
    }

    private final Deserializer<MetricEvent> metrics =
            (topic, bytes) -> decode(() -> MetricEvent.fromByteBuffer(ByteBuffer.wrap(bytes)));
    private final Deserializer<Alert> alerts =
            (topic, bytes) -> decode(() -> Alert.fromByteBuffer(ByteBuffer.wrap(bytes)));

    @Test
    void shouldStartAtTheSinceOffsetAndSortRecordsByTheirHeaderUntilCaughtUp() {
        Consumer consumer = consumer(Map.of(METRICS, 5L, ALERTS, 2L));
        consumer.offsetForSince.put(METRICS, 3L);
        MetricsFeed feed = new MetricsFeed(consumer, "m", "a", metrics, alerts);
        TopView view = new TopView(10_000);

        assertThat(feed.start(NOW - 120_000)).isEmpty();
        assertThat(consumer.position(METRICS)).isEqualTo(3);
        assertThat(consumer.position(ALERTS))
                .as("nothing since then: start at the end")
                .isEqualTo(2);
        assertThat(feed.caughtUp()).isFalse();

        consumer.addRecord(record(METRICS, 3, "x", event("x", NOW, 1, List.of()), MetricsTopic.METRIC));
        consumer.addRecord(record(
                METRICS,
                4,
                "latency_p95|x",
                alert("latency_p95", "x", AlertState.FIRING, Severity.WARNING, NOW),
                MetricsTopic.ALERT));
        assertThat(feed.poll(Duration.ZERO, view)).isEqualTo(2);

        assertThat(feed.caughtUp()).isTrue();
        TopSnapshot s = view.snapshot(NOW);
        assertThat(s.instances()).extracting(TopSnapshot.InstanceRow::instance).containsExactly("x");
        assertThat(s.firing()).extracting(Alert::getRule).containsExactly("latency_p95");
        assertThat(feed.skipped()).isZero();
    }

    @Test
    void shouldTakeAnUnmarkedRecordOnTheAlertsTopicForAnAlertAndSkipWhatDoesNotDecode() {
        Consumer consumer = consumer(Map.of(METRICS, 0L, ALERTS, 0L));
        consumer.offsetForSince.put(METRICS, 0L);
        consumer.offsetForSince.put(ALERTS, 0L);
        MetricsFeed feed = new MetricsFeed(consumer, "m", "a", metrics, alerts);
        TopView view = new TopView(10_000);
        feed.start(0);

        consumer.addRecord(
                record(ALERTS, 0, "memory|x", alert("memory", "x", AlertState.FIRING, Severity.CRITICAL, NOW), null));
        consumer.addRecord(new ConsumerRecord<>(
                "m",
                0,
                0,
                0L,
                TimestampType.CREATE_TIME,
                0,
                3,
                "k",
                new byte[] {1, 2, 3},
                new RecordHeaders(),
                Optional.empty()));
        consumer.addRecord(record(METRICS, 1, "y", event("y", NOW, 1, List.of()), "trace"));
        feed.poll(Duration.ZERO, view);

        assertThat(view.snapshot(NOW).firing()).extracting(Alert::getRule).containsExactly("memory");
        assertThat(view.instanceCount()).isZero();
        assertThat(feed.skipped()).isEqualTo(2);
    }

    @Test
    void shouldReportATopicThatDoesNotExist() {
        Consumer consumer = new Consumer();
        consumer.updatePartitions("m", List.of(new PartitionInfo("m", 0, Node.noNode(), new Node[0], new Node[0])));
        consumer.updateEndOffsets(Map.of(METRICS, 0L));

        assertThat(new MetricsFeed(consumer, "m", "nope", metrics, alerts).start(0))
                .containsExactly("nope");
    }

    private static Consumer consumer(Map<TopicPartition, Long> ends) {
        Consumer consumer = new Consumer();
        ends.keySet()
                .forEach(tp -> consumer.updatePartitions(
                        tp.topic(),
                        List.of(new PartitionInfo(
                                tp.topic(), tp.partition(), Node.noNode(), new Node[0], new Node[0]))));
        consumer.updateEndOffsets(ends);
        consumer.updateBeginningOffsets(Map.of(METRICS, 0L, ALERTS, 0L));
        return consumer;
    }

    private static ConsumerRecord<String, byte[]> record(
            TopicPartition tp, long offset, String key, SpecificRecordBase value, String type) {
        RecordHeaders headers = new RecordHeaders();
        if (type != null) {
            MetricsTopic.mark(headers, type);
        }
        byte[] bytes = decode(() -> {
            ByteBuffer buf = value instanceof MetricEvent e ? e.toByteBuffer() : ((Alert) value).toByteBuffer();
            byte[] b = new byte[buf.remaining()];
            buf.get(b);
            return b;
        });
        return new ConsumerRecord<>(
                tp.topic(),
                tp.partition(),
                offset,
                NOW,
                TimestampType.CREATE_TIME,
                key.length(),
                bytes.length,
                key,
                bytes,
                headers,
                Optional.empty());
    }

    private interface IoSupplier<T> {
        T get() throws IOException;
    }

    private static <T> T decode(IoSupplier<T> io) {
        try {
            return io.get();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
