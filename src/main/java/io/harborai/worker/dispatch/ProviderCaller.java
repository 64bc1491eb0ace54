package io.harborai.worker.dispatch;

import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.provider.ProviderOutcome;
import io.harborai.worker.provider.ProviderRouter;
import java.util.concurrent.CompletableFuture;

/**
 * Starts one provider call without blocking. The seam between the engine and HTTP, so engine
 * tests complete calls by hand.
 *
 * <p>Contract: returns quickly on the calling (stream) thread; the future completes normally, on
 * any thread, with the classified outcome. A thrown exception counts as an INTERNAL failure.
 */
@FunctionalInterface
public interface ProviderCaller {
    CompletableFuture<ProviderOutcome> call(ProviderRouter.Route route, ChatRequest request, String model);

    /** Production: the route's OkHttp client ({@code enqueue}; sends {@code Idempotency-Key}). */
    static ProviderCaller http() {
        return (route, request, model) -> route.client().completeAsync(request, model);
    }
}
