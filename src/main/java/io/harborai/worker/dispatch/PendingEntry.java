package io.harborai.worker.dispatch;

import io.harborai.worker.avro.ChatRequest;
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
    enum State { READY, IN_FLIGHT, WAITING }

    final String id;
    final ChatRequest request;
    final long receivedAtMs;
    final long deadlineMs;
    final long bytes;
    final long estimatedTokens;
    final List<String> chain;

    int chainIndex;
    ProviderRouter.Route route;
    int attemptsOnModel;
    int totalAttempts;
    long generation;
    State state = State.READY;
    long readySinceMs;
    long dueAtMs;
    ProviderOutcome.Failure lastFailure;
    String fallbackReason;

    PendingEntry(ChatRequest request, long receivedAtMs, long deadlineMs, long bytes, long estimatedTokens,
                 List<String> chain) {
        this.id = request.getId();
        this.request = request;
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
