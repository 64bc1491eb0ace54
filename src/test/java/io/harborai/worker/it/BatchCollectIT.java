package io.harborai.worker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harborai.worker.avro.BatchStatus;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.batch.BatchCollector;
import io.harborai.worker.cli.HarborCli;
import io.harborai.worker.schema.AvroSerde;
import io.harborai.worker.testinfra.HarborIntegrationTest;
import io.harborai.worker.testinfra.Infra;
import io.harborai.worker.testinfra.Kill;
import io.harborai.worker.testinfra.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code harbor collect} on the real broker and registry, with the BatchStatus and results written
 * by the test as {@code harbor submit} and the worker would: exactly one output line per line of
 * the batch, despite foreign, stale, aborted and duplicated results, a kill halfway with a torn
 * write, and a submit still running while collect starts.
 */
@HarborIntegrationTest
class BatchCollectIT {
    private static final int LINES = 20_000;
    private final ObjectMapper json = new ObjectMapper();

    @TempDir
    Path dir;

    private CollectFixtures fx;

    @Test
    void shouldWriteOneLinePerLineIgnoringForeignStaleAbortedAndDuplicateResults(Infra infra) throws Exception {
        fx = new CollectFixtures(infra);
        String batch = Topics.unique("batch");
        String other = Topics.unique("other");
        try (var results = fx.resultProducer(null)) {
            for (int n = 1; n <= 500; n++) {
                results.send(fx.record(fx.result(other, n, "req-" + n, true)));
            }
            for (int n = 1; n <= 300; n++) { // an earlier batch with the same id: before the start offsets
                results.send(fx.record(fx.result(batch, n, "stale-" + n, n % 2 == 0)));
            }
            results.flush();
            fx.writeStatus(batch, LINES, true, fx.endOffsets());
            try (var tx = fx.resultProducer(Topics.unique("collect-tx"))) {
                tx.initTransactions();
                tx.beginTransaction();
                for (int n = 1; n <= 50; n++) {
                    tx.send(fx.record(fx.result(batch, n, "aborted-" + n, false)));
                }
                tx.flush();
                tx.abortTransaction();
            }
            List<Integer> order = shuffled(LINES, 7);
            for (int i = 0; i < order.size(); i++) {
                int n = order.get(i);
                results.send(fx.record(fx.result(batch, n, "req-" + n, !failing(n))));
                if (n % 250 == 0) { // a resubmitted line answered twice
                    results.send(fx.record(fx.result(batch, n, "req-" + n, !failing(n))));
                }
                if (i % 3 == 0) {
                    results.send(fx.record(fx.result(other, 1000 + i, "req-" + i, true)));
                }
            }
            ChatResult wrongBatch = fx.result(other, 5, "wrong-batch", true);
            wrongBatch.setId(batch + ":5"); // a line id of B, but another batch's result
            results.send(fx.record(wrongBatch));
            for (String bad : new String[] {batch + ":abc", batch + ":0", batch + ":", batch + ":-3"}) {
                ChatResult r = fx.result(batch, 1, "bad-id", true);
                r.setId(bad);
                results.send(fx.record(r));
            }
            results.flush();
        }
        Path out = dir.resolve("out.jsonl");
        Path err = dir.resolve("err.jsonl");
        int exit = HarborCli.commandLine()
                .execute(
                        "collect",
                        "--batch-id",
                        batch,
                        "-o",
                        out.toString(),
                        "--errors",
                        err.toString(),
                        "--config",
                        fx.config(dir).toString(),
                        "--timeout",
                        "PT120S");
        assertThat(exit).isZero();
        assertExactlyOneLinePerLine(batch, out, err);
        try (Admin admin = fx.admin()) {
            assertThat(admin.listConsumerGroupOffsets(BatchCollector.groupId(batch))
                            .partitionsToOffsetAndMetadata()
                            .get(30, TimeUnit.SECONDS))
                    .as("offsets committed")
                    .hasSize(3);
        }
    }

