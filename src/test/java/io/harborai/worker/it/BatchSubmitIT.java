package io.harborai.worker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.harborai.worker.avro.BatchStatus;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.ResultStatus;
import io.harborai.worker.batch.BatchSubmitter;
import io.harborai.worker.batch.BatchSubmitterHooks;
import io.harborai.worker.cli.HarborCli;
import io.harborai.worker.config.HarborConfig;
import io.harborai.worker.config.StageSettings;
import io.harborai.worker.schema.AvroSerde;
import io.harborai.worker.schema.SchemaRegistryClient;
import io.harborai.worker.testinfra.HarborIntegrationTest;
import io.harborai.worker.testinfra.Infra;
import io.harborai.worker.testinfra.Kill;
import io.harborai.worker.testinfra.Topics;
import io.harborai.worker.testinfra.WorkerConfigs;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code harbor submit} / {@code harbor status} against the real broker and registry (no worker):
 * one record per line across the requests and results topics, nothing new on a second submit, and
 * an interrupted submit resumed by a new submitter without losing or repeating a line.
 */
@HarborIntegrationTest
class BatchSubmitIT {
    private final ObjectMapper json = new ObjectMapper();

    @TempDir
    Path dir;

    /** Request ids of the valid lines (-> custom_id) and of the invalid ones (-> error code). */
    record Expected(Map<String, String> valid, Map<String, String> invalid) {}

    @Test
    void shouldProduceOneRecordPerLineAndReportTheStatus(Infra infra) throws Exception {
        Map<String, Object> cfg = config(infra, "submit-it");
        Path yaml = WorkerConfigs.writeYaml(dir.resolve("harbor.yaml"), cfg);
        Path input = dir.resolve("in.jsonl");
        Expected expected = writeInput(input, "b1");

        String out = cli("submit", input.toString(), "--batch-id", "b1", "--config", yaml.toString());
        assertThat(out).startsWith("batch b1: 5000 lines, 4749 submitted, 251 invalid");
        assertThat(expected.invalid()).hasSize(251).containsValue("duplicate_custom_id");
        assertOnePerLine(infra, cfg, expected);

        BatchStatus status = lastStatus(infra, cfg, "b1");
        assertThat(status.getSubmitComplete()).isTrue();
        assertThat(status.getTotalLines()).isEqualTo(5000);
        assertThat(status.getLinesDone()).isEqualTo(5000);
        assertThat(status.getSubmitted()).isEqualTo(4749);
        assertThat(status.getInvalid()).isEqualTo(251);
        assertThat(status.getResultsStartOffsets())
                .as("results topic was empty before the submit")
                .isEqualTo(Map.of("0", 0L, "1", 0L, "2", 0L));

        assertThat(cli("status", "b1", "--config", yaml.toString()))
                .isEqualTo("b1: in_progress  total 5000  completed 0  failed 251  (submitted 4749, invalid 251)\n");
        var batch = json.readTree(cli("status", "b1", "--json", "--config", yaml.toString()));
        assertThat(batch.path("id").asText()).isEqualTo("b1");
        assertThat(batch.path("object").asText()).isEqualTo("batch");
        assertThat(batch.path("status").asText()).isEqualTo("in_progress");
        assertThat(batch.path("request_counts").toString())
                .isEqualTo("{\"total\":5000,\"completed\":0,\"failed\":251}");
        assertThat(HarborCli.commandLine().execute("status", "nope", "--config", yaml.toString()))
                .isEqualTo(1);

        // No worker runs here: a cancel leaves the batch cancelling, listed as such.
        assertThat(cli("cancel", "b1", "--config", yaml.toString()))
                .isEqualTo("b1: cancelling  total 5000  completed 0  failed 251  (submitted 4749, invalid 251)\n");
        assertThat(cli("batches", "--config", yaml.toString()))
                .contains("b1: cancelling  total 5000  completed 0  failed 251");
        assertThat(HarborCli.commandLine().execute("cancel", "nope", "--config", yaml.toString()))
                .isEqualTo(1);
    }

