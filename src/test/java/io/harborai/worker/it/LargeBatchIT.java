package io.harborai.worker.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harborai.worker.HarborWorker;
import io.harborai.worker.cli.HarborCli;
import io.harborai.worker.config.HarborConfig;
import io.harborai.worker.testinfra.HarborIntegrationTest;
import io.harborai.worker.testinfra.Infra;
import io.harborai.worker.testinfra.Topics;
import io.harborai.worker.testinfra.WorkerConfigs;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The batch workflow end to end on a real broker, at size: {@code harbor submit} of 100,000 lines
 * (1 % malformed in several ways), a worker, {@code harbor status}, and {@code harbor collect} into
 * an output and an error file that together hold exactly one line per input line.
 */
@HarborIntegrationTest
class LargeBatchIT {
    private static final Logger log = LoggerFactory.getLogger(LargeBatchIT.class);
    private static final int LINES = 100_000;

    @TempDir
    Path dir;

    @Test
    void shouldAnswerEveryLineOfA100kBatchExactlyOnceAcrossOutputAndErrors(Infra infra) throws Exception {
        Map<String, Object> cfg = WorkerConfigs.base(infra, "large");
        cfg.put("topics.batches", Topics.unique("large-batches"));
        cfg.put("topics.batch-progress", Topics.unique("large-progress"));
        cfg.put("dispatch.batch-share", 1.0);
        Path config = WorkerConfigs.writeYaml(dir.resolve("harbor.yaml"), cfg);
        Path input = dir.resolve("in.jsonl");
        int malformed = writeInput(input);

        long start = System.nanoTime();
        try (HarborWorker worker = HarborWorker.start(HarborConfig.load(config, Map.of(), Map.of()))) {
            assertThat(worker.awaitRunning(Duration.ofSeconds(60))).isTrue();
            assertThat(HarborCli.commandLine()
                            .execute(
                                    "submit", input.toString(), "--batch-id", "large-1", "--config", config.toString()))
                    .isZero();
            int exit = HarborCli.commandLine()
                    .execute(
                            "collect",
                            "--batch-id",
                            "large-1",
                            "-o",
                            dir.resolve("out.jsonl").toString(),
                            "--errors",
                            dir.resolve("err.jsonl").toString(),
                            "--config",
                            config.toString(),
                            "--timeout",
                            "PT10M");
            assertThat(exit).isZero();
            // The worker publishes its per-batch counts every second: give the last ones time to land.
            String status = status(config);
            for (int i = 0; i < 30 && !status.contains("completed"); i++) {
                Thread.sleep(500);
                status = status(config);
            }
            log.info(
                    "measured: {} lines ({} malformed) submitted, answered and collected in {} s; status: {}",
                    LINES,
                    malformed,
                    (System.nanoTime() - start) / 1_000_000_000,
                    status.strip());
            assertThat(status).contains("completed").contains("total 100000");
        }

        BitSet seen = new BitSet(LINES + 1);
        int[] counts = new int[2];
        ObjectMapper json = new ObjectMapper();
        for (int f = 0; f < 2; f++) {
            try (BufferedReader in = Files.newBufferedReader(dir.resolve(f == 0 ? "out.jsonl" : "err.jsonl"))) {
                for (String l = in.readLine(); l != null; l = in.readLine()) {
                    JsonNode node = json.readTree(l);
                    int n = Integer.parseInt(node.get("id").asText().substring("large-1:".length()));
                    assertThat(seen.get(n)).as("line %d written once", n).isFalse();
                    seen.set(n);
                    counts[f]++;
                }
            }
        }
        assertThat(seen.cardinality()).isEqualTo(LINES);
        assertThat(seen.nextSetBit(0)).isEqualTo(1);
        assertThat(counts[1]).as("the malformed lines are the errors").isEqualTo(malformed);
        assertThat(counts[0]).isEqualTo(LINES - malformed);
    }

    /** Writes the input; returns how many lines are malformed (every 100th, in turn one of four kinds). */
    private static int writeInput(Path input) throws Exception {
        int malformed = 0;
        try (BufferedWriter w = Files.newBufferedWriter(input, StandardCharsets.UTF_8)) {
            for (int i = 1; i <= LINES; i++) {
                String line;
                if (i % 100 == 0) {
                    malformed++;
                    line = switch ((i / 100) % 4) {
                        case 0 -> "{not json " + i;
                        case 1 -> "{\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{}}";
                        case 2 ->
                            "{\"custom_id\":\"u-" + i
                                    + "\",\"method\":\"POST\",\"url\":\"/v1/embeddings\",\"body\":{}}";
                        default ->
                            "{\"custom_id\":\"c-1\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\","
                                    + "\"body\":{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"dup\"}]}}";
                    };
                } else {
                    line = "{\"custom_id\":\"c-" + i + "\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\","
                            + "\"body\":{\"model\":\"sim-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"Question "
                            + (i % 5_000) + "\"}]}}";
                }
                w.write(line);
                w.write('\n');
            }
        }
        return malformed;
    }

    private static String status(Path config) {
        PrintStream original = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            HarborCli.commandLine().execute("status", "large-1", "--config", config.toString());
        } finally {
            System.setOut(original);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }
}
