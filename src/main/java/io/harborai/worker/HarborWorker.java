package io.harborai.worker;

import io.harborai.worker.avro.BatchProgress;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.cache.CacheRuntime;
import io.harborai.worker.config.HarborConfig;
import io.harborai.worker.config.WorkerSettings;
import io.harborai.worker.dispatch.DispatchRuntime;
import io.harborai.worker.dispatch.PriorityGate;
import io.harborai.worker.dispatch.ProviderCaller;
import io.harborai.worker.dispatch.ratelimit.RateLimiter;
import io.harborai.worker.dispatch.ratelimit.RateLimiters;
import io.harborai.worker.provider.ProviderRouter;
import io.harborai.worker.cost.RedisTenantBudgets;
import io.harborai.worker.cost.TenantBudgets;
import io.harborai.worker.dispatch.Answers;
import io.harborai.worker.structured.SchemaValidator;
import io.harborai.worker.structured.StructuredOutput;
import io.harborai.worker.redis.RedisClients;
import io.harborai.worker.provider.ProviderSpec;
import io.harborai.worker.simulator.SimulatorOptions;
import io.harborai.worker.simulator.SimulatorServer;
import io.harborai.worker.schema.AvroSerde;
import io.harborai.worker.schema.SchemaRegistryClient;
import io.harborai.worker.topology.TopicBootstrap;
import io.harborai.worker.topology.TopicSettings;
import io.harborai.worker.topology.TopologyFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import io.micrometer.core.instrument.MeterRegistry;
import io.harborai.worker.metrics.MeterBinding;
import io.harborai.worker.metrics.endpoint.MetricsServer;
import io.harborai.worker.metrics.snapshot.MetricsReporter;
import io.harborai.worker.metrics.PerformanceMode;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.LinkedHashMap;
import okhttp3.OkHttpClient;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.redisson.api.RedissonClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker instance: wires configuration into the shared HTTP client, registry client, serdes,
 * provider router and topology, then runs Kafka Streams until closed.
 *
 * <p>Metrics: {@link #start(HarborConfig)} records into a Prometheus registry of its own, filtered
 * by {@code metrics.mode} ({@link PerformanceMode}), with JVM, Kafka Streams and OkHttp meters bound
 * ({@link MeterBinding}); with {@code metrics.port} > 0 a {@link MetricsServer} serves {@code
 * /metrics}, {@code /health} and {@code /ready} until {@link #close()}.
 *
 * <p>Not thread-safe for start/close; {@link #state()}, {@link #appStates()} and {@link
 * #openCircuits()} may be read from any thread.
 */
public final class HarborWorker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HarborWorker.class);

    /** The online application first, then the batch one. */
    private final List<KafkaStreams> apps;
    private final List<String> appIds;
    private final OkHttpClient http;
    private final SimulatorServer simulator;
    private final String providerSummary;
    private RateLimiter ownedRateLimiter;
    private final MeterRegistry meters;
    private CacheRuntime cache;
    private RedissonClient redis;
    private TenantBudgets budgets = TenantBudgets.none();
    private final PerformanceMode mode;
    private MeterBinding binding;
    private DispatchRuntime dispatch;
    private PriorityGate priority = PriorityGate.OPEN;
    private MetricsServer metricsServer;
    private MetricsReporter reporter;

    private HarborWorker(List<KafkaStreams> apps, List<String> appIds, OkHttpClient http, SimulatorServer simulator,
                         String providerSummary, MeterRegistry meters, PerformanceMode mode) {
        this.apps = List.copyOf(apps);
        this.appIds = List.copyOf(appIds);
        this.mode = mode;
        this.meters = meters;
        this.http = http;
        this.simulator = simulator;
        this.providerSummary = providerSummary;
    }

    /**
     * Builds and starts a worker; returns once Kafka Streams has been started (not yet RUNNING).
     * Provider RPM/TPM limits from the config are shared through Redis ({@code redis.url}); the
     * worker owns that limiter, and one Redis client serves it and the L2 cache.
     */
    public static HarborWorker start(HarborConfig config) {
        WorkerSettings settings = WorkerSettings.from(config);
        RedissonClient redis = settings.rateLimited() || settings.cacheOrBudgetsUseRedis()
            ? RedisClients.create(settings.redisUrl().value()) : null;
        RateLimiter limiter = redis == null ? RateLimiter.unlimited() : RateLimiters.create(redis,
            settings.rateLimits(), settings.rateLimitLocalShare(), System::nanoTime);
        try {
            HarborWorker worker = start(settings, limiter, MeterBinding.newRegistry(settings.mode()), redis);
            worker.ownedRateLimiter = limiter;
            return worker;
        } catch (RuntimeException e) {
            limiter.close();
            if (redis != null) {
                RedisClients.shutdown(redis);
            }
            throw e;
        }
    }

    /**
     * As {@link #start(HarborConfig)}, with the rate limiter asked before each provider call and the
     * registry every meter goes to. The {@code metrics.mode} filter is not added to a registry
     * given here (the caller owns its filters); {@code metrics.port} > 0 needs a {@link
     * PrometheusMeterRegistry}.
     */
    public static HarborWorker start(HarborConfig config, RateLimiter rateLimiter, MeterRegistry meters) {
        WorkerSettings settings = WorkerSettings.from(config);
        RedissonClient redis = settings.cacheOrBudgetsUseRedis() ? RedisClients.create(settings.redisUrl().value()) : null;
        try {
            return start(settings, rateLimiter, meters, redis);
        } catch (RuntimeException e) {
            if (redis != null) {
                RedisClients.shutdown(redis);
            }
            throw e;
        }
    }

    /** @param redis the client for the L2 cache and budgets (owned by the worker from here on), or null */
    private static HarborWorker start(WorkerSettings settings, RateLimiter rateLimiter, MeterRegistry meters,
                                      RedissonClient redis) {
        MeterBinding binding = MeterBinding.bind(meters);
        OkHttpClient http = WorkerClients.sharedHttpClient(settings.http(), meters);
        SimulatorServer simulator = null;
        List<ProviderSpec> providers = settings.providers().configured();
        if (providers.isEmpty()) {
            String url = settings.providers().simulatorUrl();
            if (url == null) {
                simulator = SimulatorServer.start(SimulatorOptions.defaults()
                    .withLatency(settings.providers().simulatorLatency()));
                url = simulator.baseUrl();
            }
            providers = List.of(WorkerClients.simulatorSpec(settings.http(), url));
        }
        ProviderRouter router = ProviderRouter.create(providers, http, System.getenv(),
            settings.providers().capabilities());
        String summary = providers.stream().map(p -> p.name() + "=" + p.baseUrl() + " " + p.models()).toList().toString();

        TopicSettings t = settings.topics();
        List<String> topics = new ArrayList<>(List.of(t.requests(), t.requestsBatch(), t.results(), t.dlq(), t.metrics()));
        if (t.alerts() != null) {
            topics.add(t.alerts());
        }
        TopicBootstrap.ensure(settings.kafka(), t, topics, List.of(t.batches(), t.batchProgress()));
        SchemaRegistryClient registry = new SchemaRegistryClient(http, settings.schemaRegistryUrl());
        CacheRuntime cache = CacheRuntime.from(settings.cache(), settings.cache().usesL2() ? redis : null,
            System::currentTimeMillis, meters);
        TenantBudgets budgets = settings.budgets().anyLimit() && redis != null
            ? new RedisTenantBudgets(redis, settings.budgets(), Clock.systemUTC(), meters) : TenantBudgets.none();
        Answers answers = new Answers(new StructuredOutput(new SchemaValidator(SchemaValidator.DEFAULT_CACHE_SIZE)),
            settings.structuredMaxAttempts(), settings.prices(), budgets, meters);
        DispatchRuntime online = new DispatchRuntime(router, settings.dispatch(), ProviderCaller.http(),
            rateLimiter, Clock.systemUTC(), () -> ThreadLocalRandom.current().nextDouble(), meters, answers);
        PriorityGate priority = PriorityGate.create(online.inFlight(), settings.priority(), meters);
        DispatchRuntime batch = online.forBatch(settings.batchShare(), priority, meters);
        String appId = settings.streams().applicationId();
        List<KafkaStreams> apps = new ArrayList<>();
        HarborWorker worker = null;
        try {
            apps.add(streamsApp(settings, registry, cache, online, appId, t.requests()));
            apps.add(streamsApp(settings, registry, cache, batch, appId + "-batch", t.requestsBatch()));
            apps.forEach(binding::bindStreams);
            worker = new HarborWorker(apps, List.of(appId, appId + "-batch"), http, simulator, summary, meters,
                settings.mode());
            worker.binding = binding;
            worker.dispatch = online;
            worker.priority = priority;
            int port = settings.metricsPort();
            if (port > 0) {
                worker.metricsServer = startMetricsServer(port, worker);
            }
        } catch (RuntimeException e) {
            apps.forEach(KafkaStreams::close);
            binding.close();
            if (simulator != null) {
                simulator.close();
            }
            if (cache.tiers() != null) {
                cache.tiers().close();
            }
            budgets.close();
            http.dispatcher().executorService().shutdown();
            throw e;
        }
        apps.forEach(KafkaStreams::start);
        // Online before batch: a paused batch app still polls and commits (see PriorityGate).
        priority.watch(PriorityGate.Listener.of(apps.get(1)::pause, apps.get(1)::resume));
        worker.reporter = MetricsReporter.start(settings.reporter(), meters, instanceId(appId), registry, http,
            settings.kafka());
        log.info("HarborAI worker started: application.id={} (+ {}-batch) kafka={} providers={} metrics={}",
            appId, appId, settings.kafkaBootstrap(), summary,
            worker.metricsServer == null ? "off" : "http://0.0.0.0:" + worker.metricsPort() + "/metrics");
        worker.cache = cache;
        worker.redis = redis;
        worker.budgets = budgets;
        return worker;
    }

    /** The {@code instance} of this worker's MetricEvents: host, process and a per-worker suffix. */
    private static String instanceId(String appId) {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = "unknown-host";
        }
        return appId + "@" + host + ":" + ProcessHandle.current().pid() + "#"
            + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
    }

    private static MetricsServer startMetricsServer(int port, HarborWorker worker) {
        if (!(worker.meters instanceof PrometheusMeterRegistry prometheus)) {
            throw new IllegalArgumentException("metrics.port=" + port + " needs a Prometheus registry; the worker was "
                + "given a " + worker.meters.getClass().getSimpleName());
        }
        return MetricsServer.start(port, prometheus::scrape, worker::appStates, worker::openCircuits);
    }

    /**
     * One Kafka Streams application over {@code requestTopic}: online and batch traffic each get
     * their own (own stream threads, consumer group and in-flight budget), so a batch backlog never
     * holds up an online record.
     */
    private static KafkaStreams streamsApp(WorkerSettings settings, SchemaRegistryClient registry, CacheRuntime cache,
                                           DispatchRuntime dispatch, String applicationId, String requestTopic) {
        Topology topology = TopologyFactory.build(settings.topology(requestTopic),
            new AvroSerde<>(registry, ChatRequest.class, true).deserializer(),
            new AvroSerde<>(registry, ChatResult.class, true),
            new AvroSerde<>(registry, BatchProgress.class, true),
            dispatch, cache);
        Properties props = WorkerClients.streamsProperties(settings);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        KafkaStreams streams = new KafkaStreams(topology, props);
        streams.setUncaughtExceptionHandler(e -> {
            // Transient infrastructure errors (registry down) surface here; the replacement thread
            // resumes from the last committed offset, so nothing is lost or duplicated.
            log.error("Stream thread of {} failed; replacing it", applicationId, e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.RUNNING) {
                log.info("Kafka Streams {} RUNNING ({} ms after JVM start)", applicationId,
                    java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime());
            } else if (now == KafkaStreams.State.ERROR) {
                log.error("Kafka Streams {} entered ERROR (was {})", applicationId, before);
            }
        });
        return streams;
    }

    /**
     * The worker's state: the least advanced of its applications' (ERROR or NOT_RUNNING if any is,
     * RUNNING only when both are).
     */
    public KafkaStreams.State state() {
        KafkaStreams.State worst = KafkaStreams.State.RUNNING;
        for (KafkaStreams app : apps) {
            KafkaStreams.State s = app.state();
            if (s == KafkaStreams.State.ERROR || s == KafkaStreams.State.NOT_RUNNING
                || s == KafkaStreams.State.PENDING_ERROR || s == KafkaStreams.State.PENDING_SHUTDOWN) {
                return s;
            }
            if (s != KafkaStreams.State.RUNNING) {
                worst = s;
            }
        }
        return worst;
    }

    /** Waits until Kafka Streams is RUNNING; false on timeout or when it failed. */
    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            KafkaStreams.State s = state();
            if (s == KafkaStreams.State.RUNNING) {
                return true;
            }
            if (s == KafkaStreams.State.ERROR || s == KafkaStreams.State.NOT_RUNNING) {
                return false;
            }
            Thread.sleep(50);
        }
        return false;
    }

    /** The registry holding this worker's meters (a Prometheus one unless given to {@code start}). */
    public MeterRegistry meters() {
        return meters;
    }

    /** What this worker records ({@code metrics.mode}). */
    public PerformanceMode performanceMode() {
        return mode;
    }

    /** The port {@code /metrics}, {@code /health} and {@code /ready} are served on, or -1 when off. */
    public int metricsPort() {
        return metricsServer == null ? -1 : metricsServer.port();
    }

    /** Each Kafka Streams application's state by application id, online first. */
    public Map<String, KafkaStreams.State> appStates() {
        Map<String, KafkaStreams.State> states = new LinkedHashMap<>();
        for (int i = 0; i < apps.size(); i++) {
            states.put(appIds.get(i), apps.get(i).state());
        }
        return states;
    }

    /** Providers whose circuit breaker is open right now. */
    public List<String> openCircuits() {
        return dispatch == null ? List.of() : dispatch.openCircuits();
    }

    public String providerSummary() {
        return providerSummary;
    }

    @Override
    public void close() {
        List<Throwable> errors = new ArrayList<>();
        if (metricsServer != null) {
            metricsServer.close();
        }
        try {
            // Leave the group: the pending set is small, so an immediate rebalance that hands our
            // partitions (and their pending requests) to the remaining or restarted instances beats
            // leaving them idle until the session times out (45 s by default), which is what a
            // Streams close does otherwise.
            priority.close(); // resumes the batch app, so its close is an ordinary one
            for (KafkaStreams app : apps) {
                app.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                    .withTimeout(Duration.ofSeconds(30)));
            }
        } catch (RuntimeException e) {
            errors.add(e);
        }
        if (reporter != null) {
            reporter.close(); // after the apps: the final snapshot counts their last results
        }
        if (simulator != null) {
            simulator.close();
        }
        if (ownedRateLimiter != null) {
            ownedRateLimiter.close();
        }
        if (cache != null && cache.tiers() != null) {
            cache.tiers().close();
        }
        budgets.close();
        if (redis != null) {
            RedisClients.shutdown(redis);
        }
        if (binding != null) {
            binding.close();
        }
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
        if (!errors.isEmpty()) {
            log.warn("Errors while closing the worker: {}", errors);
        }
    }
}