    @Test
    void shouldProduceNothingWhenTheBatchIsSubmittedAgain(Infra infra) throws Exception {
        Map<String, Object> cfg = config(infra, "resubmit-it");
        Path yaml = WorkerConfigs.writeYaml(dir.resolve("harbor.yaml"), cfg);
        Path input = dir.resolve("in.jsonl");
        Expected expected = writeInput(input, "b2");
        assertThat(submitter(cfg).submit(input, "b2").outcome()).isEqualTo(BatchSubmitter.Outcome.COMPLETE);
        List<String> topics =
                List.of((String) cfg.get("topics.requests-batch"), (String) cfg.get("topics.results"), (String)
                        cfg.get("topics.batches"));
        Map<TopicPartition, Long> before = endOffsets(infra, topics);
        assertThat(before.values().stream().mapToLong(Long::longValue).sum()).isGreaterThan(5000);

        String out = cli("submit", input.toString(), "--batch-id", "b2", "--config", yaml.toString());

        assertThat(out).isEqualTo("batch b2 already submitted (5000 lines)\n");
        assertThat(endOffsets(infra, topics)).isEqualTo(before);
        assertOnePerLine(infra, cfg, expected);
    }

    @Test
    void shouldResumeAnInterruptedSubmitWithoutLosingOrRepeatingALine(Infra infra) throws Exception {
        Map<String, Object> cfg = config(infra, "resume-it");
        Path input = dir.resolve("in.jsonl");
        Expected expected = writeInput(input, "b3");

        Throwable killed =
                catchThrowable(() -> BatchSubmitterHooks.killedAfterLines(HarborConfig.fromMap(cfg), System.err, 2345)
                        .submit(input, "b3"));
        assertThat(killed).isInstanceOf(Kill.Killed.class);
        BatchStatus partial = lastStatus(infra, cfg, "b3");
        assertThat(partial.getSubmitComplete()).isFalse();
        assertThat(partial.getLinesDone()).as("the last committed chunk").isEqualTo(2000);
        String requests = (String) cfg.get("topics.requests-batch");
        assertThat(read(infra, requests, ChatRequest.class, "read_committed")).hasSize(2000 - 100);

        BatchSubmitter.Summary second = submitter(cfg).submit(input, "b3");

        assertThat(second.outcome()).isEqualTo(BatchSubmitter.Outcome.COMPLETE);
        assertThat(second.resumedAfter()).isEqualTo(2000);
        assertThat(second.submitted()).isEqualTo(4749);
        assertThat(second.invalid()).isEqualTo(251);
        assertOnePerLine(infra, cfg, expected);
        assertThat(read(infra, requests, ChatRequest.class, "read_uncommitted"))
                .as("the interrupted chunk did reach the log, and was aborted")
                .hasSizeGreaterThan(4749);
        assertThat(lastStatus(infra, cfg, "b3").getSubmitComplete()).isTrue();
    }

    /** Exactly the valid lines on the requests topic and one FAILED result per invalid line. */
    private void assertOnePerLine(Infra infra, Map<String, Object> cfg, Expected expected) {
        var requests = read(infra, (String) cfg.get("topics.requests-batch"), ChatRequest.class, "read_committed");
        assertThat(requests).hasSize(expected.valid().size());
        assertThat(requests)
                .allSatisfy(r -> assertThat(r.key()).isEqualTo(r.value().getId()));
        assertThat(requests.stream()
                        .collect(Collectors.toMap(
                                ConsumerRecord::key, r -> r.value().getCustomId())))
                .isEqualTo(expected.valid());
        var results = read(infra, (String) cfg.get("topics.results"), ChatResult.class, "read_committed");
        assertThat(results).hasSize(expected.invalid().size());
        assertThat(results).allSatisfy(r -> {
            assertThat(r.key()).isEqualTo(r.value().getId());
            assertThat(r.value().getStatus()).isEqualTo(ResultStatus.FAILED);
            assertThat(r.value().getBatchId())
                    .isEqualTo(r.key().substring(0, r.key().indexOf(':')));
        });
        assertThat(results.stream()
                        .collect(Collectors.toMap(
                                ConsumerRecord::key, r -> r.value().getError().getCode())))
                .isEqualTo(expected.invalid());
    }

