package io.harborai.worker.batch;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.harborai.worker.avro.BatchStatus;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.ResultStatus;
import io.harborai.worker.console.ProgressBar;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;

/**
 * {@code harbor collect}: turns the results of one submitted batch into OpenAI Batch output lines,
 * one per input line, and ends when the batch has all of them.
 *
 * <p>Why it looks like this: a batch can have millions of lines and collect can be killed at any
 * moment, so (1) memory is one bit per line ({@link BitSet} by line number, parsed from the result
 * id {@code B:N}), never the results themselves; (2) the output files are the source of truth: each
 * poll's lines are fsynced <em>before</em> the consumer group {@code harbor-collect-<B>} commits
 * the offsets past them, so a committed offset never covers a line that is not on disk (nothing
 * missing), and lines on disk whose offsets were not committed are recognised on restart from the
 * files' ids and skipped when re-read (nothing duplicated). Without committed offsets (first run,
 * or files that do not match them) each partition starts at the batch's {@code
 * results_start_offsets}, so older history is never scanned. Collect may run while submit is still
 * going: the {@link BatchStatus} is re-read every few seconds until {@code submit_complete}, and
 * only then does {@code total_lines} say when to stop.
 *
 * <p>Not thread-safe; uses both consumers from the calling thread. The results consumer must be
 * configured with {@link #consumerDefaults}; the status consumer with {@link #statusConsumerDefaults}.
 */
public final class BatchCollector {
    /** What the run ended with. {@code lines} counts every line in the files, recovered ones too. */
    public record Summary(
            String batchId,
            long total,
            long lines,
            long succeeded,
            long failed,
            long recovered,
            boolean complete,
            Duration elapsed) {
        public long missing() {
            return Math.max(0, total - lines);
        }
    }

