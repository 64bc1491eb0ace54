package io.harborai.worker.dispatch;

import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.provider.ErrorCode;
import io.harborai.worker.provider.ProviderOutcome;
import io.harborai.worker.provider.ProviderRouter;
import io.harborai.worker.topology.RequestHandler;
import java.time.Clock;
import java.util.Optional;

/**
 * The walking skeleton's dispatcher: routes the model to its provider and makes one synchronous
 * call on the calling (stream) thread. Unknown models and passed deadlines are answered without a
 * call. Thread-safe: it holds no mutable state; the router and clients are thread-safe.
 */
public final class SyncDispatcher implements RequestHandler {
    private final ProviderRouter router;
    private final Clock clock;

    public SyncDispatcher(ProviderRouter router, Clock clock) {
        this.router = router;
        this.clock = clock;
    }

    @Override
    public ChatResult handle(ChatRequest request, long receivedAtMs) {
        String model = request.getModel();
        if (request.getDeadlineMs() != null && clock.millis() >= request.getDeadlineMs()) {
            return Results.failed(request, null, ErrorCode.DEADLINE_EXCEEDED,
                "deadline passed before dispatch", null, receivedAtMs, 0);
        }
        Optional<ProviderRouter.Route> route = router.route(model);
        if (route.isEmpty()) {
            return Results.failed(request, null, ErrorCode.UNKNOWN_MODEL,
                "no configured provider serves model '" + model + "'", null, receivedAtMs, 0);
        }
        ProviderRouter.Route r = route.get();
        ProviderOutcome outcome = r.client().complete(request, model);
        return Results.of(request, r.providerName(), model, outcome, 1, receivedAtMs, clock.millis());
    }
}