    /**
     * 5,000 non-blank lines (plus blank ones, which keep their physical numbers): 1% each of bad
     * JSON, missing custom_id, wrong method, unsupported url and invalid body, one duplicate
     * custom_id; the rest valid.
     */
    private Expected writeInput(Path file, String batchId) throws Exception {
        Map<String, String> valid = new LinkedHashMap<>();
        Map<String, String> invalid = new LinkedHashMap<>();
        List<String> lines = new ArrayList<>();
        for (int i = 1; i <= 5000; i++) {
            if (i % 997 == 0) {
                lines.add(i % 2 == 0 ? "" : "   ");
            }
            String custom = i == 4321 ? "c-10" : "c-" + i;
            String id = batchId + ":" + (lines.size() + 1);
            String text = switch (i % 100) {
                case 7 -> bad(invalid, id, "invalid_json", "{\"custom_id\": \"" + custom + "\", oops");
                case 17 -> bad(invalid, id, "missing_custom_id", line(null, "POST", "/v1/chat/completions", true));
                case 27 -> bad(invalid, id, "invalid_method", line(custom, "GET", "/v1/chat/completions", true));
                case 37 -> bad(invalid, id, "invalid_url", line(custom, "POST", "/v1/embeddings", true));
                case 47 -> bad(invalid, id, "invalid_body", line(custom, "POST", "/v1/chat/completions", false));
                default ->
                    i == 4321
                            ? bad(
                                    invalid,
                                    id,
                                    "duplicate_custom_id",
                                    line(custom, "POST", "/v1/chat/completions", true))
                            : ok(valid, id, custom, line(custom, "POST", "/v1/chat/completions", true));
            };
            lines.add(text);
        }
        Files.write(file, lines, StandardCharsets.UTF_8);
        return new Expected(valid, invalid);
    }

    private static String bad(Map<String, String> invalid, String id, String code, String text) {
        invalid.put(id, code);
        return text;
    }

    private static String ok(Map<String, String> valid, String id, String custom, String text) {
        valid.put(id, custom);
        return text;
    }

    private String line(String customId, String method, String url, boolean goodBody) {
        var node = json.createObjectNode();
        if (customId != null) {
            node.put("custom_id", customId);
        }
        node.put("method", method).put("url", url);
        var body = node.putObject("body").put("model", "deepseek-chat");
        if (goodBody) {
            body.putArray("messages").addObject().put("role", "user").put("content", "Summarise " + customId);
        }
        return node.toString();
    }

    private static Map<String, Object> config(Infra infra, String name) {
        Map<String, Object> cfg = WorkerConfigs.base(infra, name);
        cfg.put("topics.batches", Topics.unique(name + "-batches"));
        cfg.put("topics.batch-progress", Topics.unique(name + "-progress"));
        return cfg;
    }

    private static BatchSubmitter submitter(Map<String, Object> cfg) {
        return BatchSubmitter.create(StageSettings.batch(HarborConfig.fromMap(cfg)), System.err);
    }

    /** Runs the CLI, returns its stdout (log lines removed); fails unless it exits 0. */
    private static String cli(String... args) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream original = System.out;
        int exit;
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            exit = HarborCli.commandLine().execute(args);
        } finally {
            System.setOut(original);
        }
        // Test logging also goes to stdout: keep the command's own lines only.
        String out = buf.toString(StandardCharsets.UTF_8)
                .lines()
                .filter(l -> !l.matches("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} .*"))
                .collect(Collectors.joining("\n", "", "\n"));
        assertThat(exit).as("exit code of %s, stdout %s", List.of(args), out).isZero();
        return out;
    }

    private BatchStatus lastStatus(Infra infra, Map<String, Object> cfg, String batchId) {
        var all = read(infra, (String) cfg.get("topics.batches"), BatchStatus.class, "read_committed");
        return all.stream()
                .filter(r -> r.key().equals(batchId))
                .reduce((a, b) -> b)
                .orElseThrow()
                .value();
    }

    /** Every record of {@code topic} up to its current end. */
    private static <T extends org.apache.avro.specific.SpecificRecord> List<ConsumerRecord<String, T>> read(
            Infra infra, String topic, Class<T> type, String isolation) {
        Deserializer<T> values =
                new AvroSerde<>(SchemaRegistryClient.create(infra.schemaRegistryUrl()), type, false).deserializer();
        try (var consumer = new KafkaConsumer<>(props(infra, isolation), new StringDeserializer(), values)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, T>> out = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                assertThat(System.nanoTime()).as("read %s to its end", topic).isLessThan(deadline);
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            return out;
        }
    }

    private static Map<TopicPartition, Long> endOffsets(Infra infra, List<String> topics) {
        try (var consumer = new KafkaConsumer<>(
                props(infra, "read_uncommitted"), new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = topics.stream()
                    .flatMap(t -> consumer.partitionsFor(t).stream())
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            consumer.assign(partitions);
            return new HashMap<>(consumer.endOffsets(partitions));
        }
    }

    private static Map<String, Object> props(Infra infra, String isolation) {
        Map<String, Object> p = new HashMap<>();
        p.put("bootstrap.servers", infra.kafkaBootstrap());
        p.put("isolation.level", isolation);
        p.put("enable.auto.commit", false);
        return p;
    }
}
