package io.harborai.worker.it;

import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.schema.AvroSerde;
import io.harborai.worker.schema.SchemaRegistryClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads a topic as a read_committed consumer from the beginning, for assertions in ITs. */
final class ResultsReader {
    private ResultsReader() {}

    /** Polls until {@code done} holds for the records read so far, or the timeout passes. */
    static List<ConsumerRecord<String, ChatResult>> results(
            String bootstrap,
            SchemaRegistryClient registry,
            String topic,
            Duration timeout,
            Predicate<List<ConsumerRecord<String, ChatResult>>> done) {
        try (var consumer = new KafkaConsumer<>(
                props(bootstrap),
                new StringDeserializer(),
                new AvroSerde<>(registry, ChatResult.class, false).deserializer())) {
            return poll(consumer, topic, timeout, done);
        }
    }

    /**
     * A {@code done} predicate: true once every one of {@code ids} was read and {@code grace} more
     * has passed, so that a late duplicate of an answered id shows up too.
     */
    static <K, V> Predicate<List<ConsumerRecord<K, V>>> allAndThen(Set<K> ids, Duration grace) {
        long[] doneAt = {0};
        return recs -> {
            if (doneAt[0] == 0
                    && recs.stream()
                            .map(ConsumerRecord::key)
                            .collect(Collectors.toSet())
                            .containsAll(ids)) {
                doneAt[0] = System.nanoTime();
            }
            return doneAt[0] != 0 && System.nanoTime() - doneAt[0] > grace.toNanos();
        };
    }

    static List<ConsumerRecord<byte[], byte[]>> raw(
            String bootstrap, String topic, Duration timeout, Predicate<List<ConsumerRecord<byte[], byte[]>>> done) {
        try (var consumer =
                new KafkaConsumer<>(props(bootstrap), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            return poll(consumer, topic, timeout, done);
        }
    }

    private static <K, V> List<ConsumerRecord<K, V>> poll(
            KafkaConsumer<K, V> consumer, String topic, Duration timeout, Predicate<List<ConsumerRecord<K, V>>> done) {
        consumer.subscribe(List.of(topic));
        List<ConsumerRecord<K, V>> out = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.test(out) && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200)).forEach(out::add);
        }
        return out;
    }

    private static Map<String, Object> props(String bootstrap) {
        return Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG,
                "it-reader-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed");
    }
}
