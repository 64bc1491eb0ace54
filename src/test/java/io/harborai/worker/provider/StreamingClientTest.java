package io.harborai.worker.provider;

import static io.harborai.worker.provider.Fixtures.failure;
import static io.harborai.worker.provider.Fixtures.hello;
import static io.harborai.worker.provider.Fixtures.sentBody;
import static io.harborai.worker.provider.Fixtures.spec;
import static io.harborai.worker.provider.Fixtures.sse;
import static io.harborai.worker.provider.Fixtures.success;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

class StreamingClientTest {
    static final OkHttpClient SHARED = new OkHttpClient();

    @StartStop
    final MockWebServer server = new MockWebServer();

    OpenAiCompatibleClient client(boolean stream, Duration ttft) {
        return new OpenAiCompatibleClient(SHARED, spec(server, Dialect.GENERIC, stream, ttft), null, Clock.systemUTC());
    }

    @Test
    void shouldFailWithTimeoutWhenNoFirstTokenArrivesInTime() throws Exception {
        // The headers come 30 s late: a client that waited for them would time out the get below,
        // so the answer proves the TTFT timeout fired, however slow this machine is. The TTFT clock
        // runs from before the connect: 2 s, not 200 ms, so the request is surely out before it fires.
        server.enqueue(sse("generic/stream.sse")
                .newBuilder()
                .headersDelay(30, TimeUnit.SECONDS)
                .build());

        var f = failure(client(false, Duration.ofSeconds(2))
                .completeAsync(hello("m"), "m")
                .get(20, TimeUnit.SECONDS));

        assertThat(f.code()).isEqualTo(ErrorCode.TIMEOUT);
        assertThat(f.message()).contains("no first token within 2000 ms");
        assertThat(f.latencyMs()).as("waited out its TTFT").isGreaterThanOrEqualTo(2_000);
        assertThat(sentBody(server.takeRequest(10, TimeUnit.SECONDS))
                        .path("stream")
                        .asBoolean())
                .isTrue();
    }

    @Test
    void shouldFailWithTimeoutWhenHeadersComeButTokensDoNot() {
        server.enqueue(sse("generic/stream.sse")
                .newBuilder()
                .bodyDelay(3, TimeUnit.SECONDS)
                .build());

        var f = failure(client(false, Duration.ofMillis(200)).complete(hello("m"), "m"));

        assertThat(f.code()).isEqualTo(ErrorCode.TIMEOUT);
        assertThat(f.message()).contains("no first token within 200 ms");
    }

    @Test
    void shouldSucceedWhenTheFirstTokenBeatsTheTtftTimeout() {
        server.enqueue(sse("generic/stream.sse"));

        var s = success(client(false, Duration.ofSeconds(2)).complete(hello("m"), "m"));

        assertThat(s.response().getContent()).isEqualTo("Hi there.");
    }

    @Test
    void shouldStreamAStreamOnlyModelEvenWhenTheProviderDoesNotStream() throws Exception {
        server.enqueue(sse("generic/stream.sse"));

        success(client(false, Duration.ZERO).complete(hello("qwq-plus"), "qwq-plus"));

        assertThat(sentBody(server.takeRequest(10, TimeUnit.SECONDS))
                        .path("stream")
                        .asBoolean())
                .isTrue();
    }

    @Test
    void shouldMergeStreamedToolCallsByIndex() {
        server.enqueue(sse("generic/tool-calls-stream.sse"));

        var s = success(client(true, Duration.ZERO).complete(hello("llama3.1"), "llama3.1"));

        assertThat(s.response().getFinishReason()).isEqualTo("tool_calls");
        assertThat(s.response().getContent()).isNull();
        assertThat(s.response().getToolCallsJson())
                .isEqualTo("[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
                        + "\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]");
    }

    @Test
    void shouldTurnAnErrorEventIntoAFailure() {
        server.enqueue(sse("generic/error-event.sse"));

        var f = failure(client(true, Duration.ZERO).complete(hello("m"), "m"));

        assertThat(f.code()).isEqualTo(ErrorCode.PROVIDER_ERROR);
        assertThat(f.message()).contains("server overloaded");
    }

    @Test
    void shouldReportATruncatedStreamAsInvalidResponse() {
        server.enqueue(new MockResponse.Builder()
                .body("data: {\"id\":\"x\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n")
                .build());

        var f = failure(client(true, Duration.ZERO).complete(hello("m"), "m"));

        assertThat(f.code()).isEqualTo(ErrorCode.INVALID_RESPONSE);
        assertThat(f.message()).contains("before finish_reason");
    }

    @Test
    void shouldAcceptAPlainJsonBodyWhenTheServerIgnoresStream() {
        server.enqueue(Fixtures.json(200, "generic/success.json"));

        var s = success(client(true, Duration.ZERO).complete(hello("m"), "m"));

        assertThat(s.response().getContent()).isEqualTo("Hi there.");
    }
}
