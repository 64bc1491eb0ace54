package io.harborai.worker.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.okhttp3.OkHttpMetricsEventListener;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import okhttp3.EventListener;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The third-party meters of one worker, bound to its registry: JVM memory, GC, threads and class
 * loading, process CPU and uptime ({@link #bind}), each Kafka Streams application's client
 * metrics ({@link #bindStreams}) and the shared OkHttpClient's calls ({@link #okHttpListener}).
 * {@link #close()} unbinds what holds resources (the GC notification listener, the Kafka metric
 * refresh), so a closed worker leaves no thread or listener behind.
 *
 * <p>Not thread-safe: bound and closed by the thread that starts and closes the worker.
 */
public final class MeterBinding implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MeterBinding.class);
    /** The OkHttp timer's name (Micrometer's default); Prometheus: {@code okhttp_requests_seconds}. */
    public static final String OKHTTP_REQUESTS = "okhttp.requests";

    private final MeterRegistry registry;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    private MeterBinding(MeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * A Prometheus registry recording in {@code mode}: the mode's filter is added before anything
     * is registered, as Micrometer applies filters only at registration.
     */
    public static PrometheusMeterRegistry newRegistry(PerformanceMode mode) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().meterFilter(mode.filter());
        return registry;
    }

    /** Binds the JVM and process meters to {@code registry}. */
    public static MeterBinding bind(MeterRegistry registry) {
        MeterBinding b = new MeterBinding(registry);
        new JvmMemoryMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        b.closeables.add(gc);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        return b;
    }

    /** Binds {@code streams}' client metrics ({@code kafka.*}); unbound again by {@link #close()}. */
    public void bindStreams(KafkaStreams streams) {
        KafkaStreamsMetrics metrics = new KafkaStreamsMetrics(streams);
        metrics.bindTo(registry);
        closeables.add(metrics);
    }

    /**
     * The listener timing every call of the shared OkHttpClient ({@value #OKHTTP_REQUESTS}). The
     * {@code uri} tag is the target host (a provider's or the schema registry's), never the path:
     * registry paths carry schema ids, and the host is what tells providers apart.
     */
    public static EventListener okHttpListener(MeterRegistry registry) {
        return OkHttpMetricsEventListener.builder(registry, OKHTTP_REQUESTS)
                .uriMapper(request -> request.url().host())
                .build();
    }

    @Override
    public void close() {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception e) {
                log.warn("Failed to unbind {}", closeables.get(i).getClass().getSimpleName(), e);
            }
        }
        closeables.clear();
    }
}
