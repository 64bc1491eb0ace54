package io.harborai.worker.dispatch;

import static io.harborai.worker.config.HarborConfigDef.*;

import io.harborai.worker.config.HarborConfig;
import io.harborai.worker.metrics.PerformanceMode;
import java.util.List;

/**
 * The dispatch engine's settings, read once from {@link HarborConfig} (see {@code HarborConfigDef}
 * for each key's documentation, default and range). Immutable.
 *
 * @param timingBreakdown {@code metrics.mode: full}: results carry the timing breakdown and each step is
 *     traced (see {@link RequestTrace})
 * @param maxQueueMs default deadline of an online request (counted from when the worker took it)
 * @param batchCompletionWindowMs the same for a batch line: its completion window
 * @param maxBlockMs longest one {@code process()} call waits for capacity; {@link #from} caps it at
 *     the longest provider call timeout, because a slot held by an in-flight call is freed within
 *     that time and waiting longer cannot help
 */
public record DispatchSettings(
    int maxInFlight, long maxInFlightBytes,
    int batchMaxCount, int batchMaxBytes, long lingerMs, long punctuateMs, long maxBlockMs,
    int maxAttempts, long backoffBaseMs, long backoffMaxMs, double retryBudgetRatio,
    List<String> defaultFallbackModels, long maxQueueMs, long batchCompletionWindowMs, int maxRedispatches,
    int concurrencyMin, int concurrencyInitial, int concurrencyMax,
    int breakerFailureRatePercent, int breakerWindowCalls, long breakerOpenMs, int breakerHalfOpenCalls,
    boolean timingBreakdown) {

    public DispatchSettings {
        defaultFallbackModels = List.copyOf(defaultFallbackModels);
        if (concurrencyMin > concurrencyMax) {
            throw new IllegalArgumentException(DISPATCH_CONCURRENCY_MIN + " (" + concurrencyMin + ") exceeds "
                + DISPATCH_CONCURRENCY_MAX + " (" + concurrencyMax + ")");
        }
        concurrencyInitial = Math.max(concurrencyMin, Math.min(concurrencyMax, concurrencyInitial));
    }

    /** Reads every {@code dispatch.*} and {@code breaker.*} key. */
    public static DispatchSettings from(HarborConfig c) {
        long longestCall = c.providers().stream().mapToLong(p -> p.callTimeout().toMillis()).max()
            .orElse(c.longValue(HTTP_CALL_TIMEOUT_MS));
        return new DispatchSettings(
            c.intValue(DISPATCH_MAX_IN_FLIGHT), c.longValue(DISPATCH_MAX_IN_FLIGHT_BYTES),
            c.intValue(DISPATCH_BATCH_MAX_COUNT), c.intValue(DISPATCH_BATCH_MAX_BYTES),
            c.longValue(DISPATCH_LINGER_MS), c.longValue(DISPATCH_PUNCTUATE_MS),
            Math.min(c.longValue(DISPATCH_MAX_BLOCK_MS), longestCall),
            c.intValue(DISPATCH_MAX_ATTEMPTS), c.longValue(DISPATCH_BACKOFF_BASE_MS),
            c.longValue(DISPATCH_BACKOFF_MAX_MS), c.doubleValue(DISPATCH_RETRY_BUDGET_RATIO),
            c.list(DISPATCH_DEFAULT_FALLBACK_MODELS), c.longValue(DISPATCH_MAX_QUEUE_MS),
            c.longValue(DISPATCH_BATCH_COMPLETION_WINDOW_MS),
            c.intValue(DISPATCH_MAX_REDISPATCHES),
            c.intValue(DISPATCH_CONCURRENCY_MIN), c.intValue(DISPATCH_CONCURRENCY_INITIAL),
            c.intValue(DISPATCH_CONCURRENCY_MAX),
            c.intValue(BREAKER_FAILURE_RATE_PERCENT), c.intValue(BREAKER_WINDOW_CALLS),
            c.longValue(BREAKER_OPEN_MS), c.intValue(BREAKER_HALF_OPEN_CALLS),
            PerformanceMode.of(c.string(METRICS_MODE)).timingBreakdown());
    }
}
