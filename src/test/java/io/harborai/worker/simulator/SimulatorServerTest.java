package io.harborai.worker.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.provider.OpenAiCompatibleClient;
import io.harborai.worker.provider.OpenAiJson;
import io.harborai.worker.provider.ProviderOutcome;
import io.harborai.worker.provider.ProviderSpec;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SimulatorServerTest {
    static final OkHttpClient SHARED = sharedClient();

    SimulatorServer sim;

    static OkHttpClient sharedClient() {
        // The default dispatcher allows 5 calls per host; the simulator tests need hundreds.
        Dispatcher dispatcher = new Dispatcher();
        dispatcher.setMaxRequests(512);
        dispatcher.setMaxRequestsPerHost(512);
        return new OkHttpClient.Builder()
                .dispatcher(dispatcher)
                .connectionPool(new ConnectionPool(512, 1, TimeUnit.MINUTES))
                .build();
    }

    @AfterEach
    void stop() {
        if (sim != null) {
            sim.close();
        }
    }

    OpenAiCompatibleClient start(Duration latency) {
        sim = SimulatorServer.start(SimulatorOptions.defaults().withLatency(latency));
        return new OpenAiCompatibleClient(
                SHARED, ProviderSpec.of("simulator", sim.baseUrl(), null, List.of("*")), null);
    }

    static ChatRequest request(String model, String userText) {
        var body = OpenAiJson.MAPPER.createObjectNode().put("model", model);
        body.putArray("messages").addObject().put("role", "user").put("content", userText);
        return OpenAiJson.fromBody(body).setId("id-" + userText.hashCode()).build();
    }

    static String answer(OpenAiCompatibleClient client, String userText) {
        return success(client.complete(request("sim-model", userText), "sim-model"))
                .response()
                .getContent();
    }

    static ProviderOutcome.Success success(ProviderOutcome outcome) {
        assertThat(outcome).isInstanceOf(ProviderOutcome.Success.class);
        return (ProviderOutcome.Success) outcome;
    }

    @Test
    void shouldAnswerDeterministicallyPerRequest() {
        OpenAiCompatibleClient client = start(Duration.ZERO);

        String a1 = answer(client, "What is Kafka?");
        String a2 = answer(client, "What is Kafka?");
        String b = answer(client, "What is Redis?");

        assertThat(a1).isEqualTo(a2).startsWith("Simulated answer (sim-model) to: What is Kafka?");
        assertThat(b).isNotEqualTo(a1);
    }

    @Test
    void shouldShapeTheBodyLikeOpenAi() {
        OpenAiCompatibleClient client = start(Duration.ZERO);

        ProviderOutcome.Success s = success(client.complete(request("gpt-4o", "hi"), "gpt-4o"));

        JsonNode body = OpenAiJson.parse(s.response().getBodyJson(), "body");
        assertThat(body.path("id").asText()).startsWith("chatcmpl-sim-");
        assertThat(body.path("object").asText()).isEqualTo("chat.completion");
        assertThat(body.path("created").asLong()).isPositive();
        assertThat(body.path("system_fingerprint").isTextual()).isTrue();
        assertThat(body.path("choices").get(0).path("message").path("role").asText())
                .isEqualTo("assistant");
        assertThat(s.response().getFinishReason()).isEqualTo("stop");
        assertThat(s.modelUsed()).isEqualTo("gpt-4o");
        assertThat(s.usage().getTotalTokens())
                .isEqualTo(s.usage().getPromptTokens() + s.usage().getCompletionTokens());
    }

    @Test
    void shouldCountOneTokenPerChineseCharacter() {
        OpenAiCompatibleClient client = start(Duration.ZERO);
        String chinese = "请用一句话解释什么是消息队列以及它为什么重要"; // 22 Han characters

        ProviderOutcome.Success s = success(client.complete(request("deepseek-chat", chinese), "deepseek-chat"));

        // 22 characters + ~4 per message + ~3 reply priming
        assertThat(s.usage().getPromptTokens()).isBetween(22, 32);
        assertThat(s.response().getContent()).contains(chinese);
        assertThat(s.usage().getCompletionTokens()).isGreaterThan(22);
    }

    @Test
    void shouldFillRequiredPropertiesForJsonSchemaResponses() {
        OpenAiCompatibleClient client = start(Duration.ZERO);
        ChatRequest req =
                OpenAiJson.fromBody(OpenAiJson.parse("""
                    {"model":"m","messages":[{"role":"user","content":"who?"}],
                     "response_format":{"type":"json_schema","json_schema":{"name":"person","strict":true,
                       "schema":{"type":"object","required":["name","age","tags","address","kind"],
                         "properties":{"name":{"type":"string"},"age":{"type":"integer"},
                           "tags":{"type":"array","items":{"type":"string"}},
                           "address":{"type":"object","required":["city"],
                             "properties":{"city":{"type":"string"}}},
                           "kind":{"enum":["a","b"]},"optional":{"type":"number"}}}}}}
                    """, "req")).setId("s1").build();

        JsonNode answer =
                OpenAiJson.parse(success(client.complete(req, "m")).response().getContent(), "answer");

        assertThat(answer.path("name").isTextual()).isTrue();
        assertThat(answer.path("age").isIntegralNumber()).isTrue();
        assertThat(answer.path("tags").get(0).isTextual()).isTrue();
        assertThat(answer.path("address").path("city").isTextual()).isTrue();
        assertThat(answer.path("kind").asText()).isEqualTo("a");
        assertThat(answer.has("optional")).isFalse();
    }

    @Test
    void shouldReject400ForInvalidBodies() throws IOException {
        start(Duration.ZERO);

        try (Response bad = post("{not json")) {
            assertThat(bad.code()).isEqualTo(400);
            assertThat(OpenAiJson.parse(bad.body().string(), "b")
                            .path("error")
                            .path("type")
                            .asText())
                    .isEqualTo("invalid_request_error");
        }
        try (Response noModel = post("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")) {
            assertThat(noModel.code()).isEqualTo(400);
            assertThat(noModel.body().string()).contains("'model' is required");
        }
        try (Response noMessages = post("{\"model\":\"m\"}")) {
            assertThat(noMessages.code()).isEqualTo(400);
        }
    }

    @Test
    void shouldCountCallsInStatsAndServeModelsAndHealth() throws IOException {
        OpenAiCompatibleClient client = start(Duration.ZERO);
        client.complete(request("m", "one"), "m");
        client.complete(request("m", "two"), "m");

        assertThat(sim.calls()).isEqualTo(2);
        assertThat(getJson("/stats").path("calls").asLong()).isEqualTo(2);
        assertThat(getJson("/v1/models").path("data").get(0).path("id").isTextual())
                .isTrue();
        assertThat(getJson("/health").path("status").asText()).isEqualTo("ok");
    }

    @Test
    void shouldRespondAfterTheLatencyFromTheSchedulerThreadOnceTheHandlerHasReturned() {
        OpenAiCompatibleClient client = start(Duration.ofMillis(150));

        CompletableFuture<ProviderOutcome> call = client.completeAsync(request("m", "slow"), "m");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> sim.calls() == 1);
        long answeredWhileWaiting = sim.answered();
        ProviderOutcome.Success s = success(call.join());

        assertThat(s.latencyMs()).isGreaterThanOrEqualTo(150);
        assertThat(answeredWhileWaiting)
                .as("a call waiting out its latency is not answered yet")
                .isZero();
        // counted once written: the client may read the answer a moment before that
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> sim.answered() == 1);
    }

    @Test
    void shouldServe200ConcurrentRequestsAt100msLatency() throws Exception {
        OpenAiCompatibleClient client = start(Duration.ofMillis(100));
        List<CompletableFuture<ProviderOutcome>> futures = new ArrayList<>();

        for (int i = 0; i < 200; i++) {
            futures.add(client.completeAsync(request("m", "question " + i), "m"));
        }

        for (CompletableFuture<ProviderOutcome> f : futures) {
            assertThat(f.get(30, TimeUnit.SECONDS)).isInstanceOf(ProviderOutcome.Success.class);
        }
        assertThat(sim.calls()).isEqualTo(200);
    }

    private Response post(String body) throws IOException {
        Request request = new Request.Builder()
                .url(sim.baseUrl() + "/chat/completions")
                .post(RequestBody.create(body, MediaType.get("application/json")))
                .build();
        return SHARED.newCall(request).execute();
    }

    private JsonNode getJson(String path) throws IOException {
        String root = sim.baseUrl().substring(0, sim.baseUrl().length() - "/v1".length());
        try (Response r =
                SHARED.newCall(new Request.Builder().url(root + path).build()).execute()) {
            assertThat(r.code()).isEqualTo(200);
            return OpenAiJson.parse(r.body().string(), path);
        }
    }
}
