package io.harborai.worker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.errors.RateLimitException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.StructuredChatCompletion;
import com.openai.models.chat.completions.StructuredChatCompletionCreateParams;
import com.openai.models.models.Model;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import io.harborai.worker.HarborWorker;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.config.HarborConfig;
import io.harborai.worker.gateway.GatewayServer;
import io.harborai.worker.schema.SchemaRegistryClient;
import io.harborai.worker.simulator.SimulatorOptions;
import io.harborai.worker.simulator.SimulatorServer;
import io.harborai.worker.testinfra.HarborIntegrationTest;
import io.harborai.worker.testinfra.Infra;
import io.harborai.worker.testinfra.Topics;
import io.harborai.worker.testinfra.WorkerConfigs;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code harbor gateway} driven by the official OpenAI Java SDK and LangChain4j's OpenAI models,
 * unchanged but for their base URL,
 * against the real broker, registry, Redis, worker and simulator.
 */
@HarborIntegrationTest
class GatewayIT {
    private static SimulatorServer simulator;
    private static HarborWorker worker;
    private static final String ACME_KEY = "sk-acme-" + UUID.randomUUID();
    private static final String SMALL_KEY = "sk-small-" + UUID.randomUUID();
    private static final String METRICS_TOKEN = "mt-" + UUID.randomUUID();

    private static Infra infra;
    private static Map<String, Object> cfg;
    private static GatewayServer gateway;
    private static GatewayServer keyed;
    private static OpenAIClient openai;

    /** The SDK parses a json_schema answer into this. */
    public static class Capital {
        public String city;
        public String country;
    }

    @BeforeAll
    static void start(Infra shared) throws Exception {
        infra = shared;
        simulator = SimulatorServer.start(new SimulatorOptions("127.0.0.1", 0, Duration.ZERO));
        cfg = new HashMap<>(WorkerConfigs.base(infra, "gateway-it"));
        cfg.put("simulator.enabled", false);
        cfg.put("providers.sim.base-url", simulator.baseUrl());
        cfg.put("providers.sim.models", List.of("sim-*", "exact-model"));
        worker = WorkerConfigs.running(cfg);
        cfg.put("gateway.port", 0);
        cfg.put("gateway.bind-address", "127.0.0.1");
        cfg.put("gateway.group-id", Topics.unique("gateway-it"));
        cfg.put("gateway.timeout-ms", 30_000);
        gateway = GatewayServer.start(HarborConfig.fromMap(cfg));
        Map<String, Object> withKeys = new HashMap<>(cfg);
        withKeys.put("gateway.group-id", Topics.unique("gateway-it-keyed"));
        withKeys.put("gateway.tenants.acme.key-sha256", sha256(ACME_KEY));
        withKeys.put("gateway.tenants.small.key-sha256", sha256(SMALL_KEY));
        withKeys.put("gateway.tenants.small.rpm", 6); // a burst of 1, then one every 10 s
        java.nio.file.Path token = java.nio.file.Files.createTempFile("gateway-metrics-token", "");
        token.toFile().deleteOnExit();
        java.nio.file.Files.writeString(token, METRICS_TOKEN + "\n");
        withKeys.put("metrics.bearer-token-file", token.toString());
        keyed = GatewayServer.start(HarborConfig.fromMap(withKeys));
        openai = OpenAIOkHttpClient.builder()
                .baseUrl("http://127.0.0.1:" + gateway.port() + "/v1")
                .apiKey("not-checked-yet")
                .maxRetries(0)
                .build();
    }

