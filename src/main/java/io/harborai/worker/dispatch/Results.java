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

    /** A result carrying the provider's outcome, success or failure. */
    public static ChatResult of(ChatRequest req, String provider, String model, ProviderOutcome outcome,
                                int attempts, long receivedAtMs, long nowMs) {
        if (outcome instanceof ProviderOutcome.Failure f) {
            return failed(req, provider, f.code(), f.message(), f.httpStatus(), receivedAtMs, attempts, nowMs,
                f.latencyMs());
        }
        ProviderOutcome.Success s = (ProviderOutcome.Success) outcome;
        return base(req, provider, receivedAtMs, nowMs, s.latencyMs())
            .setStatus(ResultStatus.SUCCEEDED)
            .setModelUsed(s.modelUsed() == null ? model : s.modelUsed())
            .setResponse(s.response())
            .setUsage(s.usage())
            .setAttempts(attempts)
            .build();
    }

    /** A FAILED result decided before or instead of a provider call. */
    public static ChatResult failed(ChatRequest req, String provider, ErrorCode code, String message,
                                    Integer httpStatus, long receivedAtMs, int attempts) {
        long now = System.currentTimeMillis();
        return failed(req, provider, code, message, httpStatus, receivedAtMs, attempts, now, 0);
    }

    private static ChatResult failed(ChatRequest req, String provider, ErrorCode code, String message,
                                     Integer httpStatus, long receivedAtMs, int attempts, long nowMs, long providerMs) {
        return base(req, provider, receivedAtMs, nowMs, providerMs)
            .setStatus(ResultStatus.FAILED)
            .setAttempts(attempts)
            .setError(ErrorInfo.newBuilder()
                .setCode(code.name())
                .setMessage(message == null ? code.name() : message)
                .setHttpStatus(httpStatus)
                .setRetryable(code.retryable())
                .build())
            .build();
    }

    private static ChatResult.Builder base(ChatRequest req, String provider, long receivedAtMs, long nowMs,
                                           long providerMs) {
        long total = Math.max(0, nowMs - receivedAtMs);
        return ChatResult.newBuilder()
            .setId(req.getId())
            .setTenant(req.getTenant())
            .setBatchId(req.getBatchId())
            .setCustomId(req.getCustomId())
            .setProvider(provider)
            .setModelRequested(req.getModel())
            .setCache(CacheOutcome.MISS)
            .setTimings(Timings.newBuilder()
                .setQueueMs(Math.max(0, total - providerMs))
                .setProviderMs(providerMs)
                .setTotalMs(total)
                .build())
            .setCompletedAtMs(nowMs);
    }
}
