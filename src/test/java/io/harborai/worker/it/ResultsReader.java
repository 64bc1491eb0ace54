package io.harborai.worker.it;

import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.schema.AvroSerde;
import io.harborai.worker.schema.SchemaRegistryClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
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
