package io.harborai.worker.jmh;

import io.harborai.worker.metrics.MeterBinding;
import io.harborai.worker.metrics.MetricsCatalog;
import io.harborai.worker.metrics.PerformanceMode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one result costs the worker in meters, per {@code metrics.mode}: the end-to-end latency
 * timer, the provider-call timer and the results counter, recorded as the worker records them for
 * every request, on the Prometheus registry with the mode's filter. Run with {@code bin/jmh
 * MetricsModeBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MetricsModeBenchmark {
    @Param({"FAST", "BALANCED", "FULL"})
    PerformanceMode mode;

    private Timer latency;
    private Timer providerCalls;
    private Counter results;
    private final SplittableRandom random = new SplittableRandom(7);

    @Setup
    public void setUp() {
        PrometheusMeterRegistry registry = MeterBinding.newRegistry(mode);
        latency = Timer.builder(MetricsCatalog.REQUEST_LATENCY)
                .tag("traffic", "online")
                .register(registry);
        providerCalls = Timer.builder(MetricsCatalog.PROVIDER_CALLS)
                .tags("provider", "p", "model", "m", "outcome", "ok")
                .register(registry);
        results = Counter.builder(MetricsCatalog.RESULTS)
                .tags("traffic", "online", "status", "SUCCEEDED", "code", "none")
                .register(registry);
    }

    @Benchmark
    public void recordOneResult() {
        long ms = 5 + random.nextInt(2_000);
        latency.record(ms, TimeUnit.MILLISECONDS);
        providerCalls.record(ms - 3, TimeUnit.MILLISECONDS);
        results.increment();
    }
}
