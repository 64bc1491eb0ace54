package io.harborai.worker.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harborai.worker.provider.OpenAiJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A plain java.net.http client for the simulator tests: raw status, headers and body. */
final class SimHttp {
    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private SimHttp() {}

    /** A minimal valid body: {@code model} and one user message. */
    static ObjectNode body(String model, String userText) {
        ObjectNode body = OpenAiJson.MAPPER.createObjectNode().put("model", model);
        body.putArray("messages").addObject().put("role", "user").put("content", userText);
        return body;
    }

    static HttpResponse<String> post(SimulatorServer sim, JsonNode body) {
        HttpRequest req = HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/chat/completions"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(OpenAiJson.json(body)))
                .build();
        return send(req);
    }

    static HttpResponse<String> get(SimulatorServer sim, String path) {
        String root = sim.baseUrl().substring(0, sim.baseUrl().length() - "/v1".length());
        return send(HttpRequest.newBuilder(URI.create(root + path))
                .timeout(Duration.ofSeconds(10))
                .build());
    }

    static JsonNode json(HttpResponse<String> response) {
        try {
            return OpenAiJson.MAPPER.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + response.body(), e);
        }
    }

    /** The message content of a 200 chat.completion. */
    static String content(HttpResponse<String> response) {
        return json(response)
                .path("choices")
                .path(0)
                .path("message")
                .path("content")
                .asText();
    }

    private static HttpResponse<String> send(HttpRequest req) {
        try {
            return CLIENT.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
