package io.harborai.worker.metrics;

import java.util.List;

/**
 * Every meter the worker registers: its name, type, unit, tags and meaning. Code that registers a
 * meter uses these constants; the README's metrics table, the Grafana dashboard and the test that
 * scrapes {@code /metrics} are checked against {@link #METERS}. Tags have low cardinality: {@code
 * traffic} is online|batch, {@code provider} and {@code model} are configured names, {@code code}
 * is an {@code ErrorCode} name or {@code none}, {@code reason} a {@code DlqReason}.
 *
 * <p>Also bound (their own names, not listed one by one): Kafka Streams client metrics ({@code
 * kafka.*}), JVM memory, GC, threads and class loading ({@code jvm.*}), process CPU and uptime
 * ({@code process.*}, {@code system.*}), and OkHttp calls ({@code okhttp.requests}).
 */
public final class MetricsCatalog {
    private MetricsCatalog() {}

    /** What kind of meter a name is. */
    public enum Type {
        COUNTER,
        GAUGE,
        TIMER
    }

    /**
     * One catalogued meter.
     *
     * @param unit base unit ({@code requests}, {@code bytes}, {@code seconds}, ...)
     * @param tags the tag keys it always carries
     */
    public record Meter(String name, Type type, String unit, List<String> tags, String description) {
        public Meter {
            tags = List.copyOf(tags);
        }
    }

    // Requests and results
    public static final String REQUESTS = "harbor.requests";
    // harbor gateway
    public static final String GATEWAY_REQUESTS = "harbor.gateway.requests";
    public static final String GATEWAY_LATENCY = "harbor.gateway.latency";
    public static final String GATEWAY_WAITING = "harbor.gateway.waiting";
    public static final String GATEWAY_ADDED = "harbor.gateway.added";
    public static final String REQUEST_DUPLICATES = "harbor.requests.duplicates";
    public static final String DLQ_RECORDS = "harbor.dlq.records";
    public static final String RESULTS = "harbor.results";
    public static final String REQUEST_LATENCY = "harbor.request.latency";
    // Providers
    public static final String PROVIDER_CALLS = "harbor.provider.calls";
    public static final String PROVIDER_CONCURRENCY_LIMIT = "harbor.provider.concurrency.limit";
    public static final String PROVIDER_CIRCUIT_OPEN = "harbor.provider.circuit.open";
    public static final String RATELIMIT_WAITS = "harbor.ratelimit.waits";
    // Dispatch engine
    public static final String IN_FLIGHT = "harbor.dispatch.in.flight";
    public static final String IN_FLIGHT_BYTES = "harbor.dispatch.in.flight.bytes";
    public static final String RETRIES = "harbor.dispatch.retries";
    public static final String FALLBACKS = "harbor.dispatch.fallbacks";
    public static final String REDISPATCHED = "harbor.dispatch.redispatched";
    public static final String LATE_COMPLETIONS = "harbor.dispatch.late.completions";
    public static final String PARKED = "harbor.dispatch.parked";
    public static final String PARKS = "harbor.dispatch.parks";
    public static final String BATCH_YIELD = "harbor.dispatch.batch.yield";
    public static final String BATCH_YIELDING = "harbor.dispatch.batch.yielding";
    // Cache
    public static final String CACHE_LOOKUPS = "harbor.cache.lookups";
    public static final String CACHE_STORES = "harbor.cache.stores";
    public static final String CACHE_COALESCED = "harbor.cache.coalesced";
    public static final String CACHE_L2_ERRORS = "harbor.cache.l2.errors";
    public static final String CACHE_L1_BYTES = "harbor.cache.l1.bytes";
    public static final String CACHE_L1_ENTRIES = "harbor.cache.l1.entries";
    public static final String CACHE_L2_AVAILABLE = "harbor.cache.l2.available";
    // Structured output, cost and budgets
    public static final String STRUCTURED_REASKS = "harbor.structured.reasks";
    public static final String STRUCTURED_FAILURES = "harbor.structured.failures";
    public static final String COST = "harbor.cost";
    public static final String BUDGET_REJECTIONS = "harbor.budget.rejections";
    public static final String BUDGET_UNCOUNTED = "harbor.budget.uncounted";
    public static final String BUDGET_ERRORS = "harbor.budget.errors";
    public static final String BUDGET_AVAILABLE = "harbor.budget.available";

    private static final List<String> TRAFFIC = List.of("traffic");
    private static final List<String> PROVIDER = List.of("provider");

