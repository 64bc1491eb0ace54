package io.harborai.worker;

import io.harborai.worker.cache.CacheRuntime;
import io.harborai.worker.config.HarborConfig;
import io.harborai.worker.config.WorkerSettings;
import io.harborai.worker.cost.RedisTenantBudgets;
import io.harborai.worker.cost.TenantBudgets;
import io.harborai.worker.dispatch.Answers;
import io.harborai.worker.dispatch.DispatchRuntime;
import io.harborai.worker.dispatch.PriorityGate;
import io.harborai.worker.dispatch.ProviderCaller;
import io.harborai.worker.dispatch.ratelimit.RateLimiter;
import io.harborai.worker.dispatch.ratelimit.RateLimiters;
import io.harborai.worker.metrics.MeterBinding;
import io.harborai.worker.metrics.PerformanceMode;
import io.harborai.worker.metrics.endpoint.BearerToken;
import io.harborai.worker.metrics.endpoint.MetricsServer;
import io.harborai.worker.metrics.snapshot.MetricsReporter;
import io.harborai.worker.provider.ProviderRouter;
import io.harborai.worker.provider.ProviderSpec;
import io.harborai.worker.redis.RedisClients;
import io.harborai.worker.schema.SchemaRegistryClient;
import io.harborai.worker.simulator.SimulatorOptions;
import io.harborai.worker.simulator.SimulatorServer;
import io.harborai.worker.startup.KafkaAccess;
import io.harborai.worker.structured.SchemaValidator;
import io.harborai.worker.structured.StructuredOutput;
import io.harborai.worker.topology.TopicBootstrap;
import io.harborai.worker.topology.TopicSettings;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import okhttp3.OkHttpClient;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.redisson.api.RedissonClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker instance: assembles the stages from their {@link WorkerSettings} (the shared HTTP
 * client, registry client, provider router, cache, dispatch engines and the two Kafka Streams
 * applications), then runs Kafka Streams until closed.
 *
 * <p>Ownership: everything the worker opens is registered, as it is opened, in one {@link
 * Resources} stack and closed in reverse order, by a failed start as by {@link #close()}. The
 * worker is handed its parts through its constructor, complete; nothing is set afterwards.
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

    /**
     * Longest wait for Redis and the registry to accept or refuse the credentials at start-up; the
     * CLI's cluster commands wait as long for the registry.
     */
    public static final Duration START_UP_CHECK = Duration.ofSeconds(5);

    /** The online application first, then the batch one. */
    private final List<KafkaStreams> apps;

    private final List<String> appIds;
    private final DispatchRuntime dispatch;
    private final MeterRegistry meters;
    private final PerformanceMode mode;
    private final String providerSummary;
    private final MetricsServer metricsServer;
    private final Resources owned;

    private HarborWorker(
            List<KafkaStreams> apps,
            List<String> appIds,
            DispatchRuntime dispatch,
            MeterRegistry meters,
            PerformanceMode mode,
            String providerSummary,
            MetricsServer metricsServer,
            Resources owned) {
        this.apps = List.copyOf(apps);
        this.appIds = List.copyOf(appIds);
        this.dispatch = dispatch;
        this.meters = meters;
        this.mode = mode;
        this.providerSummary = providerSummary;
        this.metricsServer = metricsServer;
        this.owned = owned;
    }

    /**
     * Builds and starts a worker; returns once Kafka Streams has been started (not yet RUNNING).
     * Provider RPM/TPM limits from the config are shared through Redis ({@code redis.url}); the
     * worker owns that limiter, and one Redis client serves it and the L2 cache.
     */
    public static HarborWorker start(HarborConfig config) {
        WorkerSettings settings = WorkerSettings.from(config);
        return assemble(settings, null, MeterBinding.newRegistry(settings.mode()));
    }

    /**
     * As {@link #start(HarborConfig)}, with the rate limiter asked before each provider call and the
     * registry every meter goes to. The {@code metrics.mode} filter is not added to a registry
     * given here (the caller owns its filters); {@code metrics.port} > 0 needs a {@link
     * PrometheusMeterRegistry}.
     */
    public static HarborWorker start(HarborConfig config, RateLimiter rateLimiter, MeterRegistry meters) {
        return assemble(WorkerSettings.from(config), Objects.requireNonNull(rateLimiter, "rateLimiter"), meters);
    }

    /** @param givenLimiter the caller's rate limiter (not owned), or null for one of the worker's own */
    private static HarborWorker assemble(WorkerSettings s, RateLimiter givenLimiter, MeterRegistry meters) {
        Resources owned = new Resources();
        try {
            RedissonClient redis = (givenLimiter == null && s.rateLimited()) || s.cacheOrBudgetsUseRedis()
                    ? owned.add(RedisClients.create(s.redisUrl().value()), RedisClients::shutdown)
                    : null;
            if (redis != null) {
                RedisClients.checkCredentials(redis, s.redisUrl().value(), START_UP_CHECK);
            }
            RateLimiter limiter = givenLimiter != null
                    ? givenLimiter
                    : owned.add(
                            redis == null
                                    ? RateLimiter.unlimited()
                                    : RateLimiters.create(
                                            redis, s.rateLimits(), s.rateLimitLocalShare(), System::nanoTime));
            MeterBinding binding = owned.add(MeterBinding.bind(meters));
            OkHttpClient http = owned.add(WorkerClients.sharedHttpClient(s.http(), meters), WorkerClients::release);
            List<ProviderSpec> providers = providers(s, owned);
            ProviderRouter router = ProviderRouter.create(
                    providers, http, System.getenv(), s.providers().capabilities());
            String summary = providers.stream()
                    .map(p -> p.name() + "=" + p.baseUrl() + " " + p.models())
                    .toList()
                    .toString();
            ensureTopics(s);
            SchemaRegistryClient registry = new SchemaRegistryClient(http, s.schemaRegistryUrl());
            registry.checkAccess(START_UP_CHECK);
            CacheRuntime cache =
                    CacheRuntime.from(s.cache(), s.cache().usesL2() ? redis : null, System::currentTimeMillis, meters);
            owned.add(cache.tiers());
            TenantBudgets budgets = owned.add(
                    s.budgets().anyLimit() && redis != null
                            ? new RedisTenantBudgets(redis, s.budgets(), Clock.systemUTC(), meters)
                            : TenantBudgets.none());
            Answers answers = new Answers(
                    new StructuredOutput(new SchemaValidator(SchemaValidator.DEFAULT_CACHE_SIZE)),
                    s.structuredMaxAttempts(),
                    s.prices(),
                    budgets,
                    meters);
            DispatchRuntime online = new DispatchRuntime(
                    router,
                    s.dispatch(),
                    ProviderCaller.http(),
                    limiter,
                    Clock.systemUTC(),
                    () -> ThreadLocalRandom.current().nextDouble(),
                    meters,
                    answers);
            PriorityGate priority = PriorityGate.create(online.inFlight(), s.priority(), meters);
            DispatchRuntime batch = online.forBatch(s.batchShare(), priority, meters);
            String appId = s.streams().applicationId();
            // Before the apps, so it closes after them: the final snapshot counts their last results.
            owned.add(MetricsReporter.start(s.reporter(), meters, instanceId(appId), registry, http, s.kafka()));
            List<KafkaStreams> apps = List.of(
                    owned.add(
                            WorkerClients.streamsApp(
                                    s,
                                    registry,
                                    cache,
                                    online,
                                    appId,
                                    s.topics().requests()),
                            HarborWorker::leaveGroup),
                    owned.add(
                            WorkerClients.streamsApp(
                                    s,
                                    registry,
                                    cache,
                                    batch,
                                    appId + "-batch",
                                    s.topics().requestsBatch()),
                            HarborWorker::leaveGroup));
            apps.forEach(binding::bindStreams);
            owned.add(priority); // closes before the apps: it resumes the batch app, so its close is an ordinary one
            List<String> appIds = List.of(appId, appId + "-batch");
            WorkerSettings.Metrics m = s.metrics();
            MetricsServer server = m.port() <= 0
                    ? null
                    : owned.add(MetricsServer.start(
                            m.bindAddress(),
                            m.port(),
                            BearerToken.of(
                                    m.bearerToken() == null
                                            ? null
                                            : m.bearerToken().value()),
                            prometheus(meters, m.port())::scrape,
                            () -> appStates(apps, appIds),
                            online::openCircuits));
            if (!s.topics().create()) {
                // Without topic creation nothing above talked to Kafka: the check comes at the first
                // contact, so a start fails on everything local first (HarborWorkerTest).
                KafkaAccess.check(s.kafka()); // a refused login is one clear error here
            }
            apps.forEach(KafkaStreams::start);
            // Online before batch: a paused batch app still polls and commits (see PriorityGate).
            priority.watch(PriorityGate.Listener.of(apps.get(1)::pause, apps.get(1)::resume));
            log.info(
                    "HarborAI worker started: application.id={} (+ {}-batch) kafka={} providers={} metrics={}",
                    appId,
                    appId,
                    s.kafkaBootstrap(),
                    summary,
                    server == null ? "off" : "http://" + m.bindAddress() + ":" + server.port() + "/metrics");
            return new HarborWorker(apps, appIds, online, meters, s.mode(), summary, server, owned);
        } catch (RuntimeException e) {
            throw owned.closeAfterFailure(e);
        }
    }

    /** The configured providers, or the simulator (started here, and owned, unless one runs at simulator.url). */
    private static List<ProviderSpec> providers(WorkerSettings s, Resources owned) {
        if (!s.providers().configured().isEmpty()) {
            return s.providers().configured();
        }
        String url = s.providers().simulatorUrl();
        if (url == null) {
            url = owned.add(SimulatorServer.start(SimulatorOptions.defaults()
                            .withLatency(s.providers().simulatorLatency())))
                    .baseUrl();
        }
        return List.of(WorkerClients.simulatorSpec(s.http(), url));
    }

    /**
     * Creates the missing topics (when {@code topics.create}); the batch topics are compacted. That
     * is the worker's first contact with the cluster, so it starts with {@link KafkaAccess#check}.
     */
    private static void ensureTopics(WorkerSettings s) {
        TopicSettings t = s.topics();
        if (!t.create()) {
            return;
        }
        KafkaAccess.check(s.kafka());
        List<String> topics =
                new ArrayList<>(List.of(t.requests(), t.requestsBatch(), t.results(), t.dlq(), t.metrics()));
        if (t.alerts() != null) {
            topics.add(t.alerts());
        }
        TopicBootstrap.ensure(s.kafka(), t, topics, List.of(t.batches(), t.batchProgress()));
    }

    /**
     * Leaves the group on close: the pending set is small, so an immediate rebalance that hands our
     * partitions (and their pending requests) to the remaining or restarted instances beats leaving
     * them idle until the session times out (45 s by default), which is what a Streams close does
     * otherwise.
     */
    private static void leaveGroup(KafkaStreams app) {
        app.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(30)));
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

    private static PrometheusMeterRegistry prometheus(MeterRegistry meters, int port) {
        if (!(meters instanceof PrometheusMeterRegistry prometheus)) {
            throw new IllegalArgumentException("metrics.port=" + port + " needs a Prometheus registry; the worker was "
                    + "given a " + meters.getClass().getSimpleName());
        }
        return prometheus;
    }

    /**
     * The worker's state: the least advanced of its applications' (ERROR or NOT_RUNNING if any is,
     * RUNNING only when both are).
     */
    public KafkaStreams.State state() {
        KafkaStreams.State worst = KafkaStreams.State.RUNNING;
        for (KafkaStreams app : apps) {
            KafkaStreams.State s = app.state();
            if (s == KafkaStreams.State.ERROR
                    || s == KafkaStreams.State.NOT_RUNNING
                    || s == KafkaStreams.State.PENDING_ERROR
                    || s == KafkaStreams.State.PENDING_SHUTDOWN) {
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
        return appStates(apps, appIds);
    }

    private static Map<String, KafkaStreams.State> appStates(List<KafkaStreams> apps, List<String> appIds) {
        Map<String, KafkaStreams.State> states = new LinkedHashMap<>();
        for (int i = 0; i < apps.size(); i++) {
            states.put(appIds.get(i), apps.get(i).state());
        }
        return states;
    }

    /** Providers whose circuit breaker is open right now. */
    public List<String> openCircuits() {
        return dispatch.openCircuits();
    }

    public String providerSummary() {
        return providerSummary;
    }

    /** Closes everything the worker owns, in reverse order of opening; failures are logged, not thrown. */
    @Override
    public void close() {
        List<Exception> errors = owned.closeAll();
        if (!errors.isEmpty()) {
            log.warn("Errors while closing the worker: {}", errors);
        }
    }
}
