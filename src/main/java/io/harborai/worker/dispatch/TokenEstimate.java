package io.harborai.worker.dispatch;

import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.Message;

/**
 * The token count a request is admitted with by the rate limiter before its call: characters / 4
 * plus its completion bound (or {@link #DEFAULT_COMPLETION_TOKENS}). Cheap on purpose; the actual
 * usage corrects the limiter when the call returns. Stateless.
 */
final class TokenEstimate {
    /** Completion tokens assumed when the request sets no bound. */
    static final int DEFAULT_COMPLETION_TOKENS = 256;

    private TokenEstimate() {}

    static long of(ChatRequest r) {
        long chars = 0;
        for (Message m : r.getMessages()) {
            chars += m.getContent() == null ? 0 : m.getContent().length();
            chars += m.getContentPartsJson() == null
                    ? 0
                    : m.getContentPartsJson().length();
        }
        Integer max = r.getParams() == null
                ? null
                : r.getParams().getMaxTokens() != null
                        ? r.getParams().getMaxTokens()
                        : r.getParams().getMaxCompletionTokens();
        return chars / 4 + (max != null ? max : DEFAULT_COMPLETION_TOKENS);
    }
}
