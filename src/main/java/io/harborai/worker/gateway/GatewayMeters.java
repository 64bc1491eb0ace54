package io.harborai.worker.gateway;

import io.harborai.worker.metrics.MetricsCatalog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The gateway's meters ({@code harbor.gateway.*} in the catalog). Thread-safe. */
final class GatewayMeters {
    private final MeterRegistry registry;
    private final AtomicInteger waiting = new AtomicInteger();
    private final ConcurrentHashMap<String, Counter> answered = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Timer> latency = new ConcurrentHashMap<>();
    private final Timer added;

    GatewayMeters(MeterRegistry registry) {
        this.registry = registry;
        registry.gauge(MetricsCatalog.GATEWAY_WAITING, waiting);
        added = Timer.builder(MetricsCatalog.GATEWAY_ADDED)
                .publishPercentileHistogram()
                .register(registry);
    }

    /** The gateway's own part of one answered chat completion. */
    void added(long nanos) {
        added.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** One answered HTTP request of {@code route}, with its status and duration. */
    void answered(String route, int status, long nanos) {
        answered.computeIfAbsent(
                        route + "|" + status,
                        k -> Counter.builder(MetricsCatalog.GATEWAY_REQUESTS)
                                .tag("route", route)
                                .tag("status", Integer.toString(status))
                                .register(registry))
                .increment();
        latency.computeIfAbsent(
                        route,
                        r -> Timer.builder(MetricsCatalog.GATEWAY_LATENCY)
                                .tag("route", r)
                                .publishPercentileHistogram()
                                .register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A request counted as waiting until closed. */
    interface Waiting extends AutoCloseable {
        @Override
        void close();
    }

    /** Counts a chat completion waiting for its result until the returned handle is closed. */
    Waiting waiting() {
        waiting.incrementAndGet();
        return waiting::decrementAndGet;
    }
}
