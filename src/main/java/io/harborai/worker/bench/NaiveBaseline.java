package io.harborai.worker.bench;

import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.dispatch.Results;
import io.harborai.worker.provider.OpenAiCompatibleClient;
import io.harborai.worker.provider.ProviderOutcome;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The naive alternative the worker must beat: "a consumer that calls the OpenAI SDK". A plain
 * KafkaConsumer loop that, for each request, calls the provider synchronously (the same
 * OpenAI-compatible client the worker uses), produces the result and commits after each poll.
 * One request at a time, at-least-once, no batching of calls.
 *
 * <p>Its requests are produced up front (a backlog, as in the main run) to a topic of their own;
 * it stops after {@code sample} requests or {@link BenchOptions#NAIVE_MAX}, whichever comes first.
 *
 * <p>Threading: everything runs on the calling thread, as the naive loop would.
 */
final class NaiveBaseline {
    private NaiveBaseline() {}

    /** Requests per second the loop completed. */
    static double run(
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
        for (int i = 0; i < sample; i++) {
            ChatRequest req = requests.request(firstSeq + i, "naive", i, distinct);
            producer.send(new ProducerRecord<>(requestTopic, req.getId(), req));
        }
        producer.flush();
        List<TopicPartition> partitions = consumer.partitionsFor(requestTopic, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);

        long start = System.nanoTime();
        long deadline = start + BenchOptions.NAIVE_MAX.toNanos();
        long done = 0;
        while (done < sample && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, ChatRequest> rec : consumer.poll(Duration.ofMillis(100))) {
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
                done++;
                if (System.nanoTime() >= deadline) {
                    break;
                }
            }
            consumer.commitSync();
        }
        resultProducer.flush();
        long elapsed = System.nanoTime() - start;
        return done * 1e9 / Math.max(1, elapsed);
    }
}
