package io.harborai.worker.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harborai.worker.provider.OpenAiJson;
import java.io.IOException;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a chat-completions body asks the simulator to format, and the content that answers it.
 *
 * <p>A body asks for JSON when its {@code response_format} is {@code json_schema} or {@code
 * json_object}, or when a system or developer message holds a fenced {@code ```json} block with a
 * JSON Schema object (the worker's instruction for models without native json_schema). The schema
 * of a json_schema format wins over an instruction's. An instructed schema is answered as bare
 * JSON under {@code json_object} and otherwise as a sentence plus a fenced {@code ```json} block,
 * as chatty models do; json_object without any schema gets {@code {"answer": ...}}.
 *
 * <p>Values fill the schema from the subset type, properties, required, enum, const, items,
 * minItems, minimum, {@code $ref} (local) and anyOf/oneOf/allOf (first branch), so a valid answer
 * validates against the schema. An {@link Invalid} variant other than {@code NONE} spoils the
 * answer on purpose. Stateless and thread-safe.
 */
final class SimulatorStructured {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final int MAX_SCHEMA_DEPTH = 8;
    private static final Pattern FENCED_JSON = Pattern.compile("```json[ \\t]*\\r?\\n(.*?)```", Pattern.DOTALL);

    /** How a JSON answer is spoiled; rotated deterministically by the server. */
    enum Invalid {
        NONE,
        /** Prose with no JSON at all. */
        PROSE,
        /** Well-formed JSON that violates the schema (a required property missing, or a wrong type). */
        SCHEMA_VIOLATION,
        /** JSON cut short. */
        TRUNCATED;

        /** The n-th invalid answer's variant (n from 0): prose, violation, truncation, prose, ... */
        static Invalid rotation(long n) {
            return values()[1 + (int) Math.floorMod(n, 3L)];
        }
    }

    /** How the answer is laid out. */
    enum Mode {
        TEXT,
        /** Bare JSON: json_schema, json_object, or an instructed schema under json_object. */
        BARE_JSON,
        /** Prose plus a fenced block: an instructed schema without response_format. */
        FENCED_JSON
    }

    /**
     * What one body asks for.
     *
     * @param schema the JSON Schema to fill, or null for {@code {"answer": ...}} (or plain text)
     */
    record Request(Mode mode, JsonNode schema) {
        boolean asksForJson() {
            return mode != Mode.TEXT;
        }
    }

    private SimulatorStructured() {}

    /** Reads the response_format and the system/developer messages of a body. */
    static Request of(JsonNode body) {
        JsonNode rf = body.get("response_format");
        String type = rf == null || rf.isNull() ? "text" : rf.path("type").asText("text");
        if (type.equals("json_schema")) {
            JsonNode schema = rf.path("json_schema").get("schema");
            if (schema != null && schema.isObject()) {
                return new Request(Mode.BARE_JSON, schema);
            }
        }
        JsonNode instructed = instructedSchema(body.path("messages"));
        boolean jsonFormat = type.equals("json_object") || type.equals("json_schema");
        if (instructed != null) {
            return new Request(jsonFormat ? Mode.BARE_JSON : Mode.FENCED_JSON, instructed);
        }
        return jsonFormat ? new Request(Mode.BARE_JSON, null) : new Request(Mode.TEXT, null);
    }

    /** The first fenced JSON Schema object in a system or developer message, or null. */
    static JsonNode instructedSchema(JsonNode messages) {
        for (JsonNode m : messages) {
            String role = m.path("role").asText();
            if (!role.equals("system") && !role.equals("developer")) {
                continue;
            }
            Matcher fenced = FENCED_JSON.matcher(SimulatedCompletion.text(m.get("content")));
            while (fenced.find()) {
                try {
                    JsonNode schema = OpenAiJson.MAPPER.readTree(fenced.group(1));
                    if (schema != null && schema.isObject()) {
                        return schema;
                    }
                } catch (IOException notJson) {
                    // an example or prose in a fence; keep looking
                }
            }
        }
        return null;
    }

    /** The message content answering {@code request}, spoiled when {@code invalid} says so. */
    static String content(Request request, String answer, String hash, Invalid invalid) {
        if (!request.asksForJson()) {
            return answer;
        }
        if (invalid == Invalid.PROSE) {
            return "I'm sorry, I can't give that as JSON right now. In short: the simulated answer" + " is ready (ref "
                    + hash + ").";
        }
        JsonNode schema = request.schema();
        JsonNode value =
                schema == null ? NODES.objectNode().put("answer", answer) : fill(schema, schema, "value", hash, 0);
        String json;
        if (invalid == Invalid.SCHEMA_VIOLATION && schema != null && violate(schema, value) != null) {
            json = OpenAiJson.json(violate(schema, value));
        } else if (invalid != Invalid.NONE) {
            json = truncate(value);
        } else {
            json = OpenAiJson.json(value);
        }
        if (request.mode() == Mode.FENCED_JSON) {
            return "Sure! Here is the requested data as JSON:\n\n```json\n" + json + "\n```\n";
        }
        return json;
    }

