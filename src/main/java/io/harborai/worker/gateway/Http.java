package io.harborai.worker.gateway;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Writing JSON answers on a JDK {@link HttpExchange}. */
final class Http {
    private Http() {}

    static void sendJson(HttpExchange ex, int status, String json) throws IOException {
        send(ex, status, "application/json", json);
    }

    static void send(HttpExchange ex, int status, String contentType, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    static void send(HttpExchange ex, OpenAiErrors.Answer a) throws IOException {
        if (a.retryAfterSeconds() >= 0) {
            ex.getResponseHeaders().set("Retry-After", Long.toString(a.retryAfterSeconds()));
        }
        sendJson(ex, a.status(), a.body());
    }
}
