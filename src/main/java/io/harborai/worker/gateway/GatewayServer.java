package io.harborai.worker.gateway;

import static io.harborai.worker.config.HarborConfigDef.*;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.harborai.worker.batch.BatchCatalog;
import io.harborai.worker.batch.BatchSettings;
import io.harborai.worker.batch.BatchSubmitter;
import io.harborai.worker.batch.UploadedFiles;
import io.harborai.worker.client.HarborClient;
import io.harborai.worker.config.HarborConfig;
import io.harborai.worker.config.StageSettings;
import io.harborai.worker.dispatch.ratelimit.RateLimiters;
import io.harborai.worker.http.JdkHttpServers;
import io.harborai.worker.metrics.endpoint.BearerToken;
import io.harborai.worker.metrics.endpoint.MetricsServer;
import io.harborai.worker.schema.SchemaRegistryClient;
import io.harborai.worker.topology.TopicBootstrap;
import io.harborai.worker.topology.TopicSettings;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code harbor gateway}: the OpenAI REST API in front of the pipeline. {@code POST
 * /v1/chat/completions} ({@link ChatCompletions}), {@code /v1/files} ({@link FileRoutes}), {@code
 * /v1/batches} ({@link BatchRoutes}) and {@code GET /v1/models} ({@link ModelCatalog}),
 * plus {@code /metrics} (Prometheus, {@code harbor.gateway.*}) and {@code /health} (200 while it
 * owns a reply partition), without a key,
 * on a JDK HTTP server, with one {@link HarborClient} for request-reply over Kafka. Any number of
 * instances may run side by side (up to the partitions of {@code topics.replies}); they share
 * nothing but the cluster.
 *
 * <p>Why the JDK server: the gateway's HTTP surface is a handful of JSON routes; the JDK's server
 * already serves the simulator and the metrics endpoint here, and adds no dependency.
 */
