package io.harborai.worker.dispatch;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.harborai.worker.metrics.MetricsCatalog;
import io.harborai.worker.provider.ErrorCode;
import io.harborai.worker.provider.ProviderOutcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The meters of one {@link ProviderLane}: the calls timer ({@code harbor.provider.calls}, tagged
 * provider, model and outcome), rate-limit waits, and the gauges of the lane's concurrency limit
 * and circuit state. Created with the lane, so the gauges exist from the lane's first moment.
 *
 * <p>Timers are cached per model tag in an array indexed by outcome ({@code ok}, then one slot per
 * {@link ErrorCode}), so a call costs a map lookup, not a registry lookup. The model tag is a
 * configured name ({@code ProviderRouter#configuredName}), so the cache is bounded by the config.
 *
 * <p>Thread-safe: stream threads count waits, OkHttp callback threads record calls; a racing first
 * use of a slot registers the same timer twice, which the registry answers with one instance.
 */
final class ProviderMeters {
    static final String OK = "ok";
    private static final ErrorCode[] CODES = ErrorCode.values();

    private final String provider;
    private final MeterRegistry registry;
    private final Counter rateLimitWaits;
    private final ConcurrentHashMap<String, Timer[]> calls = new ConcurrentHashMap<>();

    ProviderMeters(String provider, MeterRegistry registry) {
        this.provider = provider;
        this.registry = registry;
        this.rateLimitWaits = Counter.builder(MetricsCatalog.RATELIMIT_WAITS)
                .tag("provider", provider)
                .description("calls held back because the provider's RPM/TPM limit had no permit")
                .register(registry);
    }

    /** Registers the lane's gauges; the lane is held weakly, as Micrometer gauges do. */
    void bindLane(ProviderLane lane) {
        Gauge.builder(
                        MetricsCatalog.PROVIDER_CONCURRENCY_LIMIT,
                        lane,
                        l -> l.limit().limit())
                .tag("provider", provider)
                .description("adaptive concurrency limit per provider")
                .register(registry);
        Gauge.builder(MetricsCatalog.PROVIDER_CIRCUIT_OPEN, lane, l -> l.circuitOpen() ? 1 : 0)
                .tag("provider", provider)
                .description("1 while the provider's circuit breaker is open")
                .register(registry);
    }

    void rateLimitWait() {
        rateLimitWaits.increment();
    }

    /** Registers the {@code ok} series of {@code modelTag} ahead of its first call. */
    void declare(String modelTag) {
        timer(modelTag, 0);
    }

    /** Records one finished call of {@code modelTag} (a configured model name). */
    void record(String modelTag, ProviderOutcome outcome) {
        int slot = outcome instanceof ProviderOutcome.Failure f ? f.code().ordinal() + 1 : 0;
        timer(modelTag, slot).record(Math.max(0, outcome.latencyMs()), TimeUnit.MILLISECONDS);
    }

    private Timer timer(String modelTag, int slot) {
        Timer[] byOutcome = calls.computeIfAbsent(modelTag, m -> new Timer[CODES.length + 1]);
        Timer t = byOutcome[slot];
        if (t == null) {
            t = Timer.builder(MetricsCatalog.PROVIDER_CALLS)
                    .tag("provider", provider)
                    .tag("model", modelTag)
                    .tag("outcome", slot == 0 ? OK : CODES[slot - 1].name())
                    .description("provider calls and their latency, by outcome (ok or the error code)")
                    .register(registry);
            byOutcome[slot] = t;
        }
        return t;
    }

    static boolean open(CircuitBreaker.State state) {
        return state == CircuitBreaker.State.OPEN || state == CircuitBreaker.State.FORCED_OPEN;
    }
}
