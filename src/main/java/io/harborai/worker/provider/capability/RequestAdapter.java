package io.harborai.worker.provider.capability;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Fits an OpenAI chat-completions body (from {@code OpenAiJson.toBody}) to one model's {@link
 * ModelCapability}.
 *
 * <p>Every step is a pure function: it returns a new body and never changes its argument. {@link
 * #adapt} runs them all: remove unsupported parameters, normalize and clamp the output bound, strip
 * assistant {@code reasoning_content} where required, rename system messages, and degrade {@code
 * response_format} to what the model supports (adding a prompt instruction for what it cannot
 * enforce). Stateless and thread-safe.
 */
public final class RequestAdapter {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private RequestAdapter() {}

    /** All adaptations, in order. */
    public static ObjectNode adapt(ObjectNode body, ModelCapability cap) {
        ObjectNode b = removeUnsupported(body, cap);
        b = normalizeMaxTokens(b, cap);
        b = stripReasoningInput(b, cap);
        b = renameSystemRole(b, cap);
        return applyStructured(b, cap);
    }

    /** Removes the model's unsupported top-level keys. */
    public static ObjectNode removeUnsupported(ObjectNode body, ModelCapability cap) {
        ObjectNode b = body.deepCopy();
        cap.unsupportedParams().forEach(b::remove);
        return b;
    }

    /**
     * Moves the output bound to the model's parameter name ({@code max_tokens} ↔ {@code
     * max_completion_tokens}; when both are set the model's own one wins) and clamps it to {@code
     * maxOutputTokens} when known.
     */
    public static ObjectNode normalizeMaxTokens(ObjectNode body, ModelCapability cap) {
        ObjectNode b = body.deepCopy();
        String want = cap.maxTokensParam();
        String other = want.equals(ModelCapability.MAX_TOKENS)
                ? ModelCapability.MAX_COMPLETION_TOKENS
                : ModelCapability.MAX_TOKENS;
        JsonNode otherValue = b.remove(other);
        if (!b.hasNonNull(want) && otherValue != null && !otherValue.isNull()) {
            b.set(want, otherValue);
        }
        JsonNode v = b.get(want);
        int max = cap.maxOutputTokens();
        if (max > 0 && v != null && v.canConvertToLong() && v.asLong() > max) {
            b.put(want, max);
        }
        return b;
    }

    /** Removes {@code reasoning_content} from assistant input messages when the model requires it. */
    public static ObjectNode stripReasoningInput(ObjectNode body, ModelCapability cap) {
        ObjectNode b = body.deepCopy();
        if (cap.stripReasoningInput() && b.get("messages") instanceof ArrayNode messages) {
            for (JsonNode m : messages) {
                if (m instanceof ObjectNode o
                        && "assistant".equals(o.path("role").asText())) {
                    o.remove("reasoning_content");
                }
            }
        }
        return b;
    }

    /** Sends {@code system} messages with the model's system role (o-series: {@code developer}). */
    public static ObjectNode renameSystemRole(ObjectNode body, ModelCapability cap) {
        ObjectNode b = body.deepCopy();
        if (!"system".equals(cap.systemRole()) && b.get("messages") instanceof ArrayNode messages) {
            for (JsonNode m : messages) {
                if (m instanceof ObjectNode o && "system".equals(o.path("role").asText())) {
                    o.put("role", cap.systemRole());
                }
            }
        }
        return b;
    }

    /**
     * Degrades {@code response_format}: {@code json_schema} on a JSON_OBJECT model becomes {@code
     * json_object} plus a schema instruction; on a NONE model only the instruction remains; {@code
     * json_object} on a NONE model becomes an instruction to answer with a JSON object.
     */
    public static ObjectNode applyStructured(ObjectNode body, ModelCapability cap) {
        ObjectNode b = body.deepCopy();
        JsonNode rf = b.get("response_format");
        String type = rf == null ? null : rf.path("type").asText(null);
        if ("json_schema".equals(type) && cap.structured() != StructuredSupport.JSON_SCHEMA) {
            String instruction = schemaInstruction(rf.path("json_schema"));
            b.remove("response_format");
            if (cap.structured() == StructuredSupport.JSON_OBJECT) {
                b.putObject("response_format").put("type", "json_object");
            }
            addSystemInstruction(b, instruction, cap.systemRole());
        } else if ("json_object".equals(type) && cap.structured() == StructuredSupport.NONE) {
            b.remove("response_format");
            addSystemInstruction(b, JSON_OBJECT_INSTRUCTION, cap.systemRole());
        }
        return b;
    }

    static final String JSON_OBJECT_INSTRUCTION =
            "Answer with a single JSON object only: no prose before or after it and no code fences.";

    /** The instruction for a schema the provider will not enforce; the schema is in a json fence. */
    static String schemaInstruction(JsonNode jsonSchema) {
        JsonNode schema = jsonSchema.path("schema");
        String name = jsonSchema.path("name").asText("");
        String text;
        try {
            text = MAPPER.writeValueAsString(schema.isMissingNode() ? MAPPER.createObjectNode() : schema);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a JSON tree", e);
        }
        return "Answer with a single JSON value that matches the JSON Schema"
                + (name.isEmpty() ? "" : " \"" + name + "\"")
                + " below, and nothing else: no prose before or after it.\n"
                + "```json\n"
                + text
                + "\n```";
    }

    /**
     * Appends to the first message when it is a system (or developer) message with text content,
     * else prepends a new one with {@code role}.
     */
    static void addSystemInstruction(ObjectNode b, String instruction, String role) {
        ArrayNode messages = b.get("messages") instanceof ArrayNode a ? a : b.putArray("messages");
        JsonNode first = messages.isEmpty() ? null : messages.get(0);
        if (first instanceof ObjectNode o
                && isSystem(o.path("role").asText())
                && o.path("content").isTextual()) {
            o.put("content", o.get("content").asText() + "\n\n" + instruction);
            return;
        }
        ObjectNode sys = MAPPER.createObjectNode().put("role", role).put("content", instruction);
        messages.insert(0, sys);
    }

    private static boolean isSystem(String role) {
        return "system".equals(role) || "developer".equals(role);
    }
}
