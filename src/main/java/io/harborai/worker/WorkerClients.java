package io.harborai.worker;

import static io.harborai.worker.config.HarborConfigDef.*;

import io.harborai.worker.config.ConfigException;
import io.harborai.worker.config.HarborConfig;
import io.harborai.worker.metrics.MeterBinding;
import io.harborai.worker.provider.ProviderSpec;
import io.harborai.worker.provider.Dialect;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The client settings {@link HarborWorker} derives from its configuration: the shared OkHttpClient,
 * the built-in simulator's provider spec, and the Kafka Streams and admin properties. Pure
 * functions of the config (and the registry the HTTP client reports to).
 */
final class WorkerClients {
    /** Above the largest dispatch.concurrency-max a provider lane can reach (256 by default). */
    static final int MAX_REQUESTS_PER_HOST = 512;

    private WorkerClients() {}

    /**
     * One OkHttpClient per process; providers derive their own via newBuilder() and share its pools
     * and its metrics listener ({@code okhttp.requests}).
     */
    static OkHttpClient sharedHttpClient(HarborConfig config, MeterRegistry meters) {
        Dispatcher dispatcher = new Dispatcher();
        dispatcher.setMaxRequests(1024);
        dispatcher.setMaxRequestsPerHost(MAX_REQUESTS_PER_HOST);
        return new OkHttpClient.Builder()
            .dispatcher(dispatcher)
            // Keep as many idle connections as calls can be in flight: a smaller pool closes the
            // surplus after every response and the next call pays a new TCP connection.
            .connectionPool(new ConnectionPool(MAX_REQUESTS_PER_HOST, 30, TimeUnit.SECONDS))
            .connectTimeout(Duration.ofMillis(config.longValue(HTTP_CONNECT_TIMEOUT_MS)))
            .readTimeout(Duration.ofMillis(config.longValue(HTTP_READ_TIMEOUT_MS)))
            .writeTimeout(Duration.ofMillis(config.longValue(HTTP_WRITE_TIMEOUT_MS)))
            .callTimeout(Duration.ofMillis(config.longValue(HTTP_CALL_TIMEOUT_MS)))
            .eventListener(MeterBinding.okHttpListener(meters))
            .build();
    }

    /**
     * Where the answers come from is never a guess: with no provider configured, the simulator must
     * have been asked for ({@code simulator.enabled}, {@code harbor run --simulator}, or {@code
     * simulator.url} / {@code HARBOR_SIMULATOR_URL}); otherwise a missing config file would turn into
     * fake SUCCEEDED answers for every downstream consumer.
     */
    static void requireProviderOrSimulator(HarborConfig config) {
        if (config.providers().isEmpty() && config.string(SIMULATOR_URL) == null && !config.bool(SIMULATOR_ENABLED)) {
            throw new ConfigException(List.of(NO_PROVIDER));
        }
    }

    /** The one start-up error of a worker with no provider and no simulator asked for. */
    public static final String NO_PROVIDER = "providers: no provider is configured, so there is nothing to send "
        + "requests to. Configure one in the config file (--config FILE), e.g. providers.openai.base-url, "
        + "providers.openai.models and providers.openai.api-key-env (see README, Providers); or ask for simulated "
        + "answers on purpose with `harbor run --simulator`, simulator.enabled: true or HARBOR_SIMULATOR_URL.";

    static ProviderSpec simulatorSpec(HarborConfig config, String url) {
        return new ProviderSpec("simulator", url.replaceAll("/+$", ""), null, List.of("*"),
            Duration.ofMillis(config.longValue(HTTP_CONNECT_TIMEOUT_MS)),
            Duration.ofMillis(config.longValue(HTTP_READ_TIMEOUT_MS)),
            Duration.ofMillis(config.longValue(HTTP_WRITE_TIMEOUT_MS)),
            Duration.ofMillis(config.longValue(HTTP_CALL_TIMEOUT_MS)), Dialect.GENERIC, false, Duration.ZERO);
    }

    static Properties streamsProperties(HarborConfig config) {
        Properties p = new Properties();
        p.putAll(config.kafka());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.string(APPLICATION_ID));
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, config.string(PROCESSING_GUARANTEE));
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.longValue(COMMIT_INTERVAL_MS));
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.intValue(STREAM_THREADS));
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) config.shortValue(TOPICS_REPLICATION));
        String stateDir = config.string(STATE_DIR);
        if (stateDir == null) {
            try {
                stateDir = Files.createTempDirectory("harbor-streams-").toString();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
        return p;
    }

    static Map<String, Object> adminProperties(HarborConfig config) {
        Map<String, Object> p = new java.util.HashMap<>(config.kafka());
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
        return p;
    }
}
