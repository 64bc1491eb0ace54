package io.harborai.worker.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harborai.worker.HarborWorker;
import io.harborai.worker.cli.HarborCli;
import io.harborai.worker.config.HarborConfig;
import io.harborai.worker.testinfra.HarborIntegrationTest;
import io.harborai.worker.testinfra.Infra;
import io.harborai.worker.testinfra.WorkerConfigs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code harbor batch} as a pure client of a running worker (the cluster is named in the config
 * file), on the real broker and registry with the in-process simulator.
 */
@HarborIntegrationTest
class BatchCommandIT {
    private final ObjectMapper json = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void shouldWriteExactlyOneOutputLinePerInputLine(Infra infra) throws Exception {
        Map<String, Object> cfg = WorkerConfigs.base(infra, "batch-it");
        cfg.put("topics.partitions", 2);
        Path config = WorkerConfigs.writeYaml(dir.resolve("harbor.yaml"), cfg);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            lines.add(line("c-" + i, i % 3 == 0 ? "请总结第" + i + "段。" : "Summarise part " + i));
        }
        lines.add("{this is not json");
        lines.add(line("c-5", "duplicate custom_id"));
        lines.add("{\"custom_id\":\"emb\",\"method\":\"POST\",\"url\":\"/v1/embeddings\",\"body\":{}}");
        Path input = dir.resolve("in.jsonl");
        Path output = dir.resolve("out.jsonl");
        Files.write(input, lines, StandardCharsets.UTF_8);

        HarborConfig loaded = HarborConfig.load(config, Map.of(), Map.of());
        int exit;
        try (HarborWorker worker = HarborWorker.start(loaded)) {
            assertThat(worker.awaitRunning(Duration.ofSeconds(60))).isTrue();
            exit = HarborCli.commandLine()
                    .execute(
                            "batch",
                            input.toString(),
                            "-o",
                            output.toString(),
                            "--config",
                            config.toString(),
                            "--batch-id",
                            "it-batch-1",
                            "--timeout",
                            "PT90S");
        }
        assertThat(exit).isZero();

        List<JsonNode> out = read(output);
        assertThat(out).hasSize(lines.size());
        Map<String, Long> perCustomId = out.stream()
                .filter(n -> !n.get("custom_id").isNull())
                .collect(Collectors.groupingBy(n -> n.get("custom_id").asText(), Collectors.counting()));
        assertThat(perCustomId.get("c-0")).isEqualTo(1);
        assertThat(perCustomId.get("c-5"))
                .as("original plus the duplicate's error line")
                .isEqualTo(2);
        List<JsonNode> successes =
                out.stream().filter(n -> n.get("error").isNull()).toList();
        assertThat(successes).hasSize(40).allSatisfy(n -> {
            assertThat(n.get("id").asText())
                    .as("the line id names its input line")
                    .matches("it-batch-1:[0-9]+");
            assertThat(n.at("/response/status_code").asInt()).isEqualTo(200);
            assertThat(n.at("/response/body/choices/0/message/content").asText())
                    .isNotBlank();
        });
        assertThat(out.stream()
                        .filter(n -> !n.get("error").isNull())
                        .map(n -> n.at("/error/code").asText()))
                .containsExactlyInAnyOrder("invalid_json", "duplicate_custom_id", "invalid_url");
        assertThat(successes.stream()
                        .filter(n -> n.get("custom_id").asText().equals("c-3"))
                        .findFirst()
                        .orElseThrow()
                        .at("/response/body/choices/0/message/content")
                        .asText())
                .contains("请总结第3段");
    }

    private String line(String customId, String text) throws IOException {
        var node = json.createObjectNode();
        node.put("custom_id", customId).put("method", "POST").put("url", "/v1/chat/completions");
        var body = node.putObject("body").put("model", "deepseek-chat");
        body.putArray("messages").addObject().put("role", "user").put("content", text);
        return json.writeValueAsString(node);
    }

    private List<JsonNode> read(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            out.add(json.readTree(l));
        }
        return out;
    }
}
