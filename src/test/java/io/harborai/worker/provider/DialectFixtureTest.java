package io.harborai.worker.provider;

import static io.harborai.worker.provider.Fixtures.failure;
import static io.harborai.worker.provider.Fixtures.hello;
import static io.harborai.worker.provider.Fixtures.json;
import static io.harborai.worker.provider.Fixtures.request;
import static io.harborai.worker.provider.Fixtures.sentBody;
import static io.harborai.worker.provider.Fixtures.spec;
import static io.harborai.worker.provider.Fixtures.sse;
import static io.harborai.worker.provider.Fixtures.success;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

/** Drives the client with each dialect's documented response shapes (fixtures/<dialect>/). */
class DialectFixtureTest {
    static final OkHttpClient SHARED = new OkHttpClient();

    @StartStop
    final MockWebServer server = new MockWebServer();

    OpenAiCompatibleClient client(Dialect d, boolean stream) {
        return new OpenAiCompatibleClient(
                SHARED, spec(server, d, stream, Duration.ZERO), "sk-test-KEY123", Clock.systemUTC());
    }

    ProviderOutcome call(Dialect d, boolean stream, MockResponse response, String model) {
        server.enqueue(response);
        return client(d, stream).completeAsync(hello(model), model).join();
    }

    JsonNode sent() throws InterruptedException {
        return sentBody(server.takeRequest(10, TimeUnit.SECONDS));
    }

    // ---- OpenAI ----

    @Test
    void shouldReadAnOpenAiCompletionWithCachedAndReasoningTokens() throws Exception {
        server.enqueue(json(200, "openai/reasoning.json"));
        var req = request("{\"model\":\"o3\",\"temperature\":0.3,\"top_p\":0.9,\"logprobs\":true,"
                + "\"max_tokens\":500000,\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},"
                + "{\"role\":\"user\",\"content\":\"q\"}]}");

        var s = success(client(Dialect.OPENAI, false).complete(req, "o3"));

        assertThat(s.response().getContent()).isEqualTo("The answer is 42.");
        assertThat(s.usage().getCachedTokens()).isEqualTo(1920);
        assertThat(s.usage().getReasoningTokens()).isEqualTo(576);
        JsonNode body = sent();
        assertThat(body.has("temperature") || body.has("top_p") || body.has("logprobs"))
                .isFalse();
        assertThat(body.has("max_tokens")).isFalse();
        assertThat(body.path("max_completion_tokens").asInt()).isEqualTo(100_000);
        assertThat(body.path("messages").path(0).path("role").asText()).isEqualTo("developer");
        assertThat(body.has("stream")).isFalse();
    }

    @Test
    void shouldClassifyOpenAiErrorBodies() {
        var bad = failure(call(Dialect.OPENAI, false, json(400, "openai/error-400.json"), "gpt-4o"));
        var limited = failure(call(
                Dialect.OPENAI,
                false,
                json(429, "openai/rate-limit-429.json")
                        .newBuilder()
                        .addHeader("Retry-After", "20")
                        .build(),
                "gpt-4o"));
        var auth = failure(call(Dialect.OPENAI, false, json(401, "openai/auth-401.json"), "gpt-4o"));

        assertThat(bad.code()).isEqualTo(ErrorCode.PROVIDER_REJECTED);
        assertThat(bad.message()).contains("(code=unsupported_parameter)");
        assertThat(limited.code()).isEqualTo(ErrorCode.RATE_LIMITED);
        assertThat(limited.retryAfter()).isEqualTo(Duration.ofSeconds(20));
        assertThat(limited.message()).contains("(code=rate_limit_exceeded)");
        assertThat(auth.code()).isEqualTo(ErrorCode.AUTH_FAILED);
    }

    @Test
    void shouldAssembleAnOpenAiStreamLikeTheUnstreamedCall() throws Exception {
        var s = success(call(Dialect.OPENAI, true, sse("openai/stream.sse"), "gpt-4o"));

        assertThat(s.response().getContent()).isEqualTo("Hello! How can I help?");
        assertThat(s.response().getFinishReason()).isEqualTo("stop");
        assertThat(s.response().getResponseId()).isEqualTo("chatcmpl-stream1");
        assertThat(s.modelUsed()).isEqualTo("gpt-4o-2024-08-06");
        assertThat(s.usage().getTotalTokens()).isEqualTo(29);
        JsonNode synthesized = OpenAiJson.parse(s.response().getBodyJson(), "body");
        assertThat(synthesized.path("object").asText()).isEqualTo("chat.completion");
        assertThat(synthesized
                        .path("choices")
                        .path(0)
                        .path("message")
                        .path("content")
                        .asText())
                .isEqualTo("Hello! How can I help?");
        JsonNode body = sent();
        assertThat(body.path("stream").asBoolean()).isTrue();
        assertThat(body.path("stream_options").path("include_usage").asBoolean())
                .isTrue();
    }

