package io.harborai.worker.structured;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.Message;
import io.harborai.worker.avro.Params;
import io.harborai.worker.avro.ResponseFormat;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Structured output, valid by construction: checks an answer against the request's {@code
 * response_format} and builds the re-ask that continues the same conversation when it fails.
 *
 * <p>The loop, run by the caller: send the request; {@link #check} the answer; if not valid and
 * attempts remain, send {@link #reask} of the request just sent (so the conversation grows by two
 * messages per attempt and nothing is lost) and check again. A valid first answer costs one call.
 *
 * <p>{@code json_object} asks for any JSON object; {@code json_schema} (with schema text) asks for
 * a value valid against that schema. Adapting the <em>request</em> to what the provider supports
 * (native schema, JSON mode plus instruction, instruction only) is the provider layer's job.
 *
 * <p>Thread-safe: stateless apart from the shared {@link SchemaValidator}, itself thread-safe.
 */
public final class StructuredOutput {
    /** The error when the answer holds no JSON object or array. */
    public static final String NO_JSON = "no JSON value found in the answer";
    /** Errors listed in a re-ask, at most. */
    static final int MAX_REASK_ERRORS = 10;
    /** Characters per listed error, at most; longer ones are cut with an ellipsis. */
    static final int MAX_ERROR_CHARS = 300;

    private static final String JSON_OBJECT = "json_object";
    private static final String JSON_SCHEMA = "json_schema";

    private final SchemaValidator validator;

    /** Checks answers with {@code validator} (shared; it caches compiled schemas). */
    public StructuredOutput(SchemaValidator validator) {
        this.validator = Objects.requireNonNull(validator, "validator");
    }

    /** True when {@code r} asks for {@code json_object}, or for {@code json_schema} with a schema. */
    public static boolean wanted(ChatRequest r) {
        ResponseFormat rf = responseFormat(r);
        if (rf == null) {
            return false;
        }
        return JSON_OBJECT.equals(rf.getType()) || (JSON_SCHEMA.equals(rf.getType()) && schemaText(rf) != null);
    }

    /**
     * Checks the answer {@code content} of request {@code r}.
     *
     * <p>{@code json_object}: valid when a JSON object was extracted (an array is not an object).
     * {@code json_schema}: valid when a JSON value was extracted and the schema accepts it.
     *
     * @throws IllegalArgumentException if {@code r} does not want structured output ({@link
     *     #wanted}), or its schema is not a valid JSON Schema (a permanent failure of the request)
     */
    public Verdict check(ChatRequest r, String content) {
        if (!wanted(r)) {
            throw new IllegalArgumentException("request " + r.getId() + " does not ask for JSON output");
        }
        Optional<JsonNode> extracted = JsonExtractor.extract(content);
        if (extracted.isEmpty()) {
            return Verdict.invalid(null, List.of(NO_JSON));
        }
        JsonNode node = extracted.get();
        String json = compact(node);
        ResponseFormat rf = responseFormat(r);
        if (JSON_OBJECT.equals(rf.getType())) {
            return node.isObject()
                    ? Verdict.ok(json)
                    : Verdict.invalid(json, List.of("$: the answer is a JSON array; a JSON object is required"));
        }
        List<String> errors = validator.validateText(schemaText(rf), json);
        return errors.isEmpty() ? Verdict.ok(json) : Verdict.invalid(json, errors);
    }

    /**
     * The next request of the conversation: a copy of {@code current} (ids, params, cache and
     * scheduling fields, every message, earlier re-asks included) with exactly two messages
     * appended: the assistant's {@code previousAnswer}, verbatim, and a user message saying the
     * answer was not valid, listing the first {@value #MAX_REASK_ERRORS} {@code errors} (each cut
     * to {@value #MAX_ERROR_CHARS} characters), and asking for only the corrected JSON.
     * {@code current} is not modified.
     */
    public static ChatRequest reask(ChatRequest current, String previousAnswer, List<String> errors) {
        List<Message> messages = new ArrayList<>(current.getMessages());
        messages.add(Message.newBuilder()
                .setRole("assistant")
                .setContent(previousAnswer == null ? "" : previousAnswer)
                .build());
        messages.add(Message.newBuilder()
                .setRole("user")
                .setContent(instruction(errors))
                .build());
        return ChatRequest.newBuilder(current).setMessages(messages).build();
    }

    /** The user message of a re-ask. */
    static String instruction(List<String> errors) {
        StringBuilder sb =
                new StringBuilder(256).append("Your previous answer was not valid for the required JSON format.");
        List<String> listed = errors == null ? List.of() : errors;
        if (!listed.isEmpty()) {
            sb.append(" Errors:");
            for (String e : listed.subList(0, Math.min(listed.size(), MAX_REASK_ERRORS))) {
                sb.append("\n- ").append(cut(String.valueOf(e)));
            }
            if (listed.size() > MAX_REASK_ERRORS) {
                sb.append("\n- (and ").append(listed.size() - MAX_REASK_ERRORS).append(" more)");
            }
        }
        return sb.append("\nReply with only the corrected JSON, without any other text or code fences.")
                .toString();
    }

    private static String cut(String s) {
        String oneLine = s.replace('\n', ' ').replace('\r', ' ');
        if (oneLine.length() <= MAX_ERROR_CHARS) {
            return oneLine;
        }
        int end = MAX_ERROR_CHARS - 1;
        if (Character.isHighSurrogate(oneLine.charAt(end - 1))) {
            end--; // never split a surrogate pair
        }
        return oneLine.substring(0, end) + "…";
    }

    private static ResponseFormat responseFormat(ChatRequest r) {
        Params p = r.getParams();
        return p == null ? null : p.getResponseFormat();
    }

    private static String schemaText(ResponseFormat rf) {
        String s = rf.getJsonSchemaJson();
        return s == null || s.isBlank() ? null : s;
    }

    private static String compact(JsonNode node) {
        try {
            return JsonExtractor.MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e); // a JsonNode always serializes
        }
    }
}
