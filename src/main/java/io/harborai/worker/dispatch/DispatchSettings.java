package io.harborai.worker.dispatch;

import java.util.List;

/**
 * The dispatch engine's settings ({@code dispatch.*}, {@code breaker.*}), built once by the config
 * package (see {@code HarborConfigDef} for each key's documentation, default and range). Immutable.
 *
 * @param timingBreakdown {@code metrics.mode: full}: results carry the timing breakdown and each step is
 *     traced (see {@link RequestTrace})
 * @param maxQueueMs default deadline of an online request (counted from when the worker took it)
 * @param batchCompletionWindowMs the same for a batch line: its completion window
 * @param handoverWaitMs how long a task that is closed waits for its calls in flight ({@link
 *     DispatchEngine#drainAndClose})
 * @param maxBlockMs longest one {@code process()} call waits for capacity; the config caps it at
 *     the longest provider call timeout, because a slot held by an in-flight call is freed within
 *     that time and waiting longer cannot help
 */
public record DispatchSettings(
        int maxInFlight,
        long maxInFlightBytes,
        int batchMaxCount,
        int batchMaxBytes,
        long lingerMs,
        long punctuateMs,
        long maxBlockMs,
        int maxAttempts,
        long backoffBaseMs,
        long backoffMaxMs,
        double retryBudgetRatio,
        List<String> defaultFallbackModels,
        long maxQueueMs,
        long batchCompletionWindowMs,
        int maxRedispatches,
        long handoverWaitMs,
        int concurrencyMin,
        int concurrencyInitial,
        int concurrencyMax,
        int breakerFailureRatePercent,
        int breakerWindowCalls,
        long breakerOpenMs,
        int breakerHalfOpenCalls,
        boolean timingBreakdown) {

    public DispatchSettings {
        defaultFallbackModels = List.copyOf(defaultFallbackModels);
        if (concurrencyMin > concurrencyMax) {
            throw new IllegalArgumentException(
                    "concurrencyMin (" + concurrencyMin + ") exceeds concurrencyMax (" + concurrencyMax + ")");
        }
        concurrencyInitial = Math.max(concurrencyMin, Math.min(concurrencyMax, concurrencyInitial));
    }
}
