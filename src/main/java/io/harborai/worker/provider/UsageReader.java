package io.harborai.worker.provider;

import com.fasterxml.jackson.databind.JsonNode;
import io.harborai.worker.avro.Usage;

/**
 * Reads a chat-completion {@code usage} object into the Avro {@link Usage}.
 *
 * <p>Cached prompt tokens: DeepSeek reports {@code prompt_cache_hit_tokens} (and, in newer
 * responses, also OpenAI's {@code prompt_tokens_details.cached_tokens}); OpenAI, Ark and Qianfan
 * report {@code prompt_tokens_details.cached_tokens}. The dialect's own field is read first, the
 * other one is the fallback. Reasoning tokens come from {@code
 * completion_tokens_details.reasoning_tokens} for every dialect. Stateless and thread-safe.
 */
public final class UsageReader {
    private UsageReader() {}

    /** The usage, or {@code null} when {@code u} is absent or not an object. */
    public static Usage read(JsonNode u, Dialect dialect) {
        if (u == null || !u.isObject()) {
            return null;
        }
        int prompt = u.path("prompt_tokens").asInt(0);
        int completion = u.path("completion_tokens").asInt(0);
        JsonNode openAi = u.path("prompt_tokens_details").get("cached_tokens");
        JsonNode deepSeek = u.get("prompt_cache_hit_tokens");
        JsonNode cached = dialect == Dialect.DEEPSEEK ? first(deepSeek, openAi) : first(openAi, deepSeek);
        return Usage.newBuilder()
                .setPromptTokens(prompt)
                .setCompletionTokens(completion)
                .setTotalTokens(u.path("total_tokens").asInt(prompt + completion))
                .setCachedTokens(cached == null ? 0 : cached.asInt(0))
                .setReasoningTokens(u.path("completion_tokens_details")
                        .path("reasoning_tokens")
                        .asInt(0))
                .build();
    }

    private static JsonNode first(JsonNode a, JsonNode b) {
        return a != null && !a.isNull() ? a : b == null || b.isNull() ? null : b;
    }
}
