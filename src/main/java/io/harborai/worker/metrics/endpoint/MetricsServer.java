package io.harborai.worker.metrics.endpoint;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.harborai.worker.http.JdkHttpServers;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's HTTP endpoint (JDK {@code HttpServer} on {@code metrics.bind-address}):
 *
 * <ul>
 *   <li>{@code GET /metrics}: the Prometheus text exposition ({@value #PROMETHEUS_CONTENT_TYPE});
 *       with a {@link BearerToken}, only for {@code Authorization: Bearer <token>} (401 otherwise);
 *   <li>{@code GET /health}, {@code GET /ready}: see {@link HealthCheck}, JSON bodies.
 * </ul>
 * {@code /health} and {@code /ready} never ask for the token: Kubernetes probes cannot send one.
 * Any other path is 404, any other method 405.
 *
 * <p>Threading: requests run on one small executor of daemon threads ({@value #THREADS}); the
 * suppliers are called there, so they must be thread-safe (a registry scrape and {@code
 * KafkaStreams#state()} are). {@link #close()} may be called from any thread, once.
 */
public final class MetricsServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MetricsServer.class);
    public static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    // The paths served; deploy/kubernetes probes and scrapes them (DeployManifestsTest checks).
    public static final String METRICS_PATH = "/metrics";
    public static final String HEALTH_PATH = "/health";
    public static final String READY_PATH = "/ready";
    static final int THREADS = 2;

    private final HttpServer server;
    private final ExecutorService executor;

    private MetricsServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** {@link #start(String, int, BearerToken, Supplier, Supplier, Supplier)} on 0.0.0.0 with no token. */
    public static MetricsServer start(
            int port,
            Supplier<String> scrape,
            Supplier<Map<String, KafkaStreams.State>> apps,
            Supplier<List<String>> openCircuits) {
        return start("0.0.0.0", port, BearerToken.of(null), scrape, apps, openCircuits);
    }

    /**
     * Binds {@code port} on {@code bindAddress} (0 = any free port) and starts serving.
     *
     * @param token what {@code /metrics} asks for
     * @param scrape the Prometheus text of the registry
     * @param apps the Kafka Streams applications' states by name
     * @param openCircuits providers whose circuit breaker is open
     * @throws IllegalStateException naming the address and port when they cannot be bound (e.g. in use)
     */
    public static MetricsServer start(
            String bindAddress,
            int port,
            BearerToken token,
            Supplier<String> scrape,
            Supplier<Map<String, KafkaStreams.State>> apps,
            Supplier<List<String>> openCircuits) {
        JdkHttpServers.tune();
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(bindAddress), port), 0);
        } catch (BindException e) {
            throw new IllegalStateException(
                    "metrics.port " + port + " on metrics.bind-address " + bindAddress + " cannot be bound ("
                            + e.getMessage()
                            + "): is another worker or process using it? Set another port or 0 for none.",
                    e);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "metrics endpoint on " + bindAddress + ":" + port + " failed to start (metrics.bind-address)", e);
        }
        AtomicInteger n = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "harbor-metrics-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext(
                METRICS_PATH,
                ex -> serve(
                        ex,
                        METRICS_PATH,
                        () -> token.admitsRequest(ex)
                                ? new Reply(200, PROMETHEUS_CONTENT_TYPE, scrape.get())
                                : new Reply(401, BearerToken.REFUSAL_CONTENT_TYPE, BearerToken.challenge(ex))));
        server.createContext(HEALTH_PATH, ex -> serve(ex, HEALTH_PATH, () -> json(HealthCheck.health(apps.get()))));
        server.createContext(
                READY_PATH, ex -> serve(ex, READY_PATH, () -> json(HealthCheck.ready(apps.get(), openCircuits.get()))));
        server.start();
        return new MetricsServer(server, executor);
    }

    /** The bound port. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The bound address and port. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private record Reply(int status, String contentType, String body) {}

    private static Reply json(HealthCheck.Answer a) {
        return new Reply(a.status(), "application/json", a.body());
    }

    private static void serve(HttpExchange ex, String path, Supplier<Reply> handler) throws IOException {
        try (ex) {
            Reply reply;
            if (!ex.getRequestURI().getPath().equals(path)) {
                reply = new Reply(404, "text/plain; charset=utf-8", "not found\n");
            } else if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                reply = new Reply(405, "text/plain; charset=utf-8", "method not allowed\n");
            } else {
                try {
                    reply = handler.get();
                } catch (RuntimeException e) {
                    log.warn("{} failed", path, e);
                    reply = new Reply(500, "text/plain; charset=utf-8", "internal error: " + e + "\n");
                }
            }
            byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", reply.contentType());
            boolean head = "HEAD".equals(ex.getRequestMethod());
            ex.sendResponseHeaders(reply.status(), head ? -1 : bytes.length);
            if (!head) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }
}
