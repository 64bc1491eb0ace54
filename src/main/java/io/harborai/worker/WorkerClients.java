package io.harborai.worker;

import static io.harborai.worker.config.HarborConfigDef.*;

import io.harborai.worker.config.HarborConfig;
import io.harborai.worker.metrics.MeterBinding;
import io.harborai.worker.provider.ProviderSpec;
import io.harborai.worker.provider.dialect.Dialect;
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
