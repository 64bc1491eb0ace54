package io.harborai.worker.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harborai.worker.provider.OpenAiJson;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The simulator's answer to one valid chat-completions body: deterministic (a function of the
 * canonical body, apart from {@code created} and a deliberately spoiled JSON answer), shaped as
 * the chosen {@link SimulatorDialect}, with a plausible token count. Structured answers come from
 * {@link SimulatorStructured}, the reasoning-model rule from {@link SimulatorReasoning}.
 * Stateless and thread-safe.
 */
final class SimulatedCompletion {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Sorted keys make the hash independent of the client's field order. */
    private static final ObjectMapper CANONICAL =
            new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private static final int PER_MESSAGE_TOKENS = 4;
    private static final int REPLY_PRIMING_TOKENS = 3;

    private SimulatedCompletion() {}

    /** Builds the OpenAI-dialect response body for a body that passed {@link OpenAiJson#fromBody}. */
    static ObjectNode respond(JsonNode body, long createdEpochSeconds) {
        return respond(body, createdEpochSeconds, SimulatorDialect.OPENAI, SimulatorStructured.Invalid.NONE);
    }

    /**
     * Builds the response body in {@code dialect}'s shape. A reasoning model (see {@link
     * SimulatorReasoning}) gets reasoning tokens in usage, and {@code reasoning_content} when the
     * dialect returns it. {@code stream} and {@code stream_options} do not enter the hash, so a
     * streamed answer has the same content as the non-streamed one.
     *
     * @param invalid how to spoil a JSON answer; {@code NONE} for a valid one
     */
    static ObjectNode respond(
            JsonNode body, long createdEpochSeconds, SimulatorDialect dialect, SimulatorStructured.Invalid invalid) {
        String hash = hash(withoutStreamKeys(body));
        String model = body.path("model").asText();
        JsonNode messages = body.path("messages");
        String prompt = firstCodePoints(lastUserText(messages), 80);
        String answer = "Simulated answer (" + model + ") to: " + prompt + " [#" + hash + "]";
        String content = SimulatorStructured.content(SimulatorStructured.of(body), answer, hash, invalid);
        String reasoning = SimulatorReasoning.isReasoningModel(model)
                ? SimulatorReasoning.reasoningText(model, prompt, hash)
                : null;
        int reasoningTokens = reasoning == null ? 0 : estimateTokens(reasoning);

        ObjectNode out = NODES.objectNode();
        out.put("id", dialect.completionId(hash));
        out.put("object", "chat.completion");
        out.put("created", createdEpochSeconds);
        out.put("model", model);
        ObjectNode choice = out.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message =
                choice.putObject("message").put("role", "assistant").put("content", content);
        if (reasoning != null && dialect.returnsReasoningContent()) {
            message.put("reasoning_content", reasoning);
        }
        choice.putNull("logprobs");
        choice.put("finish_reason", "stop");
        int promptTokens = promptTokens(messages);
        // Reasoning tokens are billed as completion tokens by every provider imitated here.
        int completionTokens = estimateTokens(content) + reasoningTokens;
        ObjectNode usage = out.putObject("usage");
        usage.put("prompt_tokens", promptTokens);
        usage.put("completion_tokens", completionTokens);
        usage.put("total_tokens", promptTokens + completionTokens);
        dialect.decorate(out, promptTokens, reasoningTokens);
        return out;
    }

    private static JsonNode withoutStreamKeys(JsonNode body) {
        if (!body.has("stream") && !body.has("stream_options")) {
            return body;
        }
        ObjectNode copy = ((ObjectNode) body).deepCopy();
        copy.remove("stream");
        copy.remove("stream_options");
        return copy;
    }

    /** An OpenAI-shaped error body. */
    static ObjectNode error(String message, String type) {
        return error(message, type, null);
    }

    /** An OpenAI-shaped error body with an error code ({@code rate_limit_exceeded}, ...). */
    static ObjectNode error(String message, String type, String code) {
        ObjectNode out = NODES.objectNode();
        ObjectNode error =
                out.putObject("error").put("message", message).put("type", type).putNull("param");
        if (code == null) {
            error.putNull("code");
        } else {
            error.put("code", code);
        }
        return out;
    }

    /**
     * Rough tokenizer: one token per CJK character (Han, kana, Hangul), one per four other
     * characters. Close enough to cl100k/DeepSeek counts for load and cost tests.
     */
    static int estimateTokens(String text) {
        int cjk = 0;
        int other = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            Character.UnicodeScript s = Character.UnicodeScript.of(cp);
            if (s == Character.UnicodeScript.HAN
                    || s == Character.UnicodeScript.HIRAGANA
                    || s == Character.UnicodeScript.KATAKANA
                    || s == Character.UnicodeScript.HANGUL) {
                cjk++;
            } else {
                other++;
            }
        }
        return cjk + (other + 3) / 4;
    }

    static int promptTokens(JsonNode messages) {
        int tokens = REPLY_PRIMING_TOKENS;
        for (JsonNode m : messages) {
            tokens += PER_MESSAGE_TOKENS + estimateTokens(text(m.get("content")));
        }
        return tokens;
    }

    private static String lastUserText(JsonNode messages) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            JsonNode m = messages.get(i);
            if ("user".equals(m.path("role").asText())) {
                return text(m.get("content"));
            }
        }
        return "(no user message)";
    }

    /** Text of string content, or the concatenated text parts of array content. */
    static String text(JsonNode content) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode part : content) {
            if (part.path("text").isTextual()) {
                sb.append(part.get("text").asText());
            }
        }
        return sb.toString();
    }

    private static String firstCodePoints(String s, int n) {
        int count = s.codePointCount(0, s.length());
        return count <= n ? s : s.substring(0, s.offsetByCodePoints(0, n));
    }

    /** First 12 hex digits of SHA-256 over the body with keys sorted at every level. */
    static String hash(JsonNode body) {
        try {
            Object plain = CANONICAL.treeToValue(body, Object.class);
            byte[] canonical = CANONICAL.writeValueAsBytes(plain);
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical);
            return HexFormat.of().formatHex(digest, 0, 6);
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot hash a parsed JSON body", e);
        }
    }

    static byte[] utf8(JsonNode node) {
        return OpenAiJson.json(node).getBytes(StandardCharsets.UTF_8);
    }
}
