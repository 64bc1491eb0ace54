package io.harborai.worker.batch;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.harborai.worker.avro.BatchStatus;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.ResultStatus;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;

/**
 * A batch's output and error files, streamed from the results topic the way {@code harbor collect}
 * reads it, so any gateway instance serves them and nothing is stored twice: each partition from the
 * batch's {@code results_start_offsets} to its end as of the call, this batch's lines only, each
 * line once (one bit per line), successes to the output file and failures to the error file.
 *
 * <p>File ids: {@code file-<batch id>-output} and {@code file-<batch id>-errors}.
 *
 * <p>Not thread-safe: uses the given consumer from the calling thread.
 */
public final class ResultFiles {
    private static final Pattern ID = Pattern.compile("file-(.+)-(output|errors)");

    /** Which of a batch's two files an id names. */
    public record Ref(String batchId, boolean errors) {}

    private ResultFiles() {}

    public static String id(String batchId, boolean errors) {
        return "file-" + batchId + (errors ? "-errors" : "-output");
    }

    public static Optional<Ref> parse(String id) {
        Matcher m = ID.matcher(id);
        return m.matches() ? Optional.of(new Ref(m.group(1), "errors".equals(m.group(2)))) : Optional.empty();
    }

    /** Writes the output ({@code errors} false) or error lines of the batch to {@code out}, one JSON object per line; returns how many. */
    public static long write(
            Consumer<String, ChatResult> consumer,
            String resultsTopic,
            BatchStatus status,
            boolean errors,
            OutputStream out)
            throws IOException {
        String batchId = status.getBatchId();
        BatchOutput output = new BatchOutput(new ObjectMapper());
        List<TopicPartition> parts = BatchCollector.partitions(consumer, resultsTopic);
        consumer.assign(parts);
        Map<TopicPartition, Long> end = consumer.endOffsets(parts, Duration.ofSeconds(30));
        Map<TopicPartition, Long> start = new HashMap<>();
        for (TopicPartition tp : parts) {
            Long from = status.getResultsStartOffsets().get(Integer.toString(tp.partition()));
            start.put(tp, from == null ? 0L : from);
        }
        Map<TopicPartition, Long> earliest = consumer.beginningOffsets(parts, Duration.ofSeconds(30));
        for (TopicPartition tp : parts) {
            consumer.seek(tp, Math.max(start.get(tp), earliest.get(tp)));
        }
        BitSet done = new BitSet();
        long lines = 0;
        long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
        while (!BatchStatuses.reached(consumer, end)) {
            if (System.nanoTime() > deadline) {
                throw new IOException("could not read " + resultsTopic + " to its end within 30 minutes");
            }
            Iterable<ConsumerRecord<String, ChatResult>> records;
            try {
                records = consumer.poll(Duration.ofMillis(200));
            } catch (RecordDeserializationException e) {
                consumer.seek(e.topicPartition(), e.offset() + 1);
                continue;
            }
            for (ConsumerRecord<String, ChatResult> rec : records) {
                ChatResult r = rec.value();
                if (r == null || !batchId.equals(r.getBatchId()) || rec.offset() >= end.get(partition(rec))) {
                    continue;
                }
                int n = ResultIds.lineNumber(batchId, r.getId());
                boolean failed = r.getStatus() != ResultStatus.SUCCEEDED;
                if (n < 0 || done.get(n) || failed != errors) {
                    continue;
                }
                done.set(n);
                out.write(output.forResult(r, r.getId()).getBytes(StandardCharsets.UTF_8));
                out.write('\n');
                lines++;
            }
        }
        return lines;
    }

    private static TopicPartition partition(ConsumerRecord<?, ?> rec) {
        return new TopicPartition(rec.topic(), rec.partition());
    }
}