    @Test
    void shouldResumeAfterAKillWithATornWriteWithoutDuplicatesOrGaps(Infra infra) throws Exception {
        fx = new CollectFixtures(infra);
        String batch = Topics.unique("batch");
        Map<String, Long> starts = fx.endOffsets();
        fx.writeStatus(batch, LINES, true, starts);
        try (var results = fx.resultProducer(null)) {
            for (int n : shuffled(LINES, 11)) {
                results.send(fx.record(fx.result(batch, n, "req-" + n, !failing(n))));
            }
            results.flush();
        }
        Path out = dir.resolve("out.jsonl");
        Path err = dir.resolve("err.jsonl");
        Throwable crash = catchThrowable(() -> collect(infra, batch, out, err, 9_000));
        assertThat(crash).as("killed between an fsync and its commit").isInstanceOf(Kill.Killed.class);
        long afterCrash = lineCount(out) + lineCount(err);
        try (Admin admin = fx.admin()) {
            var committed = admin.listConsumerGroupOffsets(BatchCollector.groupId(batch))
                    .partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS);
            assertThat(committed).as("commits before the kill").hasSize(3);
            long committedTotal = committed.values().stream()
                            .mapToLong(o -> o.offset())
                            .sum()
                    - starts.values().stream().mapToLong(Long::longValue).sum();
            assertThat(committedTotal).as("resume has work left").isLessThan(LINES);
            assertThat(afterCrash).as("lines on disk that no commit covers").isGreaterThan(committedTotal);
        }
        assertThat(afterCrash).isGreaterThanOrEqualTo(9_000).isLessThan(LINES);
        Files.writeString(
                out,
                "{\"id\":\"" + batch + ":1\",\"custom_id\":\"req-1\",\"resp",
                StandardCharsets.UTF_8,
                StandardOpenOption.APPEND); // a torn write

