package io.harborai.worker.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.HttpResponse;
import com.openai.models.batches.Batch;
import com.openai.models.batches.BatchCreateParams;
import com.openai.models.batches.BatchListParams;
import com.openai.models.files.FileCreateParams;
import com.openai.models.files.FileObject;
import com.openai.models.files.FilePurpose;
import io.harborai.worker.HarborWorker;
import io.harborai.worker.config.HarborConfig;
import io.harborai.worker.gateway.GatewayServer;
import io.harborai.worker.simulator.SimulatorOptions;
import io.harborai.worker.simulator.SimulatorServer;
import io.harborai.worker.testinfra.HarborIntegrationTest;
import io.harborai.worker.testinfra.Infra;
import io.harborai.worker.testinfra.Topics;
import io.harborai.worker.testinfra.WorkerConfigs;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's files and batches API driven by the official OpenAI Java SDK: upload, create, poll,
 * download the output and error files, list, and cancel half-way; against the real broker,
 * registry, Redis, worker and simulators (one answering at once, one taking 300 ms a call).
 */
@HarborIntegrationTest
class GatewayBatchIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static SimulatorServer fast;
    private static SimulatorServer slow;
    private static HarborWorker worker;
    private static GatewayServer gateway;
    private static OpenAIClient openai;

    @BeforeAll
    static void start(Infra infra) throws Exception {
        fast = SimulatorServer.start(new SimulatorOptions("127.0.0.1", 0, Duration.ZERO));
        slow = SimulatorServer.start(new SimulatorOptions("127.0.0.1", 0, Duration.ofMillis(300)));
        Map<String, Object> cfg = new HashMap<>(WorkerConfigs.base(infra, "gateway-batch-it"));
        cfg.put("simulator.enabled", false);
        cfg.put("providers.fast.base-url", fast.baseUrl());
        cfg.put("providers.fast.models", List.of("sim-*"));
        cfg.put("providers.slow.base-url", slow.baseUrl());
        cfg.put("providers.slow.models", List.of("slow-model"));
        cfg.put("dispatch.max-in-flight", 64);
        worker = WorkerConfigs.running(cfg);
        cfg.put("gateway.port", 0);
        cfg.put("gateway.bind-address", "127.0.0.1");
        cfg.put("gateway.group-id", Topics.unique("gateway-batch-it"));
        gateway = GatewayServer.start(HarborConfig.fromMap(cfg));
        openai = OpenAIOkHttpClient.builder()
                .baseUrl("http://127.0.0.1:" + gateway.port() + "/v1")
                .apiKey("not-checked")
                .maxRetries(0)
                .build();
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {openai::close, gateway, worker, fast, slow}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    /** {@code n} lines for {@code model}; every {@code badEvery}-th line (when > 0) is not JSON. */
    private static Path input(Path dir, String name, String model, int n, int badEvery) throws Exception {
        Path file = dir.resolve(name);
        List<String> lines = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            lines.add(
                    badEvery > 0 && i % badEvery == 0
                            ? "{not json " + i
                            : "{\"custom_id\":\"c-" + i + "\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\","
                                    + "\"body\":{\"model\":\"" + model
                                    + "\",\"messages\":[{\"role\":\"user\",\"content\":\""
                                    + name + " question " + i + "\"}]}}");
        }
        Files.write(file, lines, StandardCharsets.UTF_8);
        return file;
    }

    private static Batch create(Path file) {
        FileObject uploaded = openai.files()
                .create(FileCreateParams.builder()
                        .file(file)
                        .purpose(FilePurpose.BATCH)
                        .build());
        assertThat(uploaded.bytes()).isEqualTo(file.toFile().length());
        return openai.batches()
                .create(BatchCreateParams.builder()
                        .inputFileId(uploaded.id())
                        .endpoint(BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS)
                        .completionWindow(BatchCreateParams.CompletionWindow._24H)
                        .build());
    }

    private static Batch awaitEnd(String id, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Batch b = openai.batches().retrieve(id);
        while (!Set.of(Batch.Status.COMPLETED, Batch.Status.CANCELLED, Batch.Status.FAILED, Batch.Status.EXPIRED)
                .contains(b.status())) {
            assertThat(System.nanoTime())
                    .as("batch %s still %s", id, b.status())
                    .isLessThan(deadline);
            Thread.sleep(500);
            b = openai.batches().retrieve(id);
        }
        return b;
    }

    /** The lines of a file the gateway serves, as JSON. */
    private static List<JsonNode> download(String fileId) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        try (HttpResponse response = openai.files().content(fileId);
                BufferedReader in =
                        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (!line.isBlank()) {
                    lines.add(JSON.readTree(line));
                }
            }
        }
        return lines;
    }

    @Test
    void shouldAnswerEveryLineOfA10000LineBatchExactlyOnce(@TempDir Path dir) throws Exception {
        Path file = input(dir, "big.jsonl", "sim-batch", 10_000, 1_000);
        Batch created = create(file);
        assertThat(created.status()).isIn(Batch.Status.VALIDATING, Batch.Status.IN_PROGRESS);

        Batch done = awaitEnd(created.id(), Duration.ofMinutes(6));

        assertThat(done.status()).isEqualTo(Batch.Status.COMPLETED);
        var counts = done.requestCounts().orElseThrow();
        assertThat(counts.total()).isEqualTo(10_000);
        assertThat(counts.completed()).isEqualTo(9_990);
        assertThat(counts.failed()).isEqualTo(10);
        List<JsonNode> output = download(done.outputFileId().orElseThrow());
        List<JsonNode> errors = download(done.errorFileId().orElseThrow());
        assertThat(output).hasSize(9_990);
        assertThat(errors).hasSize(10);
        Set<String> ids = new HashSet<>();
        for (JsonNode line : output) {
            assertThat(line.path("response").path("status_code").asInt()).isEqualTo(200);
            assertThat(line.path("response")
                            .path("body")
                            .path("choices")
                            .get(0)
                            .path("message")
                            .path("content")
                            .asText())
                    .isNotBlank();
            assertThat(ids.add(line.path("custom_id").asText()))
                    .as("one answer per line")
                    .isTrue();
        }
        for (JsonNode line : errors) {
            assertThat(line.path("error").path("code").asText()).isEqualTo("invalid_json");
        }
        for (int i = 1; i <= 10_000; i++) {
            assertThat(ids.contains("c-" + i)).as("line %d", i).isEqualTo(i % 1_000 != 0);
        }
        // The upload itself reads back byte for byte.
        try (HttpResponse raw = openai.files().content(done.inputFileId())) {
            assertThat(raw.body().readAllBytes()).isEqualTo(Files.readAllBytes(file));
        }
        assertThat(openai.batches().list(BatchListParams.builder().limit(100).build()).data().stream()
                        .map(Batch::id))
                .contains(done.id());
    }

    @Test
    void shouldEndACancelledBatchCancelledWithEveryLineAccountedFor(@TempDir Path dir) throws Exception {
        Path file = input(dir, "slow.jsonl", "slow-model", 3_000, 0);
        Batch created = create(file);
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        Batch b = openai.batches().retrieve(created.id());
        while (b.requestCounts().map(c -> c.completed()).orElse(0L) == 0) {
            assertThat(System.nanoTime()).as("no line answered yet").isLessThan(deadline);
            Thread.sleep(200);
            b = openai.batches().retrieve(created.id());
        }

        Batch cancelling = openai.batches().cancel(created.id());
        assertThat(cancelling.status()).isIn(Batch.Status.CANCELLING, Batch.Status.CANCELLED);
        Batch done = awaitEnd(created.id(), Duration.ofMinutes(3));

        assertThat(done.status()).isEqualTo(Batch.Status.CANCELLED);
        var counts = done.requestCounts().orElseThrow();
        assertThat(counts.total()).isEqualTo(3_000);
        assertThat(counts.completed() + counts.failed()).isEqualTo(3_000);
        assertThat(counts.completed()).isPositive();
        assertThat(counts.failed()).as("lines cancelled before dispatch").isPositive();
        List<JsonNode> output = download(done.outputFileId().orElseThrow());
        List<JsonNode> errors = download(done.errorFileId().orElseThrow());
        assertThat(output).hasSize((int) counts.completed());
        assertThat(errors).hasSize((int) counts.failed());
        Set<String> ids = new HashSet<>();
        output.forEach(l -> assertThat(ids.add(l.path("custom_id").asText())).isTrue());
        for (JsonNode l : errors) {
            assertThat(l.path("error").path("code").asText()).isEqualTo("BATCH_CANCELLED");
            assertThat(ids.add(l.path("custom_id").asText())).isTrue();
        }
        assertThat(ids).hasSize(3_000);
    }
}
