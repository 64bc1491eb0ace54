package io.harborai.worker.topology;

import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.ResultStatus;
import io.harborai.worker.metrics.MetricsCatalog;
import io.harborai.worker.provider.ErrorCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The request-level meters of one traffic class ({@code online} or {@code batch}): requests taken,
 * DLQ records by reason, results by status and code, and the end-to-end latency of each result
 * (its {@code timings.total_ms}, cache hits included).
 *
 * <p>Every series whose tags are known up front is registered at construction (DLQ: every {@link
 * DlqReason}; results: SUCCEEDED/none and FAILED with every {@link ErrorCode}), so a scrape right
 * after start-up lists them at zero and {@code rate()} works from the first sample. Counters are
 * held in fields and maps, never looked up in the registry per record.
 *
 * <p>Thread-safe: shared by every stream thread of one Kafka Streams application; the maps are
 * filled at construction and only read afterwards, except for a result code outside {@link
 * ErrorCode}, which is added on first use (concurrent map), and the parked gauge (an atomic every
 * task of the application adds its parked records to).
 */
public final class TopologyMeters {
    /** The {@code code} tag of a result without an error. */
    public static final String NO_CODE = "none";

    private final MeterRegistry registry;
    private final String traffic;
    private final Counter requests;
    private final Counter duplicates;
    private final Timer latency;
    private final Counter parks;
    /** Records parked on disk by this application's tasks on this instance (see {@link ParkedRequests}). */
    private final AtomicLong parked = new AtomicLong();

    private final Map<DlqReason, Counter> dlq = new EnumMap<>(DlqReason.class);
    private final Map<ResultStatus, Map<String, Counter>> results = new EnumMap<>(ResultStatus.class);

    public TopologyMeters(MeterRegistry registry, String traffic) {
        this.registry = registry;
        this.traffic = traffic;
        this.requests = Counter.builder(MetricsCatalog.REQUESTS)
                .tag("traffic", traffic)
                .description("requests decoded and taken by the dispatch processor")
                .register(registry);
        this.duplicates = Counter.builder(MetricsCatalog.REQUEST_DUPLICATES)
                .tag("traffic", traffic)
                .description("re-sent request ids within dedupe.id-retention-ms (DLQ DUPLICATE_ID, no call, no result)")
                .register(registry);
        this.latency = Timer.builder(MetricsCatalog.REQUEST_LATENCY)
                .tag("traffic", traffic)
                .description("end-to-end time from the worker taking a request to its result")
                .register(registry);
        this.parks = Counter.builder(MetricsCatalog.PARKS)
                .tag("traffic", traffic)
                .description("records parked on disk instead of being held over the in-flight cap")
                .register(registry);
        Gauge.builder(MetricsCatalog.PARKED, parked, AtomicLong::get)
                .tag("traffic", traffic)
                .description("requests parked on disk, waiting for room under the in-flight cap")
                .register(registry);
        for (DlqReason r : DlqReason.values()) {
            dlq.put(
                    r,
                    Counter.builder(MetricsCatalog.DLQ_RECORDS)
                            .tag("reason", r.name())
                            .description("records sent to the dead-letter topic")
                            .register(registry));
        }
        for (ResultStatus s : ResultStatus.values()) {
            results.put(s, new ConcurrentHashMap<>());
        }
        result(ResultStatus.SUCCEEDED, NO_CODE);
        for (ErrorCode c : ErrorCode.values()) {
            result(ResultStatus.FAILED, c.name());
        }
    }

    /** {@code online} or {@code batch}. */
    public String traffic() {
        return traffic;
    }

    /** A request was taken by the dispatch processor. */
    void requestTaken() {
        requests.increment();
    }

    /** A request id was seen again within the id retention. */
    void duplicate() {
        duplicates.increment();
    }

    /** A record went to the DLQ. */
    void deadLettered(DlqReason reason) {
        dlq.get(reason).increment();
    }

    /** A record was parked on disk. */
    void parked() {
        parks.increment();
        parked.incrementAndGet();
    }

    /**
     * {@code delta} parked records appeared on this instance (a task found them at init, &gt; 0) or
     * left its memory of them (admitted, or the task closed, &lt; 0).
     */
    void parkedChanged(long delta) {
        parked.addAndGet(delta);
    }

    /** A result was forwarded to the results topic. */
    void resultWritten(ChatResult r) {
        String code = r.getError() == null ? NO_CODE : r.getError().getCode();
        result(r.getStatus(), code).increment();
        long totalMs = r.getTimings() == null ? 0 : r.getTimings().getTotalMs();
        latency.record(Math.max(0, totalMs), TimeUnit.MILLISECONDS);
    }

    private Counter result(ResultStatus status, String code) {
        return results.get(status)
                .computeIfAbsent(
                        code,
                        c -> Counter.builder(MetricsCatalog.RESULTS)
                                .tag("traffic", traffic)
                                .tag("status", status.name())
                                .tag("code", c)
                                .description("results written, by status and error code (none on success)")
                                .register(registry));
    }
}
