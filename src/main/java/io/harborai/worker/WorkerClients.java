package io.harborai.worker;

import io.harborai.worker.avro.BatchControl;
import io.harborai.worker.avro.BatchProgress;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.cache.CacheRuntime;
import io.harborai.worker.config.WorkerSettings;
import io.harborai.worker.dispatch.DispatchRuntime;
import io.harborai.worker.metrics.MeterBinding;
import io.harborai.worker.provider.Dialect;
import io.harborai.worker.provider.ProviderSpec;
import io.harborai.worker.schema.AvroSerde;
import io.harborai.worker.schema.SchemaRegistryClient;
import io.harborai.worker.topology.TopologyFactory;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clients {@link HarborWorker} builds from its {@link WorkerSettings}: the shared OkHttpClient,
 * the built-in simulator's provider spec, and the Kafka Streams applications and their properties.
 * Functions of the settings and the collaborators passed in; the caller owns what they return.
 */
final class WorkerClients {
    /** The worker's own logger: these lines belong to it. */
    private static final Logger log = LoggerFactory.getLogger(HarborWorker.class);

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

    /** Stops what {@link #sharedHttpClient} started: its dispatcher's threads and its idle connections. */
    static void release(OkHttpClient http) {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }

    /** The simulator at {@code url} as the provider of every model, with the default timeouts. */
    static ProviderSpec simulatorSpec(WorkerSettings.Http timeouts, String url) {
        return new ProviderSpec(
                "simulator",
                url.replaceAll("/+$", ""),
                null,
                List.of("*"),
                timeouts.connect(),
                timeouts.read(),
                timeouts.write(),
                timeouts.call(),
                Dialect.GENERIC,
                false,
                Duration.ZERO,
                null);
    }

    /**
     * One Kafka Streams application over {@code requestTopic}: online and batch traffic each get
     * their own (own stream threads, consumer group and in-flight budget), so a batch backlog never
     * holds up an online record. Not started.
     */
    static KafkaStreams streamsApp(
            WorkerSettings settings,
            SchemaRegistryClient registry,
            CacheRuntime cache,
            DispatchRuntime dispatch,
            String applicationId,
            String requestTopic) {
        Topology topology = TopologyFactory.build(
                settings.topology(requestTopic),
                new AvroSerde<>(registry, ChatRequest.class, true).deserializer(),
                new AvroSerde<>(registry, ChatResult.class, true),
                new AvroSerde<>(registry, BatchProgress.class, true),
                new AvroSerde<>(registry, BatchControl.class, true),
                dispatch,
                cache);
        Properties props = streamsProperties(settings);
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
                log.info(
                        "Kafka Streams {} RUNNING ({} ms after JVM start)",
                        applicationId,
                        java.lang.management.ManagementFactory.getRuntimeMXBean()
                                .getUptime());
            } else if (now == KafkaStreams.State.ERROR) {
                log.error("Kafka Streams {} entered ERROR (was {})", applicationId, before);
            }
        });
        return streams;
    }

    /** The properties of the online application; the batch one replaces the application id. */
    static Properties streamsProperties(WorkerSettings settings) {
        WorkerSettings.Streams streams = settings.streams();
        Properties p = new Properties();
        // No task idling: the topology joins nothing, so a task need not wait for all its input
        // partitions to have data. It is also cheaper: with idling on (the default, 0), Kafka Streams
        // 4.3 formats a log line for every empty input partition of a task on every record it
        // processes (PartitionGroup.readyToProcess): 11 % of the stream thread's samples in the
        // issue-14 profile. Users may still set it under kafka.*.
        p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, StreamsConfig.MAX_TASK_IDLE_MS_DISABLED);
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