    @AfterAll
    static void stop() {
        if (openai != null) {
            openai.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (keyed != null) {
            keyed.close();
        }
        if (worker != null) {
            worker.close();
        }
        if (simulator != null) {
            simulator.close();
        }
    }

    private static String sha256(String text) throws Exception {
        return HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static OpenAIClient keyedClient(String key, int maxRetries) {
        return OpenAIOkHttpClient.builder()
                .baseUrl("http://127.0.0.1:" + keyed.port() + "/v1")
                .apiKey(key)
                .maxRetries(maxRetries)
                .build();
    }

    @Test
    void shouldAnswer401ForAnUnknownKey() {
        OpenAIClient wrong = keyedClient("sk-wrong", 0);
        try {
            assertThatThrownBy(() -> wrong.chat().completions().create(ask("hi").build()))
                    .isInstanceOf(UnauthorizedException.class);
            assertThatThrownBy(() -> wrong.models().list()).isInstanceOf(UnauthorizedException.class);
        } finally {
            wrong.close();
        }
    }

    @Test
    void shouldTakeTheTenantFromTheKeyAndNeverWriteTheKey() {
        OpenAIClient acme = keyedClient(ACME_KEY, 0);
        String text = "tenant " + UUID.randomUUID();
        try {
            acme.chat().completions().create(ask(text).build());
        } finally {
            acme.close();
        }

        List<ConsumerRecord<String, ChatResult>> results = ResultsReader.results(
                infra.kafkaBootstrap(),
                SchemaRegistryClient.create(infra.schemaRegistryUrl()),
                (String) cfg.get("topics.results"),
                Duration.ofSeconds(30),
                recs -> recs.stream().anyMatch(r -> "acme".equals(r.value().getTenant())));
        assertThat(results).anySatisfy(r -> assertThat(r.value().getTenant()).isEqualTo("acme"));
        assertThat(results).allSatisfy(r -> assertThat(r.value().toString()).doesNotContain(ACME_KEY));
    }

    @Test
    void shouldAnswer429WithRetryAfterOverTheTenantsLimitAndTheSdkRetryGetsThrough() {
        OpenAIClient noRetry = keyedClient(SMALL_KEY, 0);
        OpenAIClient retrying = keyedClient(SMALL_KEY, 2);
        try {
            noRetry.chat()
                    .completions()
                    .create(ask("first " + UUID.randomUUID()).build());

            assertThatThrownBy(() ->
                            noRetry.chat().completions().create(ask("second").build()))
                    .isInstanceOfSatisfying(
                            RateLimitException.class,
                            e -> assertThat(e.headers().values("Retry-After")).containsExactly("10"));
            // The SDK's own retry waits Retry-After, and the bucket has refilled by then.
            ChatCompletion later = retrying.chat()
                    .completions()
                    .create(ask("third " + UUID.randomUUID()).build());
            assertThat(later.choices()).hasSize(1);
        } finally {
            noRetry.close();
            retrying.close();
        }
    }

    private static ChatCompletionCreateParams.Builder ask(String text) {
        return ChatCompletionCreateParams.builder().model("sim-chat").addUserMessage(text);
    }

    @Test
    void shouldAnswerAChatCompletion() {
        ChatCompletion c = openai.chat()
                .completions()
                .create(ask("plain " + UUID.randomUUID()).build());

        assertThat(c.choices()).hasSize(1);
        assertThat(c.choices().get(0).message().content())
                .hasValueSatisfying(s -> assertThat(s).isNotBlank());
        assertThat(c.usage())
                .hasValueSatisfying(u -> assertThat(u.totalTokens()).isPositive());
    }

    @Test
    void shouldStreamTheSameAnswerAsChunksEndingInDone() {
        String prompt = "streamed " + UUID.randomUUID();
        String plain = openai.chat()
                .completions()
                .create(ask(prompt).build())
                .choices()
                .get(0)
                .message()
                .content()
                .orElseThrow();

        List<ChatCompletionChunk> chunks;
        try (StreamResponse<ChatCompletionChunk> stream = openai.chat()
                .completions()
                .createStreaming(ask(prompt)
                        .streamOptions(ChatCompletionStreamOptions.builder()
                                .includeUsage(true)
                                .build())
                        .build())) {
            chunks = stream.stream().toList();
        }

        String streamed = chunks.stream()
                .flatMap(ch -> ch.choices().stream())
                .map(choice -> choice.delta().content().orElse(""))
                .collect(Collectors.joining());
        assertThat(streamed).isEqualTo(plain);
        assertThat(chunks.stream().flatMap(ch -> ch.choices().stream()))
                .anySatisfy(choice -> assertThat(choice.finishReason()).isPresent());
        assertThat(chunks.get(chunks.size() - 1).usage()).isPresent();
    }

    @Test
    void shouldParseAJsonSchemaAnswerIntoAClass() {
        StructuredChatCompletionCreateParams<Capital> params = ChatCompletionCreateParams.builder()
                .model("sim-chat")
                .addUserMessage("The capital of France, as JSON " + UUID.randomUUID())
                .responseFormat(Capital.class)
                .build();

        StructuredChatCompletion<Capital> c = openai.chat().completions().create(params);

        Capital capital = c.choices().get(0).message().content().orElseThrow();
        assertThat(capital.city).isNotNull();
        assertThat(capital.country).isNotNull();
    }

    @Test
    void shouldAnswer404ForAModelNoProviderServes() {
        assertThatThrownBy(() -> openai.chat()
                        .completions()
                        .create(ChatCompletionCreateParams.builder()
                                .model("gpt-unknown")
                                .addUserMessage("hi")
                                .build()))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining("gpt-unknown");
    }

    @Test
    void shouldAnswer400ForABodyWithoutMessages() {
        assertThatThrownBy(() -> openai.chat()
                        .completions()
                        .create(ChatCompletionCreateParams.builder()
                                .model("sim-chat")
                                .messages(List.of())
                                .build()))
                .isInstanceOf(BadRequestException.class)
                .hasMessageContaining("messages");
    }

    @Test
    void shouldCallTheProviderOnceForTwoRequestsWithOneIdempotencyKey() {
        String key = "idem-" + UUID.randomUUID();
        long before = simulator.calls();

        ChatCompletion first = openai.chat()
                .completions()
                .create(ask("idempotent " + key)
                        .putAdditionalHeader("Idempotency-Key", key)
                        .build());
        ChatCompletion second = openai.chat()
                .completions()
                .create(ask("idempotent " + key)
                        .putAdditionalHeader("Idempotency-Key", key)
                        .build());

        assertThat(second).isEqualTo(first);
        assertThat(simulator.calls() - before).isEqualTo(1);
    }

    @Test
    void shouldCountItsAnswersInItsMetricsWithoutAnyTenantKeyBehindTheMetricsToken() throws Exception {
        OpenAIClient acme = keyedClient(ACME_KEY, 0);
        try {
            acme.chat().completions().create(ask("metered " + UUID.randomUUID()).build());
        } finally {
            acme.close();
        }
        OpenAIClient wrong = keyedClient("sk-wrong-metered", 0);
        try {
            assertThatThrownBy(() -> wrong.models().list()).isInstanceOf(UnauthorizedException.class);
        } finally {
            wrong.close();
        }

        java.net.http.HttpRequest.Builder metrics = java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + keyed.port() + "/metrics"));
        var http = java.net.http.HttpClient.newHttpClient();
        var refused = http.send(metrics.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode())
                .as("metrics.bearer-token-file: no token, no scrape")
                .isEqualTo(401);
        assertThat(refused.body()).doesNotContain(METRICS_TOKEN);
        String scrape = http.send(
                        metrics.header("Authorization", "Bearer " + METRICS_TOKEN)
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString())
                .body();

        assertThat(scrape)
                .contains("harbor_gateway_requests_total{route=\"chat.completions\",status=\"200\"}")
                .contains("harbor_gateway_requests_total{route=\"models\",status=\"401\"}")
                .contains("harbor_gateway_latency_seconds_count{route=\"chat.completions\"}")
                .contains("harbor_gateway_waiting")
                .containsPattern("harbor_gateway_added_seconds_count [1-9]")
                .doesNotContain(ACME_KEY)
                .doesNotContain(METRICS_TOKEN)
                .doesNotContain("sk-wrong-metered");
    }