    /** No {@link BatchStatus} for the batch id: it was never submitted to this cluster. */
    public static final class UnknownBatchException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnknownBatchException(String message) {
            super(message);
        }
    }

    /** How often the BatchStatus is re-read while submit is not complete. */
    private static final Duration STATUS_REFRESH = Duration.ofSeconds(2);

    private final Consumer<String, ChatResult> results;
    private final Consumer<String, BatchStatus> statuses;
    private final String resultsTopic;
    private final String batchesTopic;
    private final String batchId;
    private final ObjectMapper json = new ObjectMapper();
    private final BatchOutput output = new BatchOutput(json);
    private final PrintStream log;

    public BatchCollector(
            Consumer<String, ChatResult> results,
            Consumer<String, BatchStatus> statuses,
            String resultsTopic,
            String batchesTopic,
            String batchId,
            PrintStream log) {
        this.results = results;
        this.statuses = statuses;
        this.resultsTopic = resultsTopic;
        this.batchesTopic = batchesTopic;
        this.batchId = batchId;
        this.log = log;
    }

    /** The consumer group whose committed offsets make collect of {@code batchId} resumable. */
    public static String groupId(String batchId) {
        return "harbor-collect-" + batchId;
    }

    /** Settings of the results consumer, on top of the bootstrap servers. */
    public static Map<String, Object> consumerDefaults(String batchId) {
        Map<String, Object> c = statusConsumerDefaults();
        c.put("group.id", groupId(batchId));
        c.put("auto.offset.reset", "earliest");
        return c;
    }

    /** Settings of the (group-less) BatchStatus consumer, on top of the bootstrap servers. */
    public static Map<String, Object> statusConsumerDefaults() {
        Map<String, Object> c = ClientDefaults.consumer();
        c.put("allow.auto.create.topics", false);
        return c;
    }

    /**
     * Collects into {@code out} (successes, and failures too when {@code err} is null, as OpenAI's
     * single output file does) and {@code err} (failures). Appends to files an earlier run left.
     * {@code timeout} null waits without bound; otherwise the summary says how many are missing.
     */
    public Summary run(Path out, Path err, Duration timeout) throws IOException {
        long start = System.nanoTime();
        if (err != null
                && out.toAbsolutePath().normalize().equals(err.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException("--errors must name a different file than -o");
        }
        BatchStatus status = BatchStatuses.status(statuses, batchesTopic, batchId)
                .orElseThrow(() -> new UnknownBatchException("unknown batch " + batchId + ": no BatchStatus in "
                        + batchesTopic + " (submit it with harbor submit, on this cluster)"));

        BitSet done = new BitSet();
        long torn = CollectFile.truncateToLastCompleteLine(out)
                + (err == null ? 0 : CollectFile.truncateToLastCompleteLine(err));
        CollectFile.Recovered ro = CollectFile.scan(out, batchId, done, json);
        CollectFile.Recovered re =
                err == null ? new CollectFile.Recovered(0, 0) : CollectFile.scan(err, batchId, done, json);
        Progress p = new Progress();
        p.recovered = ro.lines() + re.lines();
        p.failed = ro.failed() + re.failed();
        p.succeeded = p.recovered - p.failed;
        if (p.recovered > 0 || torn > 0) {
            log.printf(
                    "collect %s: resuming with %d lines already in the output%s%n",
                    batchId, p.recovered, torn > 0 ? " (cut a torn last line of " + torn + " bytes)" : "");
        }

        CollectOffsets offsets =
                new CollectOffsets(results, resultsTopic, batchId, CollectOffsets.filesKey(out, err), log);
        offsets.position(status, p.recovered);

        // Closing flushes and fsyncs; every line was already synced after its poll.
        CollectFile outFile = CollectFile.openForAppend(out);
        try (outFile;
                CollectFile errFile = err != null ? CollectFile.openForAppend(err) : null) {
            status = loop(status, done, p, outFile, errFile != null ? errFile : outFile, offsets, start, timeout);
        }
        long lines = p.succeeded + p.failed;
        return new Summary(
                batchId,
                status.getTotalLines(),
                lines,
                p.succeeded,
                p.failed,
                p.recovered,
                status.getSubmitComplete() && lines >= status.getTotalLines(),
                Duration.ofNanos(System.nanoTime() - start));
    }

    /** Counters of one run (recovered lines included in succeeded/failed). */
    private static final class Progress {
        long recovered;
        long succeeded;
        long failed;

        long lines() {
            return succeeded + failed;
        }
    }

    private BatchStatus loop(
            BatchStatus initial,
            BitSet done,
            Progress p,
            CollectFile outFile,
            CollectFile errFile,
            CollectOffsets offsets,
            long start,
            Duration timeout)
            throws IOException {
        BatchStatus status = initial;
        ProgressBar bar = ProgressBar.stderr("collect", status.getTotalLines());
        bar.baseline(p.recovered);
        bar.total(status.getTotalLines(), status.getSubmitComplete());
        long deadline = timeout == null ? Long.MAX_VALUE : start + timeout.toNanos();
        long statusReadAt = System.nanoTime();
        while (!(status.getSubmitComplete() && p.lines() >= status.getTotalLines())) {
            long now = System.nanoTime();
            if (now - deadline > 0) {
                break;
            }
            if (!status.getSubmitComplete()
                    && (now - statusReadAt >= STATUS_REFRESH.toNanos()
                            || (p.lines() >= status.getTotalLines() && now - statusReadAt >= 250_000_000L))) {
                status = BatchStatuses.status(statuses, batchesTopic, batchId).orElse(status);
                statusReadAt = System.nanoTime();
                bar.total(status.getTotalLines(), status.getSubmitComplete());
                continue;
            }
            ConsumerRecords<String, ChatResult> records;
            try {
                records = results.poll(Duration.ofMillis(200));
            } catch (RecordDeserializationException e) {
                log.printf(
                        "collect %s: skipping undecodable record %s@%d: %s%n",
                        batchId, e.topicPartition(), e.offset(), e.getMessage());
                results.seek(e.topicPartition(), e.offset() + 1);
                continue;
            }
            if (records.isEmpty()) {
                bar.update(p.lines());
                continue;
            }
            for (ConsumerRecord<String, ChatResult> rec : records) {
                write(rec.value(), done, p, outFile, errFile);
            }
            // Durable first, then committed: a committed offset never covers a line not on disk.
            outFile.sync();
            if (errFile != outFile) {
                errFile.sync();
            }
            offsets.commit(p.lines());
            bar.update(p.lines());
        }
        bar.finish(p.lines());
        return status;
    }

    private void write(ChatResult r, BitSet done, Progress p, CollectFile outFile, CollectFile errFile)
            throws IOException {
        if (r == null || !batchId.equals(r.getBatchId())) {
            return; // another batch's result
        }
        int n = ResultIds.lineNumber(batchId, r.getId());
        if (n < 0 || done.get(n)) {
            return; // not a line id, or a line already in the files (resubmission, or re-read after a crash)
        }
        boolean ok = r.getStatus() == ResultStatus.SUCCEEDED;
        (ok ? outFile : errFile).append(output.forResult(r, r.getId()));
        done.set(n);
        if (ok) {
            p.succeeded++;
        } else {
            p.failed++;
        }
    }

    static List<TopicPartition> partitions(Consumer<?, ?> consumer, String topic) {
        List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(pi -> new TopicPartition(pi.topic(), pi.partition()))
                .toList();
        if (parts.isEmpty()) {
            throw new IllegalStateException("results topic " + topic + " does not exist");
        }
        return parts;
    }
}
