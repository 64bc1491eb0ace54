package io.harborai.worker.provider;

import com.fasterxml.jackson.databind.JsonNode;
import io.harborai.worker.avro.ChatRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/** Provider response fixtures under {@code src/test/resources/fixtures/<dialect>/} and helpers. */
final class Fixtures {
    private Fixtures() {}

    static String load(String path) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/" + path)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static MockResponse json(int code, String path) {
        return new MockResponse.Builder()
                .code(code)
                .addHeader("Content-Type", "application/json")
                .body(load(path))
                .build();
    }

    static MockResponse sse(String path) {
        return new MockResponse.Builder()
                .code(200)
                .addHeader("Content-Type", "text/event-stream")
                .body(load(path))
                .build();
    }

    static ProviderSpec spec(MockWebServer server, Dialect dialect, boolean stream, Duration ttft) {
        return new ProviderSpec(
                dialect.configName(),
                server.url("/v1").toString(),
                null,
                List.of("*"),
                Duration.ofSeconds(2),
                Duration.ofSeconds(5),
                Duration.ofSeconds(2),
                Duration.ofSeconds(10),
                dialect,
                stream,
                ttft,
                null);
    }

    static ChatRequest request(String bodyJson) {
        return OpenAiJson.fromBody(OpenAiJson.parse(bodyJson, "test"))
                .setId("req-1")
                .build();
    }

    static ChatRequest hello(String model) {
        return request("{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    }

    static JsonNode sentBody(RecordedRequest r) {
        return OpenAiJson.parse(r.getBody().utf8(), "sent");
    }

    static ProviderOutcome.Success success(ProviderOutcome o) {
        if (o instanceof ProviderOutcome.Success s) {
            return s;
        }
        throw new AssertionError("expected success, got " + o);
    }

    static ProviderOutcome.Failure failure(ProviderOutcome o) {
        if (o instanceof ProviderOutcome.Failure f) {
            return f;
        }
        throw new AssertionError("expected failure, got " + o);
    }
}
