package io.harborai.worker.dispatch;

import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.Cost;
import io.harborai.worker.avro.Usage;
import io.harborai.worker.provider.ProviderOutcome;
import io.harborai.worker.provider.ProviderRouter;
import java.util.List;

/**
 * One request held by a {@link DispatchEngine}: where it is in its model chain, its attempts, and
 * the attempt generation that lets a late completion be recognised and dropped.
 *
 * <p>Owned by the stream thread of its task; OkHttp threads never see it (they only carry its id
 * and generation back in a completion).
 */
final class PendingEntry {
    enum State {
        READY,
        IN_FLIGHT,
        WAITING
    }

    final String id;
    final ChatRequest request;
    final long receivedAtMs;
    final long deadlineMs;
    final long bytes;
    final long estimatedTokens;
    final List<String> chain;

    int chainIndex;
    ProviderRouter.Route route;
    /**
     * Calls on the current model that count against {@code dispatch.max-attempts}: a call whose
     * failure was provider-wide ({@link FailureScope}) is given back.
     */
    int attemptsOnModel;
    /** Every call started on the current model; the next one is a retry (retry budget) when > 0. */
    int callsOnModel;
    /** A fault of this request on the current model is recorded in its lane's breaker already. */
    boolean breakerCharged;

    int totalAttempts;
    long generation;
    State state = State.READY;
    long readySinceMs;
    long dueAtMs;
    ProviderOutcome.Failure lastFailure;
    String fallbackReason;
    /** What is sent: the request, plus the re-ask turns of a structured-output request. */
    ChatRequest current;
    /** Answers checked against the request's structured-output format so far. */
    int answers;
    /** Sums over every successful call made for this request; null until the first. */
    Usage usage;

    Cost cost;
    /** When the engine took it (after the cache lookups), for the full-mode timing breakdown. */
    long submittedAtMs;
    /** Backoff waited before retries, summed. */
    long retryWaitMs;
    /** Each call's latency, in order; only kept in full mode (else null). */
    List<Long> attemptMs;

    PendingEntry(
            ChatRequest request,
            long receivedAtMs,
            long deadlineMs,
            long bytes,
            long estimatedTokens,
            List<String> chain) {
        this.id = request.getId();
        this.request = request;
        this.current = request;
        this.receivedAtMs = receivedAtMs;
        this.deadlineMs = deadlineMs;
        this.bytes = bytes;
        this.estimatedTokens = estimatedTokens;
        this.chain = chain;
    }

    String model() {
        return chain.get(chainIndex);
    }

    String provider() {
        return route == null ? null : route.providerName();
    }
}
