package io.harborai.worker.dispatch;

import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.Cost;
import io.harborai.worker.avro.Usage;
import io.harborai.worker.provider.ErrorCode;
import io.harborai.worker.provider.ProviderOutcome;
import io.harborai.worker.provider.ProviderRouter;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/**
 * One request held by a {@link DispatchEngine}: where it is in its model chain, its attempts, and
 * the attempt generation that lets a late completion be recognised and dropped.
 *
 * <p>Owned by the stream thread of its task; OkHttp threads never see it (they only carry its id
 * and generation back in a completion).
 */
final class PendingEntry {
    /** The longest fallback reason a result carries. */
    static final int MAX_REASON_CHARS = 1_000;

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

    /**
     * @param defaultFallbacks the configured fallback models, tried after the request's own
     *     {@code fallback_models}
     */
    PendingEntry(
            ChatRequest request,
            long receivedAtMs,
            long deadlineMs,
            long bytes,
            long estimatedTokens,
            List<String> defaultFallbacks) {
        this.id = request.getId();
        this.request = request;
        this.current = request;
        this.receivedAtMs = receivedAtMs;
        this.deadlineMs = deadlineMs;
        this.bytes = bytes;
        this.estimatedTokens = estimatedTokens;
        LinkedHashSet<String> models = new LinkedHashSet<>();
        models.add(request.getModel());
        models.addAll(request.getFallbackModels());
        models.addAll(defaultFallbacks);
        this.chain = List.copyOf(models);
    }

    String model() {
        return chain.get(chainIndex);
    }

    String provider() {
        return route == null ? null : route.providerName();
    }

    /**
     * Points this request at the next model of its chain that {@code router} serves, with fresh
     * attempts, and adds {@code reason} to its fallback reason; false when no model is left.
     */
    boolean advance(ProviderRouter router, String reason) {
        for (int i = chainIndex + 1; i < chain.size(); i++) {
            Optional<ProviderRouter.Route> r = router.route(chain.get(i));
            if (r.isPresent()) {
                chainIndex = i;
                route = r.get();
                attemptsOnModel = 0;
                callsOnModel = 0;
                breakerCharged = false;
                String all = fallbackReason == null ? reason : fallbackReason + "; " + reason;
                fallbackReason = all.length() <= MAX_REASON_CHARS ? all : all.substring(0, MAX_REASON_CHARS) + "…";
                return true;
            }
        }
        return false;
    }

    /** Why the current model gave up, as one part of a fallback reason. */
    String failedWith(ErrorCode code, String message) {
        String on = provider() == null ? "" : " on '" + provider() + "'";
        return "model '" + model() + "'" + on + " failed with " + code + ": " + message;
    }

    /** Where the request is, for its result. */
    Results.Trail trail() {
        return new Results.Trail(provider(), route == null ? null : model(), totalAttempts, fallbackReason);
    }

    /** Its FAILED result, with where it got to. */
    ChatResult failed(ErrorCode code, String message, Integer httpStatus, long nowMs) {
        return Results.failed(request, trail(), code, message, httpStatus, receivedAtMs, nowMs);
    }
}
