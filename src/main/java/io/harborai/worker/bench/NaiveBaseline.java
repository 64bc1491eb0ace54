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
import java.util.ArrayList;
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
 * It runs {@link #ROUNDS} + 1 rounds, each of {@code sample} requests or an equal share of {@link
 * BenchOptions#NAIVE_MAX}, whichever comes first; the first round warms up (the JIT: 500 cold
 * requests swung the figure by half between runs), the median of the others is the figure.
 * {@link #measure} sets up its clients (the bench's serdes, the simulator as the one provider).
 *
 * <p>Threading: everything runs on the calling thread, as the naive loop would.
 */
final class NaiveBaseline {
    static final int ROUNDS = 5;

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
        int rounds = ROUNDS + 1; // the first one warms up
        for (int i = 0; i < rounds * sample; i++) {
            ChatRequest req = requests.request(firstSeq + i, "naive", i, distinct);
            producer.send(new ProducerRecord<>(requestTopic, req.getId(), req));
        }
        producer.flush();
        List<TopicPartition> partitions = consumer.partitionsFor(requestTopic, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);

        long roundNanos = BenchOptions.NAIVE_MAX.toNanos() / rounds;
        List<Double> rates = new ArrayList<>();
        int round = 0;
        long inRound = 0;
        long roundStart = System.nanoTime();
        while (round < rounds) {
            ConsumerRecords<String, ChatRequest> batch = consumer.poll(Duration.ofMillis(100));
            Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
            boolean roundOver = false;
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
                inRound++;
                roundOver = inRound >= sample || System.nanoTime() - roundStart >= roundNanos;
                if (roundOver) {
                    break;
                }
            }
            if (roundOver) {
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
            long now = System.nanoTime();
            if (roundOver || now - roundStart >= roundNanos) {
                if (round > 0) {
                    rates.add(inRound * 1e9 / Math.max(1, now - roundStart));
                }
                round++;
                inRound = 0;
                roundStart = now;
            }
        }
        resultProducer.flush();
        return new RoundStats(rates, roundNanos / 1e9);
    }
}
