package io.harborai.worker.batch;

import io.harborai.worker.avro.BatchStatus;
import io.harborai.worker.avro.ChatResult;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Where {@code harbor collect} reads the results topic from, and the commits that make it resume.
 *
 * <p>Why the metadata: committed offsets are only right for the files they were committed with.
 * Each commit records which OUT/ERR paths it belongs to and how many lines they held, and a new run
 * trusts the offsets only when its files are those and hold at least that many lines. If OUT was
 * deleted, replaced or is a different path, the offsets would skip results whose lines are not in
 * the files; the run then starts again from the batch's {@code results_start_offsets} instead (the
 * lines already present are skipped by the done-set, so this costs time, never correctness).
 *
 * <p>The consumer is used with {@code assign}, not {@code subscribe}: one collector per batch and
 * no rebalances; its group only stores offsets. Not thread-safe.
 */
final class CollectOffsets {
    private static final Pattern META = Pattern.compile("harbor-collect v1 files=(\\w+) done=(\\d+)");

    private final Consumer<String, ChatResult> consumer;
    private final String topic;
    private final String batchId;
    private final String filesKey;
    private final PrintStream log;
    private List<TopicPartition> partitions = List.of();

    CollectOffsets(
            Consumer<String, ChatResult> consumer, String topic, String batchId, String filesKey, PrintStream log) {
        this.consumer = consumer;
        this.topic = topic;
        this.batchId = batchId;
        this.filesKey = filesKey;
        this.log = log;
    }

    /** Identifies the pair of output files (absolute paths) that commits belong to. */
    static String filesKey(Path out, Path err) {
        String both = out.toAbsolutePath().normalize() + "\n"
                + (err == null ? "-" : err.toAbsolutePath().normalize());
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(both.getBytes(StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(d, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String metadata(String filesKey, long done) {
        return "harbor-collect v1 files=" + filesKey + " done=" + done;
    }

    /** True when {@code committed} can be used with files holding {@code recovered} lines. */
    static boolean trusted(OffsetAndMetadata committed, String filesKey, long recovered) {
        Matcher m = META.matcher(committed.metadata() == null ? "" : committed.metadata());
        return m.matches() && m.group(1).equals(filesKey) && Long.parseLong(m.group(2)) <= recovered;
    }

    /** Assigns every partition and seeks it to its committed offset, or to the batch's start. */
    void position(BatchStatus status, long recovered) {
        partitions = BatchCollector.partitions(consumer, topic);
        consumer.assign(partitions);
        Map<TopicPartition, OffsetAndMetadata> committed =
                consumer.committed(new HashSet<>(partitions), Duration.ofSeconds(30));
        boolean any = committed.values().stream().anyMatch(o -> o != null);
        boolean useCommitted =
                any && committed.values().stream().allMatch(o -> o == null || trusted(o, filesKey, recovered));
        if (any && !useCommitted) {
            log.printf(
                    "collect %s: the offsets group %s committed belong to other or older output files; "
                            + "reading the batch's results from its start again (lines already present are skipped)%n",
                    batchId, BatchCollector.groupId(batchId));
        }
        Map<String, Long> starts = status.getResultsStartOffsets() == null ? Map.of() : status.getResultsStartOffsets();
        if (starts.isEmpty() && !useCommitted) {
            log.printf(
                    "collect %s: the BatchStatus has no results_start_offsets; reading %s from the beginning%n",
                    batchId, topic);
        }
        for (TopicPartition tp : partitions) {
            OffsetAndMetadata c = committed.get(tp);
            Long start = starts.get(Integer.toString(tp.partition()));
            if (useCommitted && c != null) {
                consumer.seek(tp, c.offset());
            } else if (start != null) {
                consumer.seek(tp, start);
            } else {
                // A partition the batch never saw (added later, or no start offsets): all of it is newer.
                consumer.seekToBeginning(List.of(tp));
            }
        }
    }

    /** Commits the current position of every partition, recording the lines the files now hold. */
    void commit(long done) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        String meta = metadata(filesKey, done);
        for (TopicPartition tp : partitions) {
            offsets.put(tp, new OffsetAndMetadata(consumer.position(tp), meta));
        }
        consumer.commitSync(offsets);
    }
}