        BatchCollector.Summary s = collect(infra, batch, out, err, -1);
        assertThat(s.complete()).isTrue();
        assertThat(s.recovered()).isEqualTo(afterCrash);
        assertThat(s.lines()).isEqualTo(LINES);
        assertExactlyOneLinePerLine(batch, out, err);
    }

    @Test
    void shouldEndExactlyWhenAllLinesAreInWhileSubmitIsStillRunning(Infra infra) throws Exception {
        fx = new CollectFixtures(infra);
        String batch = Topics.unique("batch");
        int total = 6_000;
        Map<String, Long> starts = fx.endOffsets();
        fx.writeStatus(batch, 2_000, false, starts);
        long[] lastSentNanos = new long[1];
        CompletableFuture<Void> submitAndWorker = CompletableFuture.runAsync(() -> {
            try (var results = fx.resultProducer(null)) {
                for (int n = 1; n <= total; n++) {
                    if (n == total) {
                        // Before the send: collect cannot have read the last result earlier. Taken after
                        // the final flush, a collect that read it during the sleep above ended "before".
                        lastSentNanos[0] = System.nanoTime();
                    }
                    results.send(fx.record(fx.result(batch, n, "req-" + n, !failing(n))));
                    if (n % 200 == 0) {
                        results.flush();
                        Thread.sleep(100); // 30 chunks: ~3 s of results
                    }
                    if (n == 2_000) {
                        Thread.sleep(1_500); // collect has every line the status knows of; it must not stop
                        fx.writeStatus(batch, total, true, starts);
                    }
                }
                results.flush();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Path out = dir.resolve("out.jsonl");
        int exit = HarborCli.commandLine()
                .execute(
                        "collect",
                        "--batch-id",
                        batch,
                        "-o",
                        out.toString(),
                        "--config",
                        fx.config(dir).toString(),
                        "--timeout",
                        "PT120S");
        long endedNanos = System.nanoTime();
        submitAndWorker.get(60, TimeUnit.SECONDS);
        assertThat(exit).isZero();
        assertThat(endedNanos - lastSentNanos[0])
                .as("ended after the last result was written")
                .isPositive();
        List<JsonNode> lines = read(out);
        assertThat(lines).hasSize(total);
        assertThat(lines.stream().filter(l -> !l.get("error").isNull()).count())
                .as("failures go to OUT without --errors")
                .isEqualTo(total / 100);
    }

    /** Collects; with {@code killAfter >= 0} the run dies at its first commit after that many records read. */
    private BatchCollector.Summary collect(Infra infra, String batch, Path out, Path err, long killAfter)
            throws IOException {
        Map<String, Object> rp = new HashMap<>(BatchCollector.consumerDefaults(batch));
        rp.put("bootstrap.servers", infra.kafkaBootstrap());
        Map<String, Object> sp = new HashMap<>(BatchCollector.statusConsumerDefaults());
        sp.put("bootstrap.servers", infra.kafkaBootstrap());
        try (var results = new KafkaConsumer<>(
                        rp,
                        new StringDeserializer(),
                        new AvroSerde<>(fx.registry, ChatResult.class, false).deserializer());
                var statuses = new KafkaConsumer<>(
                        sp,
                        new StringDeserializer(),
                        new AvroSerde<>(fx.registry, BatchStatus.class, false).deserializer())) {
            BatchCollector c = new BatchCollector(
                    killAfter < 0 ? results : killedBeforeACommit(results, killAfter),
                    statuses,
                    fx.resultsTopic,
                    fx.batchesTopic,
                    batch,
                    System.err);
            return c.run(out, err, Duration.ofSeconds(120));
        }
    }

    /**
     * {@code real}, dying like a killed collect at the first commit once {@code records} were read:
     * the lines of the last poll are already fsynced, their offsets never committed.
     */
    @SuppressWarnings("unchecked")
    private static Consumer<String, ChatResult> killedBeforeACommit(Consumer<String, ChatResult> real, long records) {
        long[] read = {0};
        return Kill.around(Consumer.class, real, (method, args, proceed) -> {
            if (method.getName().equals("commitSync") && read[0] >= records) {
                throw new Kill.Killed("killed before committing " + read[0] + " records read");
            }
            Object result = proceed.call();
            if (method.getName().equals("poll")) {
                read[0] += ((ConsumerRecords<?, ?>) result).count();
            }
            return result;
        });
    }

    /** Every line number 1..LINES exactly once across OUT and ERR, in the right file, nothing else. */
    private void assertExactlyOneLinePerLine(String batch, Path out, Path err) throws IOException {
        Map<Integer, Integer> seen = new TreeMap<>();
        for (Path file : List.of(out, err)) {
            for (JsonNode line : read(file)) {
                String id = line.get("id").asText();
                assertThat(id).startsWith(batch + ":");
                int n = Integer.parseInt(id.substring(batch.length() + 1));
                seen.merge(n, 1, Integer::sum);
                assertThat(line.get("custom_id").asText()).as(id).isEqualTo("req-" + n);
                boolean isError = !line.get("error").isNull()
                        || line.at("/response/body/error").isObject();
                assertThat(isError).as("%s in %s", id, file.getFileName()).isEqualTo(file.equals(err));
                assertThat(failing(n)).as(id).isEqualTo(file.equals(err));
            }
        }
        assertThat(seen).hasSize(LINES);
        assertThat(seen.keySet().iterator().next()).isEqualTo(1);
        assertThat(((TreeMap<Integer, Integer>) seen).lastKey()).isEqualTo(LINES);
        assertThat(seen.values()).allMatch(c -> c == 1, "each line once");
    }

    private static boolean failing(int n) {
        return n % 100 == 7;
    }

    private static List<Integer> shuffled(int count, long seed) {
        List<Integer> order = new ArrayList<>(count);
        for (int n = 1; n <= count; n++) {
            order.add(n);
        }
        Collections.shuffle(order, new Random(seed));
        return order;
    }

    private List<JsonNode> read(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        if (Files.exists(file)) {
            for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                out.add(json.readTree(l));
            }
        }
        return out;
    }

    /** Complete lines only: a kill may leave a torn last line, which the next run cuts off. */
    private static long lineCount(Path file) throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        long count = 0;
        for (byte b : Files.readAllBytes(file)) {
            if (b == '\n') {
                count++;
            }
        }
        return count;
    }
}
