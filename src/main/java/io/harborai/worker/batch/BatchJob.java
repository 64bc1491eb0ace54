package io.harborai.worker.batch;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * An OpenAI Batch job as a Kafka client: submits every valid line as a ChatRequest, then collects
 * one result per submitted request from the results topic (read_committed) and writes one output
 * line per input line. Invalid and duplicate lines get error lines at once; requests still
 * without a result when the timeout passes get {@code expired} error lines.
 *
 * <p>Runs on the calling thread; the producer and consumer are used from that thread only.
 */
public final class BatchJob {
    /** What the job did, for the summary line. */
    public record Summary(String batchId, long lines, long submitted, long succeeded, long failed, long invalid,
                          long expired, Duration elapsed) {
        public long outputLines() {
            return succeeded + failed + invalid + expired;
        }
    }

    private final Producer<String, ChatRequest> producer;
    private final Consumer<String, ChatResult> consumer;
    private final String requestTopic;
    private final String resultsTopic;
    private final ObjectMapper json = new ObjectMapper();
    private final BatchOutput output = new BatchOutput(json);

    public BatchJob(Producer<String, ChatRequest> producer, Consumer<String, ChatResult> consumer,
                    String requestTopic, String resultsTopic) {
        this.producer = producer;
        this.consumer = consumer;
        this.requestTopic = requestTopic;
        this.resultsTopic = resultsTopic;
    }

    public Summary run(Path input, Path outputFile, String batchId, Duration timeout) throws IOException {
        long start = System.nanoTime();
        // Position the consumer at the current end before submitting: every result of this
        // batch is written after this point, so history is never scanned.
        List<TopicPartition> partitions = consumer.partitionsFor(resultsTopic, Duration.ofSeconds(30)).stream()
            .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);

        // Request id -> custom_id of every submitted line still without a result.
        Map<String, String> pending = new HashMap<>();
        long lines = 0;
        long lineNumber = 0;
        long invalid = 0;
        Files.createDirectories(outputFile.toAbsolutePath().getParent());
        try (BufferedReader in = Files.newBufferedReader(input, StandardCharsets.UTF_8);
             BufferedWriter out = Files.newBufferedWriter(outputFile, StandardCharsets.UTF_8)) {
            ProgressBar submitBar = ProgressBar.stderr("submit", countLines(input));
            Set<String> seenCustomIds = new HashSet<>();
            String text;
            while ((text = in.readLine()) != null) {
                lineNumber++; // physical: blank lines are skipped but still numbered
                if (text.isBlank()) {
                    continue;
                }
                lines++;
                BatchLine line = BatchLine.parse(json, lineNumber, text, batchId);
                if (line.customId() != null && !seenCustomIds.add(line.customId())) {
                    line = new BatchLine.Invalid(lineNumber, line.customId(), "duplicate_custom_id",
                        "line " + lineNumber + ": custom_id '" + line.customId() + "' appeared on an earlier line");
                }
                if (line instanceof BatchLine.Valid v) {
                    pending.put(v.request().getId(), v.customId());
                    producer.send(new ProducerRecord<>(requestTopic, v.request().getId(), v.request()));
                } else {
                    BatchLine.Invalid bad = (BatchLine.Invalid) line;
                    invalid++;
                    writeLine(out, output.forError(BatchLine.requestId(batchId, lineNumber), bad.customId(), bad.code(),
                        bad.message()));
                }
                submitBar.update(lines);
            }
            producer.flush();
            submitBar.finish(lines);
            long submitted = pending.size();
            long[] counts = collect(out, pending, timeout);
            long expired = pending.size();
            for (Map.Entry<String, String> e : pending.entrySet()) {
                writeLine(out, output.forError(e.getKey(), e.getValue(), "expired",
                    "no result within " + timeout.toSeconds() + " s; is a worker running?"));
            }
            return new Summary(batchId, lines, submitted, counts[0], counts[1], invalid, expired,
                Duration.ofNanos(System.nanoTime() - start));
        }
    }

    /** Returns {succeeded, failed}; removes collected ids from {@code pending}. */
    private long[] collect(BufferedWriter out, Map<String, String> pending, Duration timeout) throws IOException {
        long succeeded = 0;
        long failed = 0;
        long total = pending.size();
        ProgressBar bar = ProgressBar.stderr("collect", total);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!pending.isEmpty() && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, ChatResult> rec : consumer.poll(Duration.ofMillis(200))) {
                ChatResult r = rec.value();
                if (r == null || pending.remove(r.getId()) == null) {
                    continue; // another batch's result, or one already written
                }
                if (r.getStatus() == io.harborai.worker.avro.ResultStatus.SUCCEEDED) {
                    succeeded++;
                } else {
                    failed++;
                }
                writeLine(out, output.forResult(r));
            }
            bar.update(succeeded + failed);
        }
        bar.finish(succeeded + failed);
        return new long[] {succeeded, failed};
    }

    private static void writeLine(BufferedWriter out, String line) throws IOException {
        out.write(line);
        out.write('\n');
    }

    private static long countLines(Path input) throws IOException {
        try (var s = Files.lines(input, StandardCharsets.UTF_8)) {
            return s.filter(l -> !l.isBlank()).count();
        }
    }

    /** Producer/consumer settings the job needs on top of the bootstrap servers. */
    public static Map<String, Object> producerDefaults() {
        Map<String, Object> p = new HashMap<>();
        p.put("acks", "all");
        p.put("enable.idempotence", true);
        p.put("linger.ms", 5);
        return p;
    }

    public static Map<String, Object> consumerDefaults() {
        Map<String, Object> c = new HashMap<>();
        c.put("isolation.level", "read_committed");
        c.put("enable.auto.commit", false);
        c.put("max.poll.records", 2000);
        return c;
    }
}
