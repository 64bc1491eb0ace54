package io.harborai.worker;

import io.harborai.worker.config.WorkerSettings;
import io.harborai.worker.metrics.MeterBinding;
import io.harborai.worker.provider.ProviderSpec;
import io.harborai.worker.provider.Dialect;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The client settings {@link HarborWorker} derives from its {@link WorkerSettings}: the shared
 * OkHttpClient, the built-in simulator's provider spec, and the Kafka Streams properties. Pure
 * functions of the settings (and the registry the HTTP client reports to).
 */
final class WorkerClients {
    /** Above the largest dispatch.concurrency-max a provider lane can reach (256 by default). */
    static final int MAX_REQUESTS_PER_HOST = 512;

    private WorkerClients() {}

    /**
     * One OkHttpClient per process; providers derive their own via newBuilder() and share its pools
     * and its metrics listener ({@code okhttp.requests}).
     */
    static OkHttpClient sharedHttpClient(WorkerSettings.Http timeouts, MeterRegistry meters) {
        Dispatcher dispatcher = new Dispatcher();
        dispatcher.setMaxRequests(1024);
        dispatcher.setMaxRequestsPerHost(MAX_REQUESTS_PER_HOST);
        return new OkHttpClient.Builder()
            .dispatcher(dispatcher)
            // Keep as many idle connections as calls can be in flight: a smaller pool closes the
            // surplus after every response and the next call pays a new TCP connection.
            .connectionPool(new ConnectionPool(MAX_REQUESTS_PER_HOST, 30, TimeUnit.SECONDS))
            .connectTimeout(timeouts.connect())
            .readTimeout(timeouts.read())
            .writeTimeout(timeouts.write())
            .callTimeout(timeouts.call())
            .eventListener(MeterBinding.okHttpListener(meters))
            .build();
    }

    /** The simulator at {@code url} as the provider of every model, with the default timeouts. */
    static ProviderSpec simulatorSpec(WorkerSettings.Http timeouts, String url) {
        return new ProviderSpec("simulator", url.replaceAll("/+$", ""), null, List.of("*"), timeouts.connect(),
            timeouts.read(), timeouts.write(), timeouts.call(), Dialect.GENERIC, false, Duration.ZERO);
    }

    /** The properties of the online application; the batch one replaces the application id. */
    static Properties streamsProperties(WorkerSettings settings) {
        WorkerSettings.Streams streams = settings.streams();
        Properties p = new Properties();
        p.putAll(settings.kafka());
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, streams.applicationId());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, streams.processingGuarantee());
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, streams.commitIntervalMs());
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, streams.threads());
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) settings.topics().replication());
        String stateDir = streams.stateDir();
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
}