    // ---- DeepSeek ----

    @Test
    void shouldAdaptARequestForDeepSeekReasonerAndReadItsCacheHits() throws Exception {
        server.enqueue(json(200, "deepseek/reasoning.json"));
        var req = request("{\"model\":\"deepseek-reasoner\",\"temperature\":0.7,\"logprobs\":true,\"top_logprobs\":2,"
                + "\"max_tokens\":100000,\"messages\":[{\"role\":\"user\",\"content\":\"a\"},"
                + "{\"role\":\"assistant\",\"content\":\"b\",\"reasoning_content\":\"thought\"},"
                + "{\"role\":\"user\",\"content\":\"c\"}]}");

        var s = success(client(Dialect.DEEPSEEK, false).complete(req, "deepseek-reasoner"));

        assertThat(s.response().getReasoningContent()).isEqualTo("Compare 9.11 and 9.8: 9.80 > 9.11.");
        assertThat(s.usage().getCachedTokens()).isEqualTo(64);
        assertThat(s.usage().getReasoningTokens()).isEqualTo(280);
        JsonNode body = sent();
        assertThat(body.has("temperature") || body.has("logprobs") || body.has("top_logprobs"))
                .isFalse();
        assertThat(body.path("messages").path(1).has("reasoning_content")).isFalse();
        assertThat(body.path("max_tokens").asInt()).isEqualTo(65_536);
    }

    @Test
    void shouldDegradeJsonSchemaToJsonObjectWithAFencedSchemaForDeepSeekChat() throws Exception {
        server.enqueue(json(200, "deepseek/success.json"));
        var req = request("{\"model\":\"deepseek-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
                + "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"p\","
                + "\"schema\":{\"type\":\"object\"}}}}");

        client(Dialect.DEEPSEEK, false).complete(req, "deepseek-chat");

        JsonNode body = sent();
        assertThat(body.path("response_format").toString()).isEqualTo("{\"type\":\"json_object\"}");
        assertThat(body.path("messages").path(0).path("role").asText()).isEqualTo("system");
        assertThat(body.path("messages").path(0).path("content").asText())
                .contains("```json\n{\"type\":\"object\"}\n```");
    }

    @Test
    void shouldClassifyDeepSeekErrorsAndAssembleItsReasoningStream() {
        assertThat(failure(call(Dialect.DEEPSEEK, false, json(429, "deepseek/rate-limit-429.json"), "deepseek-chat"))
                        .code())
                .isEqualTo(ErrorCode.RATE_LIMITED);
        assertThat(failure(call(Dialect.DEEPSEEK, false, json(401, "deepseek/auth-401.json"), "deepseek-chat"))
                        .code())
                .isEqualTo(ErrorCode.AUTH_FAILED);
        var bad = failure(call(Dialect.DEEPSEEK, false, json(400, "deepseek/error-400.json"), "deepseek-chat"));
        assertThat(bad.code()).isEqualTo(ErrorCode.PROVIDER_REJECTED);
        assertThat(bad.message()).contains("reasoning_content");

        var s = success(call(Dialect.DEEPSEEK, true, sse("deepseek/reasoning-stream.sse"), "deepseek-reasoner"));

        assertThat(s.response().getReasoningContent()).isEqualTo("Compare 9.11 and 9.8.");
        assertThat(s.response().getContent()).isEqualTo("9.11 is smaller.");
        assertThat(s.usage().getCachedTokens()).isEqualTo(64);
        assertThat(s.usage().getReasoningTokens()).isEqualTo(280);
    }

    // ---- Doubao (Ark) ----

    @Test
    void shouldReadDoubaoThinkingAnswersAndErrors() {
        var s = success(
                call(Dialect.DOUBAO, false, json(200, "doubao/reasoning.json"), "doubao-seed-1-6-thinking-250715"));
        assertThat(s.response().getReasoningContent()).startsWith("用户问");
        assertThat(s.usage().getCachedTokens()).isEqualTo(16);
        assertThat(s.usage().getReasoningTokens()).isEqualTo(96);

        var limited =
                failure(call(Dialect.DOUBAO, false, json(429, "doubao/rate-limit-429.json"), "doubao-1-5-pro-32k"));
        assertThat(limited.code()).isEqualTo(ErrorCode.RATE_LIMITED);
        assertThat(limited.message()).contains("(code=RateLimitExceeded.EndpointRPMExceeded)");
        assertThat(failure(call(Dialect.DOUBAO, false, json(401, "doubao/auth-401.json"), "doubao-1-5-pro-32k"))
                        .code())
                .isEqualTo(ErrorCode.AUTH_FAILED);
        assertThat(failure(call(Dialect.DOUBAO, false, json(400, "doubao/error-400.json"), "doubao-1-5-pro-32k"))
                        .message())
                .contains("(code=InvalidParameter)");
    }

