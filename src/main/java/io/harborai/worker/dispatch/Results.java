package io.harborai.worker.dispatch;

import io.harborai.worker.avro.CacheOutcome;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.ErrorInfo;
import io.harborai.worker.avro.ResultStatus;
import io.harborai.worker.avro.Timings;
import io.harborai.worker.provider.ErrorCode;
import io.harborai.worker.provider.ProviderOutcome;

/** The one place ChatResults are assembled, so every path fills the same fields the same way. */
public final class Results {
    private Results() {}

    /**
     * Where and how a request was tried.
     *
     * @param provider the provider of the last model tried, or null when none was routable
     * @param model the last model tried (the fallback that answered, on success), or null
     * @param attempts provider calls made, across every model
     * @param fallbackReason why earlier models were left, or null when the requested one served
     */
    public record Trail(String provider, String model, int attempts, String fallbackReason) {}

    /** A result carrying the provider's outcome, success or failure. */
    public static ChatResult of(ChatRequest req, Trail trail, ProviderOutcome outcome, long receivedAtMs, long nowMs) {
        if (outcome instanceof ProviderOutcome.Failure f) {
            return failed(req, trail, f.code(), f.message(), f.httpStatus(), receivedAtMs, nowMs, f.latencyMs());
        }
        ProviderOutcome.Success s = (ProviderOutcome.Success) outcome;
        return base(req, trail, receivedAtMs, nowMs, s.latencyMs())
                .setStatus(ResultStatus.SUCCEEDED)
                .setModelUsed(s.modelUsed() == null ? trail.model() : s.modelUsed())
                .setResponse(s.response())
                .setUsage(s.usage())
                .build();
    }

    /** A FAILED result decided by the worker (deadline, unknown model, breaker, exhausted retries). */
    public static ChatResult failed(
            ChatRequest req,
            Trail trail,
            ErrorCode code,
            String message,
            Integer httpStatus,
            long receivedAtMs,
            long nowMs) {
        return failed(req, trail, code, message, httpStatus, receivedAtMs, nowMs, 0);
    }

    private static ChatResult failed(
            ChatRequest req,
            Trail trail,
            ErrorCode code,
            String message,
            Integer httpStatus,
            long receivedAtMs,
            long nowMs,
            long providerMs) {
        return base(req, trail, receivedAtMs, nowMs, providerMs)
                .setStatus(ResultStatus.FAILED)
                .setModelUsed(trail.model())
                .setError(ErrorInfo.newBuilder()
                        .setCode(code.name())
                        .setMessage(message == null ? code.name() : message)
                        .setHttpStatus(httpStatus)
                        .setRetryable(code.retryable())
                        .build())
                .build();
    }

    private static ChatResult.Builder base(
            ChatRequest req, Trail trail, long receivedAtMs, long nowMs, long providerMs) {
        long total = Math.max(0, nowMs - receivedAtMs);
        return ChatResult.newBuilder()
                .setId(req.getId())
                .setTenant(req.getTenant())
                .setBatchId(req.getBatchId())
                .setCustomId(req.getCustomId())
                .setProvider(trail.provider())
                .setModelRequested(req.getModel())
                .setFallbackReason(trail.fallbackReason())
                .setAttempts(trail.attempts())
                .setCache(CacheOutcome.MISS)
                .setTimings(Timings.newBuilder()
                        .setQueueMs(Math.max(0, total - providerMs))
                        .setProviderMs(providerMs)
                        .setTotalMs(total)
                        .build())
                .setCompletedAtMs(nowMs);
    }
}
