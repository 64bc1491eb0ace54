package io.harborai.worker.testinfra;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A worker's {@code /health}, {@code /ready} and {@code /metrics} over HTTP, as a probe or a
 * Prometheus scrape sees them: for workers in JVMs of their own ({@link HarborProcess}), whose
 * state the test cannot read in memory.
 *
 * <p>Thread-safe (one shared JDK HttpClient).
 */
public final class WorkerEndpoints {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private WorkerEndpoints() {}

    /** The HTTP status of {@code GET path} on 127.0.0.1:{@code port}, or -1 when nothing answers. */
    public static int status(int port, String path) {
        HttpResponse<String> r = get(port, path);
        return r == null ? -1 : r.statusCode();
    }

    /** Each Kafka Streams application's state from {@code /health}; empty when nothing answers. */
    public static Map<String, String> appStates(int port) {
        HttpResponse<String> r = get(port, "/health");
        Map<String, String> states = new LinkedHashMap<>();
        if (r != null) {
            try {
                JSON.readTree(r.body())
                        .path("apps")
                        .properties()
                        .forEach(e -> states.put(e.getKey(), e.getValue().asText()));
            } catch (IOException e) {
                // not JSON: treated as not answering
            }
        }
        return states;
    }

    /**
     * The sum of the samples of Prometheus metric {@code name} (e.g. {@code
     * harbor_dispatch_redispatched_total}) whose labels contain {@code label} (e.g. {@code
     * traffic="online"}); -1 when the worker does not answer.
     */
    public static double metric(int port, String name, String label) {
        HttpResponse<String> r = get(port, "/metrics");
        if (r == null || r.statusCode() != 200) {
            return -1;
        }
        Pattern line = Pattern.compile("^" + Pattern.quote(name) + "(?:\\{([^}]*)\\})? (\\S+)$", Pattern.MULTILINE);
        Matcher m = line.matcher(r.body());
        double sum = 0;
        while (m.find()) {
            if ((m.group(1) == null ? "" : m.group(1)).contains(label)) {
                sum += Double.parseDouble(m.group(2));
            }
        }
        return sum;
    }

    private static HttpResponse<String> get(int port, String path) {
        try {
            return HTTP.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                            .timeout(Duration.ofSeconds(5))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
