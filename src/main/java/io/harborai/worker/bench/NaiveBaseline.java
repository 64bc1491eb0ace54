package io.harborai.worker.bench;

import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.batch.ClientDefaults;
import io.harborai.worker.dispatch.Results;
import io.harborai.worker.provider.OpenAiCompatibleClient;
import io.harborai.worker.provider.ProviderOutcome;
import io.harborai.worker.provider.ProviderSpec;
import io.harborai.worker.schema.AvroSerde;
import io.harborai.worker.schema.SchemaRegistryClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import okhttp3.OkHttpClient;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The naive alternative the worker must beat: "a consumer that calls the OpenAI SDK". A plain
 * KafkaConsumer loop that, for each request, calls the provider synchronously (the same
 * OpenAI-compatible client the worker uses), produces the result and commits after each poll.
 * One request at a time, at-least-once, no batching of calls.
 *
 * <p>Its requests are produced up front (a backlog, as in the main run) to a topic of their own.
 * It runs rounds, each of {@code sample} requests or a {@link #MAX_ROUNDS}th of {@link
 * BenchOptions#NAIVE_MAX}, whichever comes first, until the last three agree within 10 %; their
 * median is the figure (see {@link RoundStats}; 500 cold requests swung it by half between runs,
 * and the JIT keeps speeding the loop up for several thousand requests).
 * {@link #measure} sets up its clients (the bench's serdes, the simulator as the one provider).
 *
 * <p>Threading: everything runs on the calling thread, as the naive loop would.
 */
final class NaiveBaseline {
    static final int MAX_ROUNDS = 15;

    private NaiveBaseline() {}

    /**
     * Runs the loop on its own clients and consumer group against the simulator at {@code sim},
     * for {@code --naive-sample} requests a round at most (never more than the measured run's).
     */
    static RoundStats measure(
            BenchOptions options,
            Map<String, Object> common,
            SchemaRegistryClient registry,
            String sim,
            BenchRequests requests,
            long firstSeq,
            String requestTopic,
            String resultTopic,
            String run) {
        int sample = Math.min(options.naiveSample(), options.requests());
        Map<String, Object> consumerProps = new HashMap<>(common);
        consumerProps.putAll(ClientDefaults.consumer());
        consumerProps.put("group.id", run + "-naive");
        consumerProps.put("max.poll.records", 500);
        OkHttpClient http = new OkHttpClient.Builder().build();
        try (KafkaProducer<String, ChatRequest> producer = BenchClients.requestProducer(common, registry);
                KafkaConsumer<String, ChatRequest> consumer = new KafkaConsumer<>(
                        consumerProps,
                        new StringDeserializer(),
                        new AvroSerde<>(registry, ChatRequest.class, false).deserializer());
                KafkaProducer<String, ChatResult> results = new KafkaProducer<>(
                        BenchClients.producerProps(common),
                        new StringSerializer(),
                        new AvroSerde<>(registry, ChatResult.class, true).serializer())) {
            OpenAiCompatibleClient client =
                    new OpenAiCompatibleClient(http, ProviderSpec.of("simulator", sim, null, List.of("*")), null);
            return run(
                    producer,
                    consumer,
                    results,
                    requestTopic,
                    resultTopic,
                    client,
                    requests,
                    firstSeq,
                    sample,
                    options.distinct(sample));
        } finally {
            http.dispatcher().executorService().shutdown();
            http.connectionPool().evictAll();
        }
    }

    /** Requests per second the loop completed, per measured round. */
    static RoundStats run(
            Producer<String, ChatRequest> producer,
            Consumer<String, ChatRequest> consumer,
            Producer<String, ChatResult> resultProducer,
            String requestTopic,
            String resultTopic,
            OpenAiCompatibleClient client,
            BenchRequests requests,
            long firstSeq,
            int sample,
            long distinct) {
        for (int i = 0; i < MAX_ROUNDS * sample; i++) {
            ChatRequest req = requests.request(firstSeq + i, "naive", i, distinct);
            producer.send(new ProducerRecord<>(requestTopic, req.getId(), req));
        }
        producer.flush();
        List<TopicPartition> partitions = consumer.partitionsFor(requestTopic, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        long roundNanos = BenchOptions.NAIVE_MAX.toNanos() / MAX_ROUNDS;
        RoundStats stats;
        try {
            stats = RoundStats.untilSteady(
                    i -> round(consumer, resultProducer, resultTopic, client, sample, roundNanos),
                    MAX_ROUNDS,
                    roundNanos / 1e9);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        resultProducer.flush();
        return stats;
    }

    /** One round: {@code sample} requests or {@code roundNanos}, whichever first; its requests/s. */
    private static double round(
            Consumer<String, ChatRequest> consumer,
            Producer<String, ChatResult> resultProducer,
            String resultTopic,
            OpenAiCompatibleClient client,
            int sample,
            long roundNanos) {
        long start = System.nanoTime();
        long done = 0;
        while (true) {
            ConsumerRecords<String, ChatRequest> batch = consumer.poll(Duration.ofMillis(100));
            Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
            boolean over = false;
            for (ConsumerRecord<String, ChatRequest> rec : batch) {
                ChatRequest req = rec.value();
                long receivedAt = System.currentTimeMillis();
                ProviderOutcome outcome = client.complete(req, req.getModel());
                ChatResult result = Results.of(
                        req,
                        new Results.Trail("simulator", req.getModel(), 1, null),
                        outcome,
                        receivedAt,
                        System.currentTimeMillis());
                resultProducer.send(new ProducerRecord<>(resultTopic, req.getId(), result));
                next.put(new TopicPartition(rec.topic(), rec.partition()), new OffsetAndMetadata(rec.offset() + 1));
                done++;
                over = done >= sample || System.nanoTime() - start >= roundNanos;
                if (over) {
                    break;
                }
            }
            if (over) {
                // the rest of this poll belongs to the next round: commit what was done, fetch the rest again
                for (TopicPartition tp : batch.partitions()) {
                    OffsetAndMetadata at = next.computeIfAbsent(
                            tp,
                            p -> new OffsetAndMetadata(batch.records(p).get(0).offset()));
                    consumer.seek(tp, at.offset());
                }
                consumer.commitSync(next);
            } else {
                consumer.commitSync();
            }
            long elapsed = System.nanoTime() - start;
            if (over || elapsed >= roundNanos) {
                return done * 1e9 / Math.max(1, elapsed);
            }
        }
    }
}