    @Test
    void shouldServeLangChain4jsOpenAiModelsPlainAndStreamed() throws Exception {
        String base = "http://127.0.0.1:" + gateway.port() + "/v1";
        String prompt = "langchain4j " + UUID.randomUUID();
        OpenAiChatModel chat = OpenAiChatModel.builder()
                .baseUrl(base)
                .apiKey("unused")
                .modelName("sim-chat")
                .maxRetries(0)
                .build();
        OpenAiStreamingChatModel streaming = OpenAiStreamingChatModel.builder()
                .baseUrl(base)
                .apiKey("unused")
                .modelName("sim-chat")
                .build();

        String plain = chat.chat(prompt);
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        StringBuilder tokens = new StringBuilder();
        streaming.chat(prompt, new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partial) {
                tokens.append(partial);
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        ChatResponse streamed = done.get(60, TimeUnit.SECONDS);

        assertThat(plain).isNotBlank();
        assertThat(tokens.toString()).isEqualTo(plain);
        assertThat(streamed.aiMessage().text()).isEqualTo(plain);
    }

    @Test
    void shouldListTheConfiguredModels() {
        List<String> ids = openai.models().list().data().stream().map(Model::id).toList();

        assertThat(ids).containsExactly("sim-*", "exact-model");
    }
}
