package io.harborai.worker.config;

import static io.harborai.worker.config.HarborConfigDef.*;

import io.harborai.worker.cache.CacheSettings;
import io.harborai.worker.cost.BudgetSettings;
import io.harborai.worker.cost.PriceTable;
import io.harborai.worker.dispatch.DispatchSettings;
import io.harborai.worker.dispatch.PriorityGate;
import io.harborai.worker.dispatch.ratelimit.RateLimitSpec;
import io.harborai.worker.metrics.PerformanceMode;
import io.harborai.worker.metrics.snapshot.ReporterSettings;
import io.harborai.worker.provider.ProviderSpec;
import io.harborai.worker.provider.capability.CapabilityTable;
import io.harborai.worker.topology.TopicSettings;
import io.harborai.worker.topology.TopologyFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.types.Password;

/**
 * Everything one worker process ({@code HarborWorker}) is assembled from, read once from a {@link
 * HarborConfig} by {@link #from}: each stage's own settings record plus the wiring of the process
 * itself. Immutable; {@link #toString()} names only the application, so no secret (the Redis and
 * registry URLs with their credentials, Kafka passwords, the metrics token) shows in a log line.
 *
 * @param kafka properties every Kafka client gets ({@code kafka.*}, with {@code bootstrap.servers})
 * @param redisUrl the Redis of the L2 cache, the shared rate limits and the budgets
 * @param rateLimitLocalShare the share of each limit an instance enforces alone while Redis is down
 * @param structuredMaxAttempts answers checked per structured-output request
 * @param batchShare the batch engines' share of the in-flight budget
 * @param requestMaxBytes the largest accepted request record
 * @param idRetentionMs how long a request id is remembered
 * @param schemaRegistryUrl the registry, with basic-auth user info when configured
 * @param metrics where {@code /metrics}, {@code /health} and {@code /ready} are served
 */
