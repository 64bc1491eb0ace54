package io.harborai.worker.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.harborai.worker.avro.ChatRequest;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OpenAiCompatibleClientTest {
    static final String KEY = "sk-live-TOPSECRET-abcdef012345";
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-03T10:00:00Z"), ZoneOffset.UTC);
    static final OkHttpClient SHARED = new OkHttpClient();

    MockWebServer server;
    OpenAiCompatibleClient client;

    @BeforeEach
    void start() throws IOException {
        server = new MockWebServer();
        server.start();
        client = clientFor(server.url("/v1/").toString(), Duration.ofSeconds(5));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    OpenAiCompatibleClient clientFor(String baseUrl, Duration readTimeout) {
        ProviderSpec spec = new ProviderSpec(
                "mock",
                baseUrl,
                "MOCK_KEY",
                List.of("*"),
                Duration.ofSeconds(2),
                readTimeout,
                Duration.ofSeconds(2),
                Duration.ofSeconds(10),
                Dialect.GENERIC,
                false,
                Duration.ZERO,
                null);
        return new OpenAiCompatibleClient(SHARED, spec, KEY, CLOCK);
    }

    static ChatRequest request() {
        return OpenAiJson.fromBody(OpenAiJson.parse(
                        "{\"model\":\"deepseek-chat\",\"temperature\":0.2,"
                                + "\"messages\":[{\"role\":\"user\",\"content\":\"你好\"}]}",
                        "test"))
                .setId("req-42")
                .build();
    }

    void enqueue(int code, String body) {
        server.enqueue(new MockResponse.Builder().code(code).body(body).build());
    }

    static final String SUCCESS = """
      {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"deepseek-chat-v3",
       "choices":[{"index":0,"message":{"role":"assistant","content":"你好！"},"finish_reason":"stop"}],
       "usage":{"prompt_tokens":10,"completion_tokens":3,"total_tokens":13,
                "prompt_tokens_details":{"cached_tokens":4}}}
      """;

    @Test
    void shouldPostTheOpenAiBodyWithAuthAndIdempotencyHeaders() throws Exception {
        enqueue(200, SUCCESS);

        client.complete(request(), "deepseek-chat");

        RecordedRequest recorded = server.takeRequest(10, TimeUnit.SECONDS);
        assertThat(recorded.getMethod()).isEqualTo("POST");
        assertThat(recorded.getTarget()).isEqualTo("/v1/chat/completions");
        assertThat(recorded.getHeaders().get("Authorization")).isEqualTo("Bearer " + KEY);
        assertThat(recorded.getHeaders().get("Idempotency-Key")).isEqualTo("req-42");
        assertThat(recorded.getHeaders().get("Content-Type")).startsWith("application/json");
        assertThat(OpenAiJson.parse(recorded.getBody().utf8(), "body"))
                .isEqualTo(OpenAiJson.parse(
                        "{\"model\":\"deepseek-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"你好\"}],"
                                + "\"temperature\":0.2}",
                        "expected"));
    }

    @Test
    void shouldParseASuccessfulCompletionAndKeepTheBodyVerbatim() {
        server.enqueue(new MockResponse.Builder()
                .code(200)
                .addHeader("x-request-id", "rid-9")
                .body(SUCCESS)
                .build());

        ProviderOutcome outcome = client.complete(request(), "deepseek-chat");

        assertThat(outcome).isInstanceOf(ProviderOutcome.Success.class);
        ProviderOutcome.Success s = (ProviderOutcome.Success) outcome;
        assertThat(s.response().getContent()).isEqualTo("你好！");
        assertThat(s.response().getFinishReason()).isEqualTo("stop");
        assertThat(s.response().getResponseId()).isEqualTo("chatcmpl-1");
        assertThat(s.response().getBodyJson()).isEqualTo(SUCCESS);
        assertThat(s.modelUsed()).isEqualTo("deepseek-chat-v3");
        assertThat(s.requestId()).isEqualTo("rid-9");
        assertThat(s.httpStatus()).isEqualTo(200);
        assertThat(s.usage().getPromptTokens()).isEqualTo(10);
        assertThat(s.usage().getCompletionTokens()).isEqualTo(3);
        assertThat(s.usage().getTotalTokens()).isEqualTo(13);
        assertThat(s.usage().getCachedTokens()).isEqualTo(4);
    }

    @Test
    void shouldReadDeepSeekReasoningContentAndCacheHitTokens() {
        enqueue(200, """
        {"id":"r1","model":"deepseek-reasoner","choices":[{"index":0,"message":{"role":"assistant",
          "content":"答案是 4","reasoning_content":"2+2=4"},"finish_reason":"stop"}],
         "usage":{"prompt_tokens":20,"completion_tokens":30,"total_tokens":50,
          "prompt_cache_hit_tokens":16,"prompt_cache_miss_tokens":4,
          "completion_tokens_details":{"reasoning_tokens":25}}}
        """);

        ProviderOutcome.Success s = (ProviderOutcome.Success) client.complete(request(), "deepseek-reasoner");

        assertThat(s.response().getReasoningContent()).isEqualTo("2+2=4");
        assertThat(s.response().getContent()).isEqualTo("答案是 4");
        assertThat(s.usage().getCachedTokens()).isEqualTo(16);
        assertThat(s.usage().getReasoningTokens()).isEqualTo(25);
        assertThat(s.requestId()).isEqualTo("r1");
    }

    @Test
    void shouldReturnToolCallsAsJson() {
        enqueue(200, """
        {"id":"t1","model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":null,
          "tool_calls":[{"id":"call_1","type":"function",
            "function":{"name":"get_weather","arguments":"{\\"city\\":\\"北京\\"}"}}]},
          "finish_reason":"tool_calls"}],"usage":{"prompt_tokens":5,"completion_tokens":5,"total_tokens":10}}
        """);

        ProviderOutcome.Success s = (ProviderOutcome.Success) client.complete(request(), "gpt-4o");

        assertThat(s.response().getContent()).isNull();
        assertThat(s.response().getFinishReason()).isEqualTo("tool_calls");
        JsonNode calls = OpenAiJson.parse(s.response().getToolCallsJson(), "tool_calls");
        assertThat(calls.get(0).path("function").path("arguments").asText()).isEqualTo("{\"city\":\"北京\"}");
    }

    @Test
    void shouldClassifyA400AsRejectedWithTheProviderMessage() {
        enqueue(400, "{\"error\":{\"message\":\"max_tokens is too large\",\"type\":\"invalid_request_error\"}}");

        ProviderOutcome.Failure f = failure(client.complete(request(), "deepseek-chat"));

        assertThat(f.code()).isEqualTo(ErrorCode.PROVIDER_REJECTED);
        assertThat(f.retryable()).isFalse();
        assertThat(f.httpStatus()).isEqualTo(400);
        assertThat(f.message()).startsWith("provider 'mock' model 'deepseek-chat': HTTP 400: max_tokens is too large");
    }

    @Test
    void shouldClassifyA401AndRedactTheEchoedKey() {
        enqueue(401, "{\"error\":{\"message\":\"Incorrect API key provided: " + KEY + "\",\"type\":\"auth\"}}");

        ProviderOutcome.Failure f = failure(client.complete(request(), "m"));

        assertThat(f.code()).isEqualTo(ErrorCode.AUTH_FAILED);
        assertThat(f.message()).doesNotContain(KEY).contains("Incorrect API key provided: [REDACTED]");
        assertThat(f.toString()).doesNotContain(KEY);
    }

    @Test
    void shouldHonourRetryAfterSecondsOn429() {
        server.enqueue(new MockResponse.Builder()
                .code(429)
                .addHeader("Retry-After", "3")
                .body("{}")
                .build());

        ProviderOutcome.Failure f = failure(client.complete(request(), "m"));

        assertThat(f.code()).isEqualTo(ErrorCode.RATE_LIMITED);
        assertThat(f.retryable()).isTrue();
        assertThat(f.retryAfter()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void shouldHonourRetryAfterHttpDateOn429() {
        server.enqueue(new MockResponse.Builder()
                .code(429)
                .addHeader("Retry-After", "Tue, 03 Nov 2026 10:01:00 GMT")
                .body("{}")
                .build());

        ProviderOutcome.Failure f = failure(client.complete(request(), "m"));

        assertThat(f.retryAfter()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void shouldClassifyA500AsRetryableProviderError() {
        enqueue(500, "{\"error\":{\"message\":\"The server had an error\",\"type\":\"server_error\"}}");

        ProviderOutcome.Failure f = failure(client.complete(request(), "m"));

        assertThat(f.code()).isEqualTo(ErrorCode.PROVIDER_ERROR);
        assertThat(f.retryable()).isTrue();
        assertThat(f.message()).contains("The server had an error");
    }

    @Test
    void shouldTreatAMalformed200AsInvalidResponse() {
        enqueue(200, "{\"choices\": [");

        ProviderOutcome.Failure f = failure(client.complete(request(), "m"));

        assertThat(f.code()).isEqualTo(ErrorCode.INVALID_RESPONSE);
        assertThat(f.httpStatus()).isEqualTo(200);
        assertThat(f.message()).contains("not JSON");
    }

    @Test
    void shouldTreatA200WithoutChoicesAsInvalidResponse() {
        enqueue(200, "{\"error\":{\"message\":\"quota exhausted\"}}");

        ProviderOutcome.Failure f = failure(client.complete(request(), "m"));

        assertThat(f.code()).isEqualTo(ErrorCode.INVALID_RESPONSE);
        assertThat(f.message()).contains("no choices[0].message").contains("quota exhausted");
    }

    @Test
    void shouldReportATimeoutWhenTheProviderIsSlowerThanTheReadTimeout() {
        server.enqueue(new MockResponse.Builder()
                .code(200)
                .body(SUCCESS)
                .headersDelay(2, TimeUnit.SECONDS)
                .build());
        OpenAiCompatibleClient impatient = clientFor(server.url("/v1").toString(), Duration.ofMillis(200));

        ProviderOutcome.Failure f = failure(impatient.complete(request(), "m"));

        assertThat(f.code()).isEqualTo(ErrorCode.TIMEOUT);
        assertThat(f.retryable()).isTrue();
        assertThat(f.httpStatus()).isNull();
    }

    @Test
    void shouldReportConnectionFailedWhenNothingListens() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        OpenAiCompatibleClient nowhere = clientFor("http://127.0.0.1:" + port, Duration.ofSeconds(1));

        ProviderOutcome.Failure f = failure(nowhere.complete(request(), "m"));

        assertThat(f.code()).isEqualTo(ErrorCode.CONNECTION_FAILED);
        assertThat(f.message()).startsWith("provider 'mock' model 'm': ");
    }

    @Test
    void shouldCompleteAsyncWithOutcomesInsteadOfExceptions() throws Exception {
        enqueue(200, SUCCESS);
        enqueue(503, "overloaded");

        ProviderOutcome first = client.completeAsync(request(), "m").get(5, TimeUnit.SECONDS);
        ProviderOutcome second = client.completeAsync(request(), "m").get(5, TimeUnit.SECONDS);

        assertThat(first).isInstanceOf(ProviderOutcome.Success.class);
        assertThat(failure(second).code()).isEqualTo(ErrorCode.PROVIDER_ERROR);
        assertThat(failure(second).message()).endsWith("HTTP 503: overloaded");
    }

    @Test
    void shouldReturnInvalidRequestWhenStoredJsonIsBroken() throws Exception {
        ChatRequest broken = request();
        broken.getParams().setToolsJson("[{");

        ProviderOutcome sync = client.complete(broken, "m");
        ProviderOutcome async = client.completeAsync(broken, "m").get(10, TimeUnit.SECONDS);

        assertThat(failure(sync).code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(failure(async).message()).contains("tools_json is not valid JSON");
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void shouldOmitAuthorizationForKeylessProvidersAndAvoidDoubleSlashes() throws Exception {
        enqueue(200, SUCCESS);
        ProviderSpec spec = ProviderSpec.of("vllm", server.url("/v1/").toString() + "/", null, List.of("*"));
        OpenAiCompatibleClient keyless = new OpenAiCompatibleClient(SHARED, spec, null);

        keyless.complete(request(), "m");

        RecordedRequest recorded = server.takeRequest(10, TimeUnit.SECONDS);
        assertThat(recorded.getTarget()).isEqualTo("/v1/chat/completions");
        assertThat(recorded.getHeaders().get("Authorization")).isNull();
    }

    static ProviderOutcome.Failure failure(ProviderOutcome outcome) {
        assertThat(outcome).isInstanceOf(ProviderOutcome.Failure.class);
        return (ProviderOutcome.Failure) outcome;
    }
}
