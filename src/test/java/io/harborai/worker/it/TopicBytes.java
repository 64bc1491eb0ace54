package io.harborai.worker.it;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Whole topics as raw bytes, for searches that must see every record a worker left behind. */
final class TopicBytes {
    private TopicBytes() {}

    /** Committed records of {@code topic}, read until at least {@code atLeast} arrived (or 60 s passed). */
    static long count(String bootstrap, String topic, long atLeast) {
        return ResultsReader.raw(bootstrap, topic, Duration.ofSeconds(60), recs -> recs.size() >= atLeast)
                .size();
    }

    /**
     * Every topic whose name contains {@code marker} (a worker's own topics, changelogs and
     * repartition topics all carry its test name) and the broker's internal topics, by name: each
     * record's key, value, header keys and header values, aborted transactions' records included.
     */
    static Map<String, byte[]> ofWorker(String bootstrap, String marker)
            throws ExecutionException, InterruptedException {
        Map<String, byte[]> out = new TreeMap<>();
        List<String> topics;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            topics = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get().stream()
                    .filter(t -> t.contains(marker) || t.startsWith("__"))
                    .sorted()
                    .toList();
        }
        try (var consumer = new KafkaConsumer<>(
                Map.<String, Object>of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrap,
                        ConsumerConfig.GROUP_ID_CONFIG,
                        "it-bytes-" + UUID.randomUUID(),
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                        "read_uncommitted",
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                        false),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            for (String topic : topics) {
                out.put(topic, read(consumer, topic));
            }
        }
        return out;
    }

    private static byte[] read(KafkaConsumer<byte[], byte[]> consumer, String topic) {
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("could not read " + topic + " to its end within 30 s");
            }
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                append(bytes, r.key());
                append(bytes, r.value());
                for (Header h : r.headers()) {
                    append(bytes, h.key().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    append(bytes, h.value());
                }
            }
        }
        return bytes.toByteArray();
    }

    private static void append(ByteArrayOutputStream out, byte[] b) {
        if (b != null) {
            out.writeBytes(b);
        }
        out.write('\n');
    }
}
