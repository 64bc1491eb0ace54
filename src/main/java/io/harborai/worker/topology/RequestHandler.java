package io.harborai.worker.topology;

import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;

/**
 * Turns one valid request into its one result. Implementations never throw for a provider or
 * request problem: those are FAILED results with an error code.
 */
@FunctionalInterface
public interface RequestHandler {
    /**
     * @param receivedAtMs wall-clock time the worker took the record, for queue timing
     */
    ChatResult handle(ChatRequest request, long receivedAtMs);
}