    /**
     * {@code value} changed so that it breaks {@code schema}: the first required property removed,
     * else a value of another type than the declared one; null when neither applies.
     */
    private static JsonNode violate(JsonNode schema, JsonNode value) {
        JsonNode s = resolve(schema, schema, 0);
        JsonNode required = s.path("required");
        if (value.isObject() && required.isArray() && !required.isEmpty()) {
            ObjectNode copy = ((ObjectNode) value).deepCopy();
            copy.remove(required.get(0).asText());
            return copy;
        }
        JsonNode declared = s.get("type");
        if (declared != null && declared.isTextual()) {
            return declared.asText().equals("string")
                    ? NODES.numberNode(42)
                    : NODES.textNode("not a " + declared.asText());
        }
        return null;
    }

    /** Follows a local {@code $ref} and {@code allOf}'s first branch at the top of a schema. */
    private static JsonNode resolve(JsonNode schema, JsonNode root, int depth) {
        String ref = schema.path("$ref").asText("");
        if (ref.startsWith("#") && depth < MAX_SCHEMA_DEPTH) {
            JsonNode target = root.at(ref.substring(1));
            return target.isObject() ? resolve(target, root, depth + 1) : schema;
        }
        JsonNode allOf = schema.path("allOf");
        if (allOf.isArray() && !allOf.isEmpty() && allOf.get(0).isObject() && depth < MAX_SCHEMA_DEPTH) {
            return resolve(allOf.get(0), root, depth + 1);
        }
        return schema;
    }

    /** Unparseable JSON text: a proper prefix of a container, or a scalar in an unclosed object. */
    private static String truncate(JsonNode value) {
        String whole = OpenAiJson.json(value);
        if (value.isContainerNode()) {
            return whole.substring(0, Math.max(1, whole.length() / 2));
        }
        return "{\"value\": " + whole;
    }

    /** A value satisfying the common subset of JSON Schema listed in the class comment. */
    static JsonNode fill(JsonNode schema, JsonNode root, String name, String hash, int depth) {
        if (depth > MAX_SCHEMA_DEPTH) {
            return NODES.nullNode();
        }
        if (schema.has("const")) {
            return schema.get("const");
        }
        if (schema.path("enum").isArray() && !schema.get("enum").isEmpty()) {
            return schema.get("enum").get(0);
        }
        String ref = schema.path("$ref").asText("");
        if (ref.startsWith("#")) {
            JsonNode target = root.at(ref.substring(1));
            return target.isMissingNode() ? NODES.nullNode() : fill(target, root, name, hash, depth + 1);
        }
        for (String combinator : new String[] {"anyOf", "oneOf", "allOf"}) {
            if (schema.path(combinator).isArray() && !schema.get(combinator).isEmpty()) {
                return fill(schema.get(combinator).get(0), root, name, hash, depth + 1);
            }
        }
        switch (type(schema)) {
            case "object":
                ObjectNode obj = NODES.objectNode();
                JsonNode props = schema.path("properties");
                JsonNode required = schema.get("required");
                if (required != null && required.isArray()) {
                    for (JsonNode r : required) {
                        JsonNode p = props.path(r.asText());
                        JsonNode sub = p.isObject() ? p : NODES.objectNode();
                        obj.set(r.asText(), fill(sub, root, r.asText(), hash, depth + 1));
                    }
                } else {
                    for (Map.Entry<String, JsonNode> p : props.properties()) {
                        obj.set(p.getKey(), fill(p.getValue(), root, p.getKey(), hash, depth + 1));
                    }
                }
                return obj;
            case "array":
                ArrayNode arr = NODES.arrayNode();
                int n = Math.max(1, schema.path("minItems").asInt(1));
                JsonNode items = schema.path("items");
                for (int i = 0; i < n; i++) {
                    arr.add(fill(items.isObject() ? items : NODES.objectNode(), root, name, hash, depth + 1));
                }
                return arr;
            case "integer":
                return NODES.numberNode(Math.max(1, schema.path("minimum").asLong(1)));
            case "number":
                return NODES.numberNode(Math.max(1.0, schema.path("minimum").asDouble(1.0)));
            case "boolean":
                return NODES.booleanNode(true);
            case "null":
                return NODES.nullNode();
            default:
                return NODES.textNode("simulated " + name + " " + hash);
        }
    }

    private static String type(JsonNode schema) {
        JsonNode t = schema.get("type");
        if (t != null && t.isArray()) {
            for (JsonNode each : t) {
                if (!"null".equals(each.asText())) {
                    return each.asText();
                }
            }
            return "null";
        }
        if (t != null && t.isTextual()) {
            return t.asText();
        }
        if (schema.has("properties")) {
            return "object";
        }
        return schema.has("items") ? "array" : "string";
    }
}
