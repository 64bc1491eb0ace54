package io.harborai.worker.cache;

import io.harborai.worker.avro.CacheOutcome;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.Timings;

/**
 * Turns an answer produced for one request into the result of another: the answer's content,
 * usage, model and provider are kept; identity (id, tenant, batch, custom id, model requested),
 * cache outcome, attempts and timings are the receiving request's own.
 *
 * <p>A served answer made no provider call for its receiver, so it carries no cost and zero
 * attempts; the call's cost stays on the one result that paid for it.
 */
public final class CachedResults {
    private CachedResults() {}

    /** The result of {@code request} answered from a cache tier (L1 or L2). */
    public static ChatResult fromCache(
            ChatRequest request, ChatResult answer, CacheOutcome tier, long receivedAtMs, long nowMs) {
        return forRequest(request, answer, tier, 0, receivedAtMs, nowMs);
    }

    /**
     * The result of {@code waiter}, which waited for the call made for another identical request:
     * the same status, answer or error, outcome COALESCED. The shared call's duration counts as the
     * waiter's provider time, so worker-added latency is measured the same way for both.
     */
    public static ChatResult coalesced(ChatRequest waiter, ChatResult leaderResult, long receivedAtMs, long nowMs) {
        long providerMs = leaderResult.getTimings() == null
                ? 0
                : leaderResult.getTimings().getProviderMs();
        return forRequest(waiter, leaderResult, CacheOutcome.COALESCED, providerMs, receivedAtMs, nowMs);
    }

    private static ChatResult forRequest(
            ChatRequest request,
            ChatResult source,
            CacheOutcome outcome,
            long providerMs,
            long receivedAtMs,
            long nowMs) {
        long total = Math.max(0, nowMs - receivedAtMs);
        return ChatResult.newBuilder(source)
                .setId(request.getId())
                .setTenant(request.getTenant())
                .setBatchId(request.getBatchId())
                .setCustomId(request.getCustomId())
                .setModelRequested(request.getModel())
                .setCache(outcome)
                .setAttempts(0)
                .setCost(null)
                .setTimings(Timings.newBuilder()
                        .setQueueMs(Math.max(0, total - providerMs))
                        .setProviderMs(providerMs)
                        .setTotalMs(total)
                        .build())
                .setCompletedAtMs(nowMs)
                .build();
    }
}
