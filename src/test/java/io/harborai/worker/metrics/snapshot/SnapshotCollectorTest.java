package io.harborai.worker.metrics.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;
import static org.assertj.core.api.Assertions.withinPercentage;

import io.harborai.worker.avro.MetricEvent;
import io.harborai.worker.avro.ProviderStats;
import io.harborai.worker.metrics.MetricsCatalog;
import io.harborai.worker.testinfra.MutableClock;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.MemoryUsage;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SnapshotCollectorTest {

    private final MeterRegistry meters = new SimpleMeterRegistry();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final SnapshotCollector collector =
            new SnapshotCollector(meters, "w-1", "balanced", clock, () -> new MemoryUsage(0, 300, 1_000, 2_000));

    @Test
    void shouldReportCounterDeltasPerWindowNotTotals() {
        meters.counter(MetricsCatalog.REQUESTS, "traffic", "online").increment(7);
        meters.counter(MetricsCatalog.REQUESTS, "traffic", "batch").increment(3);
        succeeded("online", 8);
        failed("online", "TIMEOUT", 2);
        meters.counter(MetricsCatalog.DLQ_RECORDS, "reason", "DECODE").increment(4);
        lookups("l1", "hit", 5);
        lookups("l1", "miss", 5);
        lookups("l2", "hit", 2);
        lookups("l2", "miss", 3);
        meters.counter(MetricsCatalog.CACHE_COALESCED).increment(6);
        clock.advance(Duration.ofSeconds(2));

        MetricEvent first = collector.snapshot();

        assertThat(first.getInstance()).isEqualTo("w-1");
        assertThat(first.getMode()).isEqualTo("balanced");
        assertThat(first.getWindowEndMs() - first.getWindowStartMs()).isEqualTo(2_000);
        assertThat(first.getRequests()).isEqualTo(10);
        assertThat(first.getResultsSucceeded()).isEqualTo(8);
        assertThat(first.getResultsFailed()).isEqualTo(2);
        assertThat(first.getDlq()).isEqualTo(4);
        assertThat(first.getCacheHitsL1()).isEqualTo(5);
        assertThat(first.getCacheHitsL2()).isEqualTo(2);
        assertThat(first.getCacheLookups()).isEqualTo(10);
        assertThat(first.getCacheHitRate()).isCloseTo(0.7, offset(1e-9));
        assertThat(first.getCacheCoalesced()).isEqualTo(6);
        assertThat(first.getThroughputRps()).isCloseTo(5.0, offset(1e-9));
        assertThat(first.getErrorRate()).isCloseTo(0.2, offset(1e-9));
        assertThat(first.getCounters())
                .containsEntry("requests.online", 7L)
                .containsEntry("requests.batch", 3L)
                .containsEntry("failed.TIMEOUT", 2L)
                .containsEntry("dlq.DECODE", 4L);
        assertThat(first.getHeapUsedBytes()).isEqualTo(300);
        assertThat(first.getHeapMaxBytes()).isEqualTo(2_000);

        succeeded("online", 3);
        clock.advance(Duration.ofSeconds(1));
        MetricEvent second = collector.snapshot();

        assertThat(second.getWindowStartMs()).isEqualTo(first.getWindowEndMs());
        assertThat(second.getRequests()).isZero();
        assertThat(second.getResultsSucceeded()).isEqualTo(3);
        assertThat(second.getResultsFailed()).isZero();
        assertThat(second.getThroughputRps()).isCloseTo(3.0, offset(1e-9));
        assertThat(second.getErrorRate()).isZero();
        assertThat(second.getCacheLookups()).isZero();
        assertThat(second.getCacheHitRate()).isZero();
    }

    @Test
    void shouldLeaveCountsBeforeConstructionOutOfEveryWindow() {
        MeterRegistry early = new SimpleMeterRegistry();
        early.counter(MetricsCatalog.REQUESTS, "traffic", "online").increment(100);
        SnapshotCollector late = new SnapshotCollector(early, "w", "fast", clock);
        early.counter(MetricsCatalog.REQUESTS, "traffic", "online").increment(1);
        clock.advance(Duration.ofSeconds(1));

        assertThat(late.snapshot().getRequests()).isEqualTo(1);
    }

    @Test
    void shouldReportZeroRatesInAnEmptyWindow() {
        clock.advance(Duration.ofSeconds(5));

        MetricEvent e = collector.snapshot();

        assertThat(e.getThroughputRps()).isZero();
        assertThat(e.getErrorRate()).isZero();
        assertThat(e.getLatencyP95Ms()).isZero();
        assertThat(e.getConsumerLag()).isZero();
        assertThat(e.getProviders()).isEmpty();
    }

    @Test
    void shouldTakeLatencyPercentilesFromTheTimersWithResults() {
        Timer online = Timer.builder(MetricsCatalog.REQUEST_LATENCY)
                .tag("traffic", "online")
                .publishPercentiles(0.5, 0.95, 0.99)
                .register(meters);
        Timer batch = Timer.builder(MetricsCatalog.REQUEST_LATENCY)
                .tag("traffic", "batch")
                .publishPercentiles(0.5, 0.95, 0.99)
                .register(meters);
        for (int ms = 1; ms <= 100; ms++) {
            online.record(Duration.ofMillis(ms));
        }
        batch.record(Duration.ofMillis(10));
        clock.advance(Duration.ofSeconds(1));

        MetricEvent e = collector.snapshot();

        assertThat(e.getLatencyP50Ms()).isCloseTo(50, withinPercentage(5));
        assertThat(e.getLatencyP95Ms()).isCloseTo(95, withinPercentage(5));
        assertThat(e.getLatencyP99Ms()).isCloseTo(99, withinPercentage(5));
    }

    @Test
    void shouldEstimateWindowPercentilesFromHistogramBucketsInFastMode() {
        Timer t = Timer.builder(MetricsCatalog.REQUEST_LATENCY)
                .tag("traffic", "online")
                .serviceLevelObjectives(
                        Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(500))
                .register(meters);
        for (int i = 0; i < 10; i++) {
            t.record(Duration.ofMillis(5));
        }
        clock.advance(Duration.ofSeconds(1));
        MetricEvent first = collector.snapshot();
        assertThat(first.getLatencyP50Ms()).isCloseTo(5, offset(0.01)); // rank 5 of 10 in (0, 10]
        for (int i = 0; i < 90; i++) {
            t.record(Duration.ofMillis(20));
        }
        for (int i = 0; i < 10; i++) {
            t.record(Duration.ofMillis(200));
        }
        clock.advance(Duration.ofSeconds(1));

        MetricEvent second = collector.snapshot();

        // Only this window's 100 values: rank 50 lies in (10, 50] holding 90, rank 95 in (100, 500] holding 10.
        assertThat(second.getLatencyP50Ms()).isCloseTo(10 + 50.0 / 90 * 40, offset(0.01));
        assertThat(second.getLatencyP95Ms()).isCloseTo(100 + 5.0 / 10 * 400, offset(0.01));
        assertThat(second.getLatencyP99Ms()).isCloseTo(100 + 9.0 / 10 * 400, offset(0.01));
    }

    @Test
    void shouldBuildOneRowPerProviderAndModelWithErrorsAndCost() {
        Timer ok = providerTimer("openai", "gpt-x", "ok");
        Timer timeout = providerTimer("openai", "gpt-x", "TIMEOUT");
        Timer other = providerTimer("ark", "doubao", "ok");
        for (int i = 0; i < 8; i++) {
            ok.record(Duration.ofMillis(100));
        }
        timeout.record(Duration.ofMillis(900));
        timeout.record(Duration.ofMillis(900));
        other.record(Duration.ofMillis(30));
        meters.counter(MetricsCatalog.COST, "provider", "openai", "model", "gpt-x", "currency", "USD")
                .increment(0.25);
        meters.counter(MetricsCatalog.COST, "provider", "ark", "model", "doubao", "currency", "CNY")
                .increment(1.5);
        clock.advance(Duration.ofSeconds(1));

        MetricEvent e = collector.snapshot();

        assertThat(e.getProviderCalls()).isEqualTo(11);
        assertThat(e.getProviders())
                .extracting(ProviderStats::getProvider, ProviderStats::getModel)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("ark", "doubao"),
                        org.assertj.core.groups.Tuple.tuple("openai", "gpt-x"));
        ProviderStats ark = e.getProviders().get(0);
        assertThat(ark.getCalls()).isEqualTo(1);
        assertThat(ark.getErrors()).isZero();
        assertThat(ark.getCost()).isCloseTo(1.5, offset(1e-9));
        assertThat(ark.getCurrency()).isEqualTo("CNY");
        ProviderStats openai = e.getProviders().get(1);
        assertThat(openai.getCalls()).isEqualTo(10);
        assertThat(openai.getErrors()).isEqualTo(2);
        assertThat(openai.getCost()).isCloseTo(0.25, offset(1e-9));
        assertThat(openai.getCurrency()).isEqualTo("USD");
        assertThat(openai.getLatencyP50Ms()).as("largest among active outcomes").isCloseTo(900, withinPercentage(5));

        meters.counter(MetricsCatalog.COST, "provider", "openai", "model", "gpt-x", "currency", "USD")
                .increment(0.5);
        clock.advance(Duration.ofSeconds(1));
        ProviderStats next = collector.snapshot().getProviders().get(1);
        assertThat(next.getCalls()).isZero();
        assertThat(next.getCost()).isCloseTo(0.5, offset(1e-9));
        assertThat(next.getLatencyP99Ms()).as("no calls, no latency").isZero();
    }

    @Test
    void shouldReadGaugesAtTheEndOfTheWindow() {
        AtomicInteger online = new AtomicInteger(4);
        AtomicInteger batch = new AtomicInteger(6);
        Gauge.builder(MetricsCatalog.IN_FLIGHT, online, AtomicInteger::get)
                .tag("traffic", "online")
                .register(meters);
        Gauge.builder(MetricsCatalog.IN_FLIGHT, batch, AtomicInteger::get)
                .tag("traffic", "batch")
                .register(meters);
        Gauge.builder(MetricsCatalog.IN_FLIGHT_BYTES, online, n -> n.get() * 100.0)
                .tag("traffic", "online")
                .register(meters);
        AtomicInteger open = new AtomicInteger(1);
        Gauge.builder(MetricsCatalog.PROVIDER_CIRCUIT_OPEN, open, AtomicInteger::get)
                .tag("provider", "a")
                .register(meters);
        Gauge.builder(MetricsCatalog.PROVIDER_CIRCUIT_OPEN, () -> 0)
                .tag("provider", "b")
                .register(meters);
        Gauge.builder(ConsumerLag.RECORDS_LAG, () -> 40)
                .tags("client-id", "app-StreamThread-1-consumer", "topic", "req", "partition", "0")
                .register(meters);
        Gauge.builder(ConsumerLag.RECORDS_LAG, () -> 2)
                .tags("client-id", "app-StreamThread-1-consumer", "topic", "req", "partition", "1")
                .register(meters);
        Gauge.builder(ConsumerLag.RECORDS_LAG, () -> 999)
                .tags("client-id", "app-StreamThread-1-restore-consumer", "topic", "changelog", "partition", "0")
                .register(meters);
        clock.advance(Duration.ofSeconds(1));

        MetricEvent e = collector.snapshot();

        assertThat(e.getInFlight()).isEqualTo(10);
        assertThat(e.getInFlightBytes()).isEqualTo(400);
        assertThat(e.getCircuitsOpen()).isEqualTo(1);
        assertThat(e.getCounters()).containsEntry("circuits_open", 1L).containsEntry("cache_l1_entries", -1L);
        assertThat(e.getConsumerLag()).as("request partitions only").isEqualTo(42);
    }

    @Test
    void shouldFallBackToTheClientLagMaxWithoutPartitionGauges() {
        Gauge.builder(ConsumerLag.RECORDS_LAG_MAX, () -> 17)
                .tag("client-id", "c1")
                .register(meters);
        Gauge.builder(ConsumerLag.RECORDS_LAG_MAX, () -> Double.NaN)
                .tag("client-id", "c2")
                .register(meters);
        clock.advance(Duration.ofSeconds(1));

        assertThat(collector.snapshot().getConsumerLag()).isEqualTo(17);
    }

    private Timer providerTimer(String provider, String model, String outcome) {
        return Timer.builder(MetricsCatalog.PROVIDER_CALLS)
                .tags("provider", provider, "model", model, "outcome", outcome)
                .publishPercentiles(0.5, 0.95, 0.99)
                .register(meters);
    }

    private void succeeded(String traffic, int n) {
        meters.counter(MetricsCatalog.RESULTS, "traffic", traffic, "status", "SUCCEEDED", "code", "none")
                .increment(n);
    }

    private void failed(String traffic, String code, int n) {
        meters.counter(MetricsCatalog.RESULTS, "traffic", traffic, "status", "FAILED", "code", code)
                .increment(n);
    }

    private void lookups(String tier, String result, int n) {
        meters.counter(MetricsCatalog.CACHE_LOOKUPS, "tier", tier, "result", result)
                .increment(n);
    }
}