    /** The worker's meters, served on its {@code /metrics}, in the order of the README's table. */
    public static final List<Meter> METERS = List.of(
            new Meter(
                    REQUESTS,
                    Type.COUNTER,
                    "requests",
                    TRAFFIC,
                    "requests decoded and taken by the dispatch processor"),
            new Meter(
                    REQUEST_DUPLICATES,
                    Type.COUNTER,
                    "requests",
                    TRAFFIC,
                    "re-sent request ids within dedupe.id-retention-ms (DLQ DUPLICATE_ID, no call, no result)"),
            new Meter(DLQ_RECORDS, Type.COUNTER, "records", List.of("reason"), "records sent to the dead-letter topic"),
            new Meter(
                    RESULTS,
                    Type.COUNTER,
                    "results",
                    List.of("traffic", "status", "code"),
                    "results written, by status and error code (none on success)"),
            new Meter(
                    REQUEST_LATENCY,
                    Type.TIMER,
                    "seconds",
                    TRAFFIC,
                    "end-to-end time from the worker taking a request to its result"),
            new Meter(
                    PROVIDER_CALLS,
                    Type.TIMER,
                    "seconds",
                    List.of("provider", "model", "outcome"),
                    "provider calls and their latency, by outcome (ok or the error code)"),
            new Meter(
                    PROVIDER_CONCURRENCY_LIMIT,
                    Type.GAUGE,
                    "calls",
                    PROVIDER,
                    "adaptive concurrency limit per provider"),
            new Meter(
                    PROVIDER_CIRCUIT_OPEN,
                    Type.GAUGE,
                    "boolean",
                    PROVIDER,
                    "1 while the provider's circuit breaker is open"),
            new Meter(
                    RATELIMIT_WAITS,
                    Type.COUNTER,
                    "waits",
                    PROVIDER,
                    "calls held back because the provider's RPM/TPM limit had no permit"),
            new Meter(
                    IN_FLIGHT,
                    Type.GAUGE,
                    "requests",
                    TRAFFIC,
                    "requests held in memory (queued, in flight, awaiting retry)"),
            new Meter(IN_FLIGHT_BYTES, Type.GAUGE, "bytes", TRAFFIC, "serialized size of the requests held in memory"),
            new Meter(RETRIES, Type.COUNTER, "retries", TRAFFIC, "retries scheduled after a retriable failure"),
            new Meter(FALLBACKS, Type.COUNTER, "requests", TRAFFIC, "requests moved to a fallback model"),
            new Meter(
                    REDISPATCHED,
                    Type.COUNTER,
                    "requests",
                    TRAFFIC,
                    "pending requests restored after a crash, restart or rebalance and dispatched again"),
            new Meter(
                    LATE_COMPLETIONS,
                    Type.COUNTER,
                    "calls",
                    TRAFFIC,
                    "completions dropped because their request was already answered"),
            new Meter(
                    PARKED,
                    Type.GAUGE,
                    "requests",
                    TRAFFIC,
                    "requests parked on disk, waiting for room under the in-flight cap"),
            new Meter(
                    PARKS,
                    Type.COUNTER,
                    "records",
                    TRAFFIC,
                    "records parked on disk instead of being held over the in-flight cap"),
            new Meter(
                    BATCH_YIELD,
                    Type.TIMER,
                    "seconds",
                    List.of(),
                    "batch traffic yielding to online work: each yield and how long it lasted (recorded when it ends)"),
            new Meter(BATCH_YIELDING, Type.GAUGE, "boolean", List.of(), "1 while batch traffic yields to online work"),
            new Meter(
                    CACHE_LOOKUPS,
                    Type.COUNTER,
                    "lookups",
                    List.of("tier", "result"),
                    "cache lookups per tier, hit or miss"),
            new Meter(CACHE_STORES, Type.COUNTER, "answers", List.of(), "answers stored in the cache"),
            new Meter(
                    CACHE_COALESCED,
                    Type.COUNTER,
                    "requests",
                    List.of(),
                    "requests answered by an identical request's call (single-flight)"),
            new Meter(CACHE_L2_ERRORS, Type.COUNTER, "errors", List.of(), "Redis L2 errors and timeouts"),
            new Meter(CACHE_L1_BYTES, Type.GAUGE, "bytes", List.of(), "bytes held by the in-process cache"),
            new Meter(CACHE_L1_ENTRIES, Type.GAUGE, "entries", List.of(), "entries held by the in-process cache"),
            new Meter(CACHE_L2_AVAILABLE, Type.GAUGE, "boolean", List.of(), "1 while Redis L2 answers"),
            new Meter(
                    STRUCTURED_REASKS,
                    Type.COUNTER,
                    "answers",
                    List.of(),
                    "structured-output answers that failed validation and were re-asked"),
            new Meter(
                    STRUCTURED_FAILURES,
                    Type.COUNTER,
                    "results",
                    List.of(),
                    "results FAILED with SCHEMA_VALIDATION after every attempt"),
            new Meter(
                    COST,
                    Type.COUNTER,
                    "currency units",
                    List.of("provider", "model", "currency"),
                    "provider cost from the price table"),
            new Meter(
                    BUDGET_REJECTIONS,
                    Type.COUNTER,
                    "requests",
                    List.of(),
                    "requests answered BUDGET_EXCEEDED without a provider call"),
            new Meter(
                    BUDGET_UNCOUNTED,
                    Type.COUNTER,
                    "currency units",
                    List.of(),
                    "spend in another currency than the budgets', not counted"),
            new Meter(BUDGET_ERRORS, Type.COUNTER, "errors", List.of(), "Redis errors of the budget store"),
            new Meter(BUDGET_AVAILABLE, Type.GAUGE, "boolean", List.of(), "1 while the budget store answers"));

    /** The meters of {@code harbor gateway}, served on the gateway's own {@code /metrics}. */
    public static final List<Meter> GATEWAY_METERS = List.of(
            new Meter(
                    GATEWAY_REQUESTS,
                    Type.COUNTER,
                    "requests",
                    List.of("route", "status"),
                    "HTTP requests answered by harbor gateway, by route and HTTP status"),
            new Meter(
                    GATEWAY_LATENCY,
                    Type.TIMER,
                    "seconds",
                    List.of("route"),
                    "harbor gateway: from an HTTP request to its answer, pipeline included"),
            new Meter(
                    GATEWAY_ADDED,
                    Type.TIMER,
                    "seconds",
                    List.of(),
                    "harbor gateway's own part of a chat completion: HTTP in to the request taken by Kafka, plus"
                            + " result in to HTTP answer written"),
            new Meter(
                    GATEWAY_WAITING,
                    Type.GAUGE,
                    "requests",
                    List.of(),
                    "harbor gateway: chat completions waiting for their results"));

    /** Every meter of the project: the worker's and the gateway's. */
    public static final List<Meter> ALL = java.util.stream.Stream.concat(METERS.stream(), GATEWAY_METERS.stream())
            .toList();
}