public final class GatewayServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GatewayServer.class);
    /** 200 once this instance owns a reply partition (deploy/kubernetes: the readiness probe). */
    public static final String HEALTH_PATH = "/health";

    private final HttpServer server;
    private final ExecutorService threads;
    private final ExecutorService responders;
    private final HarborClient client;
    private final Tenants tenants;
    private final BatchParts batchParts;

    private GatewayServer(
            HttpServer server,
            ExecutorService threads,
            ExecutorService responders,
            HarborClient client,
            Tenants tenants,
            BatchParts batchParts) {
        this.server = server;
        this.threads = threads;
        this.responders = responders;
        this.client = client;
        this.tenants = tenants;
        this.batchParts = batchParts;
    }

    /** What the files and batches routes hold open. */
    private record BatchParts(UploadedFiles files, BatchCatalog catalog, BatchJobs jobs) implements AutoCloseable {
        static BatchParts open(HarborConfig cfg) {
            BatchSettings settings = StageSettings.batch(cfg);
            TopicSettings topics = settings.topics();
            TopicBootstrap.ensure(
                    settings.kafka(),
                    topics,
                    List.of(topics.requestsBatch(), topics.results()),
                    List.of(topics.batches(), topics.batchProgress()));
            UploadedFiles files = new UploadedFiles(settings.kafka(), topics.files());
            BatchCatalog catalog =
                    new BatchCatalog(settings, SchemaRegistryClient.create(settings.schemaRegistryUrl()));
            BatchJobs jobs = new BatchJobs(() -> BatchSubmitter.create(settings, System.err), files, catalog, 4);
            return new BatchParts(files, catalog, jobs);
        }

        @Override
        public void close() {
            jobs.close();
            catalog.close();
            files.close();
        }
    }

    /** Connects to the cluster, takes a reply partition and starts serving. */
    public static GatewayServer start(HarborConfig cfg) throws IOException {
        TopicSettings topics = StageSettings.topics(cfg);
        Duration timeout = Duration.ofMillis(cfg.longValue(GATEWAY_TIMEOUT_MS));
        HarborClient client = HarborClient.start(
                new HarborClient.Options(
                        StageSettings.kafkaClients(cfg),
                        SchemaRegistryClient.create(cfg.schemaRegistryUrl()),
                        topics.requests(),
                        topics.results(),
                        topics.replies(),
                        cfg.string(GATEWAY_GROUP_ID),
                        timeout),
                Duration.ofSeconds(60));
        JdkHttpServers.tune();
        HttpServer server;
        try {
            server = HttpServer.create(
                    new InetSocketAddress(cfg.string(GATEWAY_BIND_ADDRESS), cfg.intValue(GATEWAY_PORT)), 1024);
        } catch (IOException e) {
            client.close();
            throw e;
        }
        ExecutorService threads = Executors.newFixedThreadPool(cfg.intValue(GATEWAY_THREADS), r -> {
            Thread t = new Thread(r, "harbor-gateway-http");
            t.setDaemon(true);
            return t;
        });
        // Writes chat answers once their results are in; grows only while HTTP clients are slow to read.
        ExecutorService responders = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "harbor-gateway-answer");
            t.setDaemon(true);
            return t;
        });
        Tenants tenants = new Tenants(
                cfg.gatewayTenants(),
                specs -> RateLimiters.create(cfg.redisUrl(), specs, 1.0 / cfg.intValue(GATEWAY_INSTANCES)));
        if (tenants.open()) {
            log.warn("No gateway.tenants configured: the gateway takes requests without an API key");
        }
        BatchParts batchParts = BatchParts.open(cfg);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        BearerToken metricsToken = BearerToken.of(cfg.metricsBearerToken()); // metrics.bearer-token-file
        GatewayMeters meters = new GatewayMeters(registry);
        Guard guard = new Guard(tenants, meters);
        ModelCatalog models = new ModelCatalog(cfg.providers());
        ChatCompletions chat =
                new ChatCompletions(client, tenants, models, meters, timeout, Clock.systemUTC(), responders);
        server.createContext(
                "/v1/chat/completions",
                ex -> guard.runAsync(ex, "chat.completions", true, tenant -> chat.handle(ex, tenant)));
        FileRoutes fileRoutes = new FileRoutes(batchParts.files(), batchParts.catalog());
        server.createContext("/v1/files", ex -> guard.run(ex, "files", true, tenant -> fileRoutes.handle(ex, tenant)));
        BatchRoutes batchRoutes =
                new BatchRoutes(batchParts.catalog(), batchParts.files(), batchParts.jobs(), Clock.systemUTC());
        server.createContext(
                "/v1/batches", ex -> guard.run(ex, "batches", true, tenant -> batchRoutes.handle(ex, tenant)));
        server.createContext(
                "/v1/models", ex -> guard.run(ex, "models", true, tenant -> Http.sendJson(ex, 200, models.listBody())));
        server.createContext(
                MetricsServer.METRICS_PATH,
                ex -> guard.run(ex, "metrics", false, tenant -> {
                    if (metricsToken.admitsRequest(ex)) {
                        Http.send(ex, 200, MetricsServer.PROMETHEUS_CONTENT_TYPE, registry.scrape());
                    } else {
                        Http.send(ex, 401, BearerToken.REFUSAL_CONTENT_TYPE, BearerToken.challenge(ex));
                    }
                }));
        server.createContext(
                HEALTH_PATH,
                ex -> guard.run(
                        ex,
                        "health",
                        false,
                        tenant -> Http.sendJson(
                                ex,
                                client.replyPartition() >= 0 ? 200 : 503,
                                "{\"replyPartition\":" + client.replyPartition() + "}")));
        server.createContext(
                "/",
                ex -> guard.run(
                        ex,
                        "other",
                        true,
                        tenant -> Http.send(
                                ex,
                                OpenAiErrors.of(
                                        404,
                                        "invalid_request_error",
                                        "not_found",
                                        "no route " + ex.getRequestURI().getPath()))));
        server.setExecutor(threads);
        server.start();
        log.info("Gateway listening on {}", server.getAddress());
        return new GatewayServer(server, threads, responders, client, tenants, batchParts);
    }

    /** The port it listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    private interface Route {
        void run(String tenant) throws IOException;
    }

    /** A route that answers later: the stage completes once the answer is written. */
    private interface AsyncRoute {
        CompletableFuture<Void> run(String tenant) throws IOException;
    }

    /** Around every route: the key check, the meters, and a 500 for what a route throws. */
    private record Guard(Tenants tenants, GatewayMeters meters) {
        /**
         * Runs {@code route} for the request's tenant; answers 401 instead when {@code keyed},
         * tenants are configured, and the key is missing or unknown.
         */
        void run(HttpExchange ex, String name, boolean keyed, Route route) {
            runAsync(ex, name, keyed, tenant -> {
                route.run(tenant);
                return CompletableFuture.completedFuture(null);
            });
        }

        /** As {@link #run}; the exchange is closed and counted when the route's stage completes. */
        void runAsync(HttpExchange ex, String name, boolean keyed, AsyncRoute route) {
            long start = System.nanoTime();
            CompletableFuture<Void> answered;
            try {
                String tenant = !keyed || tenants.open()
                        ? null
                        : tenants.tenantOf(ex.getRequestHeaders().getFirst("Authorization"));
                if (keyed && !tenants.open() && tenant == null) {
                    Http.send(
                            ex,
                            OpenAiErrors.of(
                                    401,
                                    "invalid_request_error",
                                    "invalid_api_key",
                                    "Incorrect or missing API key: send Authorization: Bearer <key>"));
                    answered = CompletableFuture.completedFuture(null);
                } else {
                    answered = route.run(tenant);
                }
            } catch (IOException | RuntimeException e) {
                answered = CompletableFuture.failedFuture(e);
            }
            answered.whenComplete((v, error) -> {
                try (ex) {
                    if (error != null) {
                        log.warn(
                                "{} {} failed: {}",
                                ex.getRequestMethod(),
                                ex.getRequestURI().getPath(),
                                error.toString());
                        try {
                            Http.send(ex, OpenAiErrors.of(500, "server_error", "internal_error", "the gateway failed"));
                        } catch (IOException | RuntimeException ignored) {
                            // the answer had started, or the connection is gone
                        }
                    }
                } finally {
                    meters.answered(name, ex.getResponseCode(), System.nanoTime() - start);
                }
            });
        }
    }

    @Override
    public void close() {
        server.stop(1);
        threads.shutdownNow();
        responders.shutdownNow();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        client.close();
        tenants.close();
        batchParts.close();
    }
}
