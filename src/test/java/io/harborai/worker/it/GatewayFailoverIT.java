package io.harborai.worker.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.harborai.worker.HarborWorker;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.config.HarborConfig;
import io.harborai.worker.gateway.GatewayServer;
import io.harborai.worker.schema.SchemaRegistryClient;
import io.harborai.worker.simulator.SimulatorOptions;
import io.harborai.worker.simulator.SimulatorServer;
import io.harborai.worker.testinfra.HarborIntegrationTest;
import io.harborai.worker.testinfra.HarborProcess;
import io.harborai.worker.testinfra.Infra;
import io.harborai.worker.testinfra.Topics;
import io.harborai.worker.testinfra.WorkerConfigs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateway instances behind one broker; one, in a JVM of its own, is SIGKILLed while requests
 * wait on it. The client retries every request that failed with its Idempotency-Key on the other
 * instance: every key gets an answer, the provider is called once per key, and the results topic
 * holds exactly one result per request.
 */
@HarborIntegrationTest
class GatewayFailoverIT {
    private static final int REQUESTS = 40;
    private static final Pattern LISTENING = Pattern.compile("OpenAI API on http://localhost:(\\d+)/v1");

    @TempDir
    Path dir;

    @Test
    void shouldAnswerEveryRetriedKeyExactlyOnceAfterAGatewayIsKilled(Infra infra) throws Exception {
        try (SimulatorServer simulator =
                SimulatorServer.start(new SimulatorOptions("127.0.0.1", 0, Duration.ofMillis(1_500)))) {
            Map<String, Object> cfg = new HashMap<>(WorkerConfigs.base(infra, "gateway-failover"));
            cfg.put("simulator.enabled", false);
            cfg.put("providers.sim.base-url", simulator.baseUrl());
            cfg.put("providers.sim.models", List.of("sim-*"));
            cfg.put("gateway.port", 0);
            cfg.put("gateway.bind-address", "127.0.0.1");
            cfg.put("gateway.group-id", Topics.unique("gateway-failover"));
            cfg.put("gateway.timeout-ms", 60_000);
            Path config = WorkerConfigs.writeYaml(dir.resolve("harbor.yaml"), cfg);
            Path log = dir.resolve("doomed.log");
            ExecutorService pool = Executors.newFixedThreadPool(REQUESTS);
            HarborWorker worker = WorkerConfigs.running(cfg);
            try (GatewayServer survivor = GatewayServer.start(HarborConfig.fromMap(cfg))) {
                Process doomed = startGateway(config, log);
                try {
                    int port = awaitPort(log);
                    OpenAIClient viaDoomed = client(port);
                    OpenAIClient viaSurvivor = client(survivor.port());
                    List<CompletableFuture<ChatCompletion>> first = IntStream.range(0, REQUESTS)
                            .mapToObj(i -> CompletableFuture.supplyAsync(
                                    () -> viaDoomed.chat().completions().create(params(i)), pool))
                            .toList();
                    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> simulator.calls() >= REQUESTS / 2);
                    doomed.destroyForcibly().waitFor(); // SIGKILL while the calls are in flight

                    long failedOnDoomed = first.stream()
                            .filter(f -> {
                                try {
                                    f.join();
                                    return false;
                                } catch (RuntimeException e) {
                                    return true;
                                }
                            })
                            .count();
                    assertThat(failedOnDoomed)
                            .as("requests cut off by the kill")
                            .isPositive();

                    // The client retries every request with its key on the surviving instance.
                    Map<Integer, ChatCompletion> answers = IntStream.range(0, REQUESTS)
                            .parallel()
                            .boxed()
                            .collect(Collectors.toMap(
                                    i -> i,
                                    i -> viaSurvivor.chat().completions().create(params(i))));

                    assertThat(answers).hasSize(REQUESTS);
                    assertThat(answers.values())
                            .allSatisfy(
                                    c -> assertThat(c.choices().get(0).message().content())
                                            .isPresent());
                    for (int i = 0; i < REQUESTS; i++) {
                        CompletableFuture<ChatCompletion> f = first.get(i);
                        if (!f.isCompletedExceptionally()) {
                            assertThat(answers.get(i))
                                    .as("retry of an answered key")
                                    .isEqualTo(f.join());
                        }
                    }
                    assertThat(simulator.calls())
                            .as("one provider call per key")
                            .isEqualTo(REQUESTS);
                    List<ConsumerRecord<String, ChatResult>> results = ResultsReader.results(
                            infra.kafkaBootstrap(),
                            SchemaRegistryClient.create(infra.schemaRegistryUrl()),
                            (String) cfg.get("topics.results"),
                            Duration.ofSeconds(30),
                            recs -> recs.size() >= REQUESTS);
                    assertThat(results.stream().map(ConsumerRecord::key))
                            .as("exactly one result per request")
                            .hasSize(REQUESTS)
                            .doesNotHaveDuplicates();
                    viaDoomed.close();
                    viaSurvivor.close();
                } finally {
                    doomed.destroyForcibly().waitFor();
                }
            } finally {
                pool.shutdownNow();
                worker.close();
            }
        }
    }

    private static ChatCompletionCreateParams params(int i) {
        return ChatCompletionCreateParams.builder()
                .model("sim-chat")
                .addUserMessage("failover question " + i)
                .putAdditionalHeader("Idempotency-Key", "failover-key-" + i)
                .build();
    }

    private static OpenAIClient client(int port) {
        return OpenAIOkHttpClient.builder()
                .baseUrl("http://127.0.0.1:" + port + "/v1")
                .apiKey("unused")
                .maxRetries(0)
                .timeout(Duration.ofSeconds(90))
                .build();
    }

    private static Process startGateway(Path config, Path log) throws Exception {
        return HarborProcess.start(log, "gateway", "--config", config.toString());
    }

    private static int awaitPort(Path log) {
        int[] port = {-1};
        Awaitility.await().atMost(Duration.ofSeconds(90)).until(() -> {
            Matcher m = LISTENING.matcher(Files.exists(log) ? Files.readString(log) : "");
            if (m.find()) {
                port[0] = Integer.parseInt(m.group(1));
            }
            return port[0] > 0;
        });
        return port[0];
    }
}