public record WorkerSettings(
        Map<String, Object> kafka,
        Streams streams,
        TopicSettings topics,
        String schemaRegistryUrl,
        Password redisUrl,
        Http http,
        Providers providers,
        List<RateLimitSpec> rateLimits,
        double rateLimitLocalShare,
        CacheSettings cache,
        BudgetSettings budgets,
        PriceTable prices,
        int structuredMaxAttempts,
        DispatchSettings dispatch,
        PriorityGate.Settings priority,
        double batchShare,
        int requestMaxBytes,
        long idRetentionMs,
        PerformanceMode mode,
        Metrics metrics,
        ReporterSettings reporter) {

    /** The one start-up error of a worker with no provider and no simulator asked for. */
    public static final String NO_PROVIDER = "providers: no provider is configured, so there is nothing to send "
            + "requests to. Configure one in the config file (--config FILE), e.g. providers.openai.base-url, "
            + "providers.openai.models and providers.openai.api-key-env (see README, Providers); or ask for simulated "
            + "answers on purpose with `harbor run --simulator`, simulator.enabled: true or HARBOR_SIMULATOR_URL.";

    /**
     * The metrics endpoint ({@code metrics.port}, {@code metrics.bind-address}, {@code
     * metrics.bearer-token-file}).
     *
     * @param port 0 = no endpoint
     * @param bearerToken what {@code GET /metrics} must present, or null for none
     */
    public record Metrics(int port, String bindAddress, Password bearerToken) {}

    /**
     * The Kafka Streams settings of the worker's applications ({@code worker.*}).
     *
     * @param applicationId the online application's id; the batch one's adds {@code -batch}
     * @param stateDir the state directory, or null for a new one under {@code java.io.tmpdir}
     */
    public record Streams(
            String applicationId, String processingGuarantee, long commitIntervalMs, int threads, String stateDir) {}

    /** The shared HTTP client's default timeouts ({@code http.*}); a provider may set its own. */
    public record Http(Duration connect, Duration read, Duration write, Duration call) {}

    /**
     * Where answers come from.
     *
     * @param configured the providers of the file, in file order; empty = the simulator serves every model
     * @param simulatorUrl a running simulator to use when none is configured, or null for one in-process
     * @param simulatorLatency the fixed latency of an in-process simulator
     */
    public record Providers(
            List<ProviderSpec> configured,
            CapabilityTable capabilities,
            String simulatorUrl,
            Duration simulatorLatency) {
        public Providers {
            configured = List.copyOf(configured);
        }
    }

    public WorkerSettings {
        kafka = Map.copyOf(kafka);
        rateLimits = List.copyOf(rateLimits);
    }

    /**
     * The worker settings of a loaded config.
     *
     * @throws ConfigException when no provider is configured and the simulator was not asked for:
     *     where the answers come from is never a guess, or a missing config file would turn into fake
     *     SUCCEEDED answers for every downstream consumer
     */
    public static WorkerSettings from(HarborConfig c) {
        if (c.providers().isEmpty() && c.string(SIMULATOR_URL) == null && !c.bool(SIMULATOR_ENABLED)) {
            throw new ConfigException(List.of(NO_PROVIDER));
        }
        return new WorkerSettings(
                StageSettings.kafkaClients(c),
                new Streams(
                        c.string(APPLICATION_ID),
                        c.string(PROCESSING_GUARANTEE),
                        c.longValue(COMMIT_INTERVAL_MS),
                        c.intValue(STREAM_THREADS),
                        c.string(STATE_DIR)),
                StageSettings.topics(c),
                c.schemaRegistryUrl(),
                new Password(c.redisUrl()),
                new Http(
                        millis(c, HTTP_CONNECT_TIMEOUT_MS),
                        millis(c, HTTP_READ_TIMEOUT_MS),
                        millis(c, HTTP_WRITE_TIMEOUT_MS),
                        millis(c, HTTP_CALL_TIMEOUT_MS)),
                new Providers(
                        c.providers(),
                        c.capabilities(),
                        c.string(SIMULATOR_URL),
                        Duration.ofMillis(c.intValue(SIMULATOR_LATENCY_MS))),
                c.rateLimits(),
                c.doubleValue(RATELIMIT_LOCAL_SHARE),
                StageSettings.cache(c),
                c.budgets(),
                c.prices(),
                c.intValue(STRUCTURED_MAX_ATTEMPTS),
                StageSettings.dispatch(c),
                StageSettings.priority(c),
                c.doubleValue(DISPATCH_BATCH_SHARE),
                c.intValue(REQUEST_MAX_BYTES),
                c.longValue(DEDUPE_ID_RETENTION_MS),
                StageSettings.mode(c),
                new Metrics(
                        c.intValue(METRICS_PORT),
                        c.string(METRICS_BIND_ADDRESS),
                        c.metricsBearerToken() == null ? null : new Password(c.metricsBearerToken())),
                StageSettings.reporter(c));
    }

    private static Duration millis(HarborConfig c, String key) {
        return Duration.ofMillis(c.longValue(key));
    }

    /** The topology of the application reading {@code requestTopic}. */
    public TopologyFactory.Settings topology(String requestTopic) {
        return new TopologyFactory.Settings(
                List.of(requestTopic),
                topics.results(),
                topics.dlq(),
                topics.batchProgress(),
                requestMaxBytes,
                idRetentionMs,
                topics.replies(),
                topics.batchControl());
    }

    /** Whether anything but the rate limits uses Redis: the L2 cache or a budget. */
    public boolean cacheOrBudgetsUseRedis() {
        return cache.usesL2() || budgets.anyLimit();
    }

    /** Whether any provider has an RPM or TPM limit (shared through Redis). */
    public boolean rateLimited() {
        return rateLimits.stream().anyMatch(RateLimitSpec::limited);
    }

    /** Only the application id: the Kafka properties, URLs and token stay out of every log line. */
    @Override
    public String toString() {
        return "WorkerSettings[application-id=" + streams.applicationId() + "]";
    }

    /** {@code bootstrap.servers}, for the start-up line. */
    public String kafkaBootstrap() {
        return String.valueOf(kafka.get("bootstrap.servers"));
    }
}
