package io.harborai.worker.testinfra;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A provider that checks the API key, in front of the simulator: {@code POST
 * /v1/chat/completions} with {@code Authorization: Bearer <key>} is forwarded to the simulator
 * (its faults, latency and answers included); a wrong or missing key gets 401. A request whose
 * body contains {@value #ECHO_MARKER} gets a 400 whose error message repeats the {@code
 * Authorization} header it was sent, as careless providers do: the worker must not carry that
 * key into a result, a log line or a metric.
 *
 * <p>So a test with secrets from files can fail: it sees whether the key really reached the
 * provider ({@link #keyed()}) and nothing else did ({@link #refused()}).
 *
 * <p>Threading: exchanges run on a small pool; the counters are atomics.
 */
public final class KeyCheckingProvider implements AutoCloseable {
    /** Put this in a message to get a 400 that echoes the key. */
    public static final String ECHO_MARKER = "please-echo-my-key";

    private static final List<String> FORWARDED = List.of("Content-Type", "Accept", "Idempotency-Key");

    private final HttpServer server;
    private final ExecutorService pool;
    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1)
            .build();
    private final String expected;
    private final String simulatorBaseUrl;
    private final AtomicLong keyed = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong echoed = new AtomicLong();

    private KeyCheckingProvider(String key, String simulatorBaseUrl) throws IOException {
        this.expected = "Bearer " + key;
        this.simulatorBaseUrl = simulatorBaseUrl;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        this.pool = Executors.newFixedThreadPool(16, r -> {
            Thread t = new Thread(r, "key-checking-provider");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(pool);
        server.createContext("/v1/chat/completions", this::handle);
        server.start();
    }

    /** Starts one on a free loopback port, forwarding to {@code simulatorBaseUrl} (ending in {@code /v1}). */
    public static KeyCheckingProvider start(String key, String simulatorBaseUrl) throws IOException {
        return new KeyCheckingProvider(key, simulatorBaseUrl);
    }

    /** The base URL for {@code providers.<name>.base-url}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** Calls that carried the right key. */
    public long keyed() {
        return keyed.get();
    }

    /** Calls with a wrong or missing key (answered 401). */
    public long refused() {
        return refused.get();
    }

    /** 400s that echoed the key. */
    public long echoed() {
        return echoed.get();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body = ex.getRequestBody().readAllBytes();
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            if (!expected.equals(auth)) {
                refused.incrementAndGet();
                reply(ex, 401, "{\"error\":{\"message\":\"invalid api key\",\"type\":\"invalid_request_error\"}}");
                return;
            }
            keyed.incrementAndGet();
            if (new String(body, StandardCharsets.UTF_8).contains(ECHO_MARKER)) {
                echoed.incrementAndGet();
                reply(
                        ex,
                        400,
                        "{\"error\":{\"message\":\"request rejected; you sent Authorization: " + auth
                                + "\",\"type\":\"invalid_request_error\",\"code\":\"rejected\"}}");
                return;
            }
            HttpRequest.Builder forward = HttpRequest.newBuilder(URI.create(simulatorBaseUrl + "/chat/completions"))
                    .timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            FORWARDED.forEach(h -> {
                String v = ex.getRequestHeaders().getFirst(h);
                if (v != null) {
                    forward.header(h, v);
                }
            });
            HttpResponse<byte[]> answer = http.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
            answer.headers()
                    .firstValue("Retry-After")
                    .ifPresent(v -> ex.getResponseHeaders().set("Retry-After", v));
            answer.headers()
                    .firstValue("Content-Type")
                    .ifPresent(v -> ex.getResponseHeaders().set("Content-Type", v));
            ex.sendResponseHeaders(answer.statusCode(), answer.body().length == 0 ? -1 : answer.body().length);
            if (answer.body().length > 0) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(answer.body());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the simulator closed the exchange (its timeout fault): so does this one
        }
    }

    private static void reply(HttpExchange ex, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
