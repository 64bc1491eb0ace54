package io.harborai.worker.it;

import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.schema.AvroSerde;
import io.harborai.worker.schema.SchemaRegistryClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a results topic as a read_committed consumer, from the beginning, on a thread of its own
 * while the test runs: how many ids are answered so far (a producer paces itself on it), and every
 * record read, for the checks at the end. {@link ResultsReader} reads once, after the fact.
 *
 * <p>Threading: the reader thread owns the consumer; the record list and the id set are guarded
 * by this object's lock.
 */
final class ResultsTail implements AutoCloseable {
    private final List<ConsumerRecord<String, ChatResult>> records = new ArrayList<>();
    private final Set<String> ids = new HashSet<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private volatile RuntimeException failure;

    ResultsTail(String bootstrap, SchemaRegistryClient registry, String topic) {
        KafkaConsumer<String, ChatResult> consumer = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrap,
                        ConsumerConfig.GROUP_ID_CONFIG,
                        "it-tail-" + UUID.randomUUID(),
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "earliest",
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                        "read_committed"),
                new StringDeserializer(),
                new AvroSerde<>(registry, ChatResult.class, false).deserializer());
        consumer.subscribe(List.of(topic));
        thread = new Thread(
                () -> {
                    try (consumer) {
                        while (running.get()) {
                            var batch = consumer.poll(Duration.ofMillis(100));
                            synchronized (this) {
                                batch.forEach(r -> {
                                    records.add(r);
                                    ids.add(r.key());
                                });
                            }
                        }
                    } catch (RuntimeException e) {
                        failure = e;
                    }
                },
                "results-tail");
        thread.setDaemon(true);
        thread.start();
    }

    /** Distinct ids answered so far. */
    synchronized int answered() {
        check();
        return ids.size();
    }

    /** Whether every one of {@code wanted} has a result. */
    synchronized boolean answeredAll(Set<String> wanted) {
        check();
        return ids.containsAll(wanted);
    }

    /** Every record read so far. */
    synchronized List<ConsumerRecord<String, ChatResult>> records() {
        return List.copyOf(records);
    }

    private void check() {
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public void close() {
        running.set(false);
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