    @Test
    void shouldAssembleDoubaoStreams() {
        var plain = success(call(Dialect.DOUBAO, true, sse("doubao/stream.sse"), "doubao-1-5-pro-32k"));
        var thinking =
                success(call(Dialect.DOUBAO, true, sse("doubao/reasoning-stream.sse"), "doubao-seed-1-6-thinking"));

        assertThat(plain.response().getContent()).isEqualTo("你好！");
        assertThat(thinking.response().getReasoningContent()).isEqualTo("用户问天空……");
        assertThat(thinking.response().getContent()).isEqualTo("瑞利散射。");
        assertThat(thinking.usage().getReasoningTokens()).isEqualTo(96);
    }

    // ---- Wenxin (Qianfan) ----

    @Test
    void shouldTurnQianfanLegacyErrorBodiesWithHttp200IntoFailures() {
        var limited = failure(
                call(Dialect.WENXIN, false, json(200, "wenxin/legacy-rate-limit-200.json"), "ernie-4.5-turbo-128k"));
        var auth =
                failure(call(Dialect.WENXIN, false, json(200, "wenxin/legacy-auth-200.json"), "ernie-4.5-turbo-128k"));
        var invalid = failure(
                call(Dialect.WENXIN, false, json(200, "wenxin/legacy-invalid-200.json"), "ernie-4.5-turbo-128k"));

        assertThat(limited.code()).isEqualTo(ErrorCode.RATE_LIMITED);
        assertThat(limited.message())
                .contains("Open api qps request limit reached")
                .contains("(code=18)");
        assertThat(auth.code()).isEqualTo(ErrorCode.AUTH_FAILED);
        assertThat(invalid.code()).isEqualTo(ErrorCode.PROVIDER_REJECTED);
        assertThat(invalid.httpStatus()).isEqualTo(200);
    }

    @Test
    void shouldReadQianfanV2AnswersErrorsAndStreams() {
        var x1 = success(call(Dialect.WENXIN, false, json(200, "wenxin/reasoning.json"), "ernie-x1-turbo-32k"));
        assertThat(x1.response().getReasoningContent()).isEqualTo("先分析问题……");
        assertThat(x1.usage().getReasoningTokens()).isEqualTo(180);

        var bad = failure(call(Dialect.WENXIN, false, json(400, "wenxin/error-400.json"), "ernie-4.5-turbo-128k"));
        assertThat(bad.message()).contains("(code=invalid_argument)").contains("(id=as-err400)");
        assertThat(failure(call(Dialect.WENXIN, false, json(429, "wenxin/rate-limit-429.json"), "ernie-4.5"))
                        .code())
                .isEqualTo(ErrorCode.RATE_LIMITED);
        assertThat(failure(call(Dialect.WENXIN, false, json(401, "wenxin/auth-401.json"), "ernie-4.5"))
                        .code())
                .isEqualTo(ErrorCode.AUTH_FAILED);

        var streamed = success(call(Dialect.WENXIN, true, sse("wenxin/reasoning-stream.sse"), "ernie-x1-turbo-32k"));
        assertThat(streamed.response().getReasoningContent()).isEqualTo("先分析问题……");
        assertThat(streamed.response().getContent()).isEqualTo("答案是 42。");
        assertThat(streamed.usage().getTotalTokens()).isEqualTo(222);
    }

    // ---- Generic (vLLM, Ollama, LiteLLM) ----

    @Test
    void shouldStreamGenericServersWithoutStreamOptions() throws Exception {
        var s = success(call(Dialect.GENERIC, true, sse("generic/stream.sse"), "Qwen/Qwen2.5-7B-Instruct"));

        assertThat(s.response().getContent()).isEqualTo("Hi there.");
        assertThat(s.usage()).isNull();
        JsonNode body = sent();
        assertThat(body.path("stream").asBoolean()).isTrue();
        assertThat(body.has("stream_options")).isFalse();
    }

    @Test
    void shouldReadAGenericErrorBodyAndSuccess() {
        var bad = failure(call(Dialect.GENERIC, false, json(400, "generic/error-400.json"), "m"));
        assertThat(bad.code()).isEqualTo(ErrorCode.PROVIDER_REJECTED);
        assertThat(bad.message()).contains("maximum context length");
        assertThat(success(call(Dialect.GENERIC, false, json(200, "generic/success.json"), "m"))
                        .response()
                        .getContent())
                .isEqualTo("Hi there.");
    }
}
