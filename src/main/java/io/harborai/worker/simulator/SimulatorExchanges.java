package io.harborai.worker.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Small HTTP and thread helpers of {@link SimulatorServer}: writing a response, reading a query
 * parameter, naming daemon threads. Stateless; each method touches only the exchange it is given,
 * which must be owned by the calling thread.
 */
final class SimulatorExchanges {
    static final String JSON = "application/json";

    private SimulatorExchanges() {}

    /** Writes a JSON response and closes the exchange. */
    static void send(HttpExchange ex, int status, JsonNode json) {
        send(ex, status, SimulatedCompletion.utf8(json), JSON);
    }

    /**
     * Writes a response body and closes the exchange; an event stream goes out chunked, like a real
     * provider's. A vanished client is not an error here.
     */
    static void send(HttpExchange ex, int status, byte[] bytes, String contentType) {
        try (ex;
                OutputStream out = ex.getResponseBody()) {
            ex.getResponseHeaders().set("Content-Type", contentType);
            boolean stream = contentType.startsWith("text/event-stream");
            if (stream) {
                ex.getResponseHeaders().set("Cache-Control", "no-cache");
            }
            ex.sendResponseHeaders(status, stream ? 0 : bytes.length);
            out.write(bytes);
        } catch (IOException clientGone) {
            // the client timed out or disconnected; nothing to answer
        }
    }

    /** A decoded query parameter, or null. */
    static String queryParam(HttpExchange ex, String name) {
        String query = ex.getRequestURI().getRawQuery();
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            if (URLDecoder.decode(k, StandardCharsets.UTF_8).equals(name)) {
                return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    static AtomicLong[] newCounters(int n) {
        AtomicLong[] counters = new AtomicLong[n];
        Arrays.setAll(counters, i -> new AtomicLong());
        return counters;
    }

    static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
