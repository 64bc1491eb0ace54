package io.harborai.worker.provider;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.Message;
import io.harborai.worker.avro.Params;
import io.harborai.worker.avro.ResponseFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Mapping between OpenAI chat-completions JSON bodies and the Avro {@link ChatRequest}.
 *
 * <p>{@link #fromBody} keeps everything a body carries: known fields go to typed Avro fields,
 * JSON-valued ones (tools, content parts, logit_bias, ...) are stored as JSON text, and every other
 * top-level field goes to {@code params.extra_json}. Only {@code stream} and {@code
 * stream_options} are dropped: whether a call streams is the client's decision (provider config,
 * first-token timeout, stream-only models), never the caller's. Limits of the schema: unknown
 * keys <em>inside</em> a message and {@code response_format.json_schema.description} have no Avro
 * field and are not kept; {@code stop} given as a string comes back as a one-element array.
 *
 * <p>{@link #toBody} builds the provider request: typed fields win over extras with the same
 * name, and null fields are omitted. A JSON-text field that does not parse raises {@link
 * IllegalArgumentException} naming the field. Stateless and thread-safe.
 */
public final class OpenAiJson {
    /** Shared, immutable after construction; ObjectMapper is thread-safe for reads and writes. */
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Top-level fields with a typed home (or deliberately dropped); everything else is extra. */
    private static final Set<String> KNOWN = Set.of(
            "model",
            "messages",
            "temperature",
            "top_p",
            "max_tokens",
            "max_completion_tokens",
            "stop",
            "seed",
            "presence_penalty",
            "frequency_penalty",
            "n",
            "logprobs",
            "top_logprobs",
            "logit_bias",
            "user",
            "response_format",
            "tools",
            "tool_choice",
            "parallel_tool_calls",
            "reasoning_effort",
            "stream",
            "stream_options");

    private OpenAiJson() {}

    /**
     * Reads an OpenAI chat-completions request body. The caller sets {@code id}, {@code batch_id},
     * {@code custom_id} and anything else outside the body before {@code build()}.
     *
     * @throws IllegalArgumentException if the body is not an object, {@code model} or {@code
     *     messages} is missing or mistyped, or a known field has the wrong JSON type
     */
    public static ChatRequest.Builder fromBody(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new IllegalArgumentException("request body must be a JSON object");
        }
        JsonNode model = body.get("model");
        if (model == null || !model.isTextual() || model.asText().isBlank()) {
            throw new IllegalArgumentException("'model' is required and must be a non-empty string");
        }
        JsonNode messages = body.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw new IllegalArgumentException("'messages' is required and must be a non-empty array");
        }
        List<Message> out = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            out.add(message(messages.get(i), "messages[" + i + "]"));
        }
        return ChatRequest.newBuilder()
                .setModel(model.asText())
                .setMessages(out)
                .setParams(params(body));
    }

    private static Message message(JsonNode m, String where) {
        if (!m.isObject()) {
            throw new IllegalArgumentException("'" + where + "' must be an object");
        }
        String role = text(m, "role", where);
        if (role == null || role.isBlank()) {
            throw new IllegalArgumentException("'" + where + ".role' is required and must be a string");
        }
        Message.Builder b = Message.newBuilder().setRole(role);
        JsonNode content = m.get("content");
        if (content != null && !content.isNull()) {
            if (content.isTextual()) {
                b.setContent(content.asText());
            } else if (content.isArray()) {
                b.setContentPartsJson(json(content));
            } else {
                throw new IllegalArgumentException("'" + where + ".content' must be a string, an array or null");
            }
        }
        return b.setName(text(m, "name", where))
                .setToolCallId(text(m, "tool_call_id", where))
                .setToolCallsJson(jsonOf(m, "tool_calls", where, true))
                .setReasoningContent(text(m, "reasoning_content", where))
                .build();
    }

    private static Params params(JsonNode body) {
        Params.Builder p = Params.newBuilder()
                .setTemperature(dbl(body, "temperature"))
                .setTopP(dbl(body, "top_p"))
                .setMaxTokens(integer(body, "max_tokens"))
                .setMaxCompletionTokens(integer(body, "max_completion_tokens"))
                .setStop(stop(body.get("stop")))
                .setSeed(lng(body, "seed"))
                .setPresencePenalty(dbl(body, "presence_penalty"))
                .setFrequencyPenalty(dbl(body, "frequency_penalty"))
                .setN(integer(body, "n"))
                .setLogprobs(bool(body, "logprobs"))
                .setTopLogprobs(integer(body, "top_logprobs"))
                .setLogitBiasJson(jsonOf(body, "logit_bias", "", false))
                .setUser(text(body, "user", ""))
                .setResponseFormat(responseFormat(body.get("response_format")))
                .setToolsJson(jsonOf(body, "tools", "", true))
                .setToolChoiceJson(toolChoice(body.get("tool_choice")))
                .setParallelToolCalls(bool(body, "parallel_tool_calls"))
                .setReasoningEffort(text(body, "reasoning_effort", ""));
        ObjectNode extra = NODES.objectNode();
        for (Map.Entry<String, JsonNode> e : body.properties()) {
            if (!KNOWN.contains(e.getKey())) {
                extra.set(e.getKey(), e.getValue());
            }
        }
        return p.setExtraJson(extra.isEmpty() ? null : json(extra)).build();
    }

    private static List<String> stop(JsonNode stop) {
        List<String> out = new ArrayList<>();
        if (stop == null || stop.isNull()) {
            return out;
        }
        if (stop.isTextual()) {
            out.add(stop.asText());
            return out;
        }
        if (!stop.isArray()) {
            throw new IllegalArgumentException("'stop' must be a string or an array of strings");
        }
        for (JsonNode s : stop) {
            if (!s.isTextual()) {
                throw new IllegalArgumentException("'stop' must be a string or an array of strings");
            }
            out.add(s.asText());
        }
        return out;
    }

    private static ResponseFormat responseFormat(JsonNode rf) {
        if (rf == null || rf.isNull()) {
            return null;
        }
        if (!rf.isObject()) {
            throw new IllegalArgumentException("'response_format' must be an object");
        }
        String type = text(rf, "type", "response_format");
        if (type == null) {
            throw new IllegalArgumentException("'response_format.type' is required");
        }
        ResponseFormat.Builder b = ResponseFormat.newBuilder().setType(type);
        JsonNode js = rf.get("json_schema");
        if (js != null && !js.isNull()) {
            if (!js.isObject()) {
                throw new IllegalArgumentException("'response_format.json_schema' must be an object");
            }
            b.setJsonSchemaName(text(js, "name", "response_format.json_schema"))
                    .setJsonSchemaJson(jsonOf(js, "schema", "response_format.json_schema", false))
                    .setStrict(bool(js, "strict", "response_format.json_schema"));
        }
        return b.build();
    }

    private static String toolChoice(JsonNode tc) {
        if (tc == null || tc.isNull()) {
            return null;
        }
        if (!tc.isTextual() && !tc.isObject()) {
            throw new IllegalArgumentException("'tool_choice' must be a string or an object");
        }
        return json(tc);
    }

    /**
     * Builds the provider request body.
     *
     * @param modelOverride the model to send (a fallback or a provider alias), or {@code null} to
     *     send {@code req.model}
     * @throws IllegalArgumentException if a JSON-text field of {@code req} is not valid JSON
     */
    public static ObjectNode toBody(ChatRequest req, String modelOverride) {
        ObjectNode body = NODES.objectNode();
        body.put("model", modelOverride != null ? modelOverride : req.getModel());
        ArrayNode messages = body.putArray("messages");
        for (Message m : req.getMessages()) {
            ObjectNode o = messages.addObject();
            o.put("role", m.getRole());
            if (m.getContentPartsJson() != null) {
                o.set("content", parse(m.getContentPartsJson(), "content_parts_json"));
            } else if (m.getContent() != null) {
                o.put("content", m.getContent());
            }
            putIfSet(o, "name", m.getName());
            putIfSet(o, "tool_call_id", m.getToolCallId());
            setIfSet(o, "tool_calls", m.getToolCallsJson(), "tool_calls_json");
            putIfSet(o, "reasoning_content", m.getReasoningContent());
        }
        Params p = req.getParams();
        if (p != null) {
            writeParams(body, p);
        }
        return body;
    }

    private static void writeParams(ObjectNode body, Params p) {
        putIfSet(body, "temperature", p.getTemperature());
        putIfSet(body, "top_p", p.getTopP());
        putIfSet(body, "max_tokens", p.getMaxTokens());
        putIfSet(body, "max_completion_tokens", p.getMaxCompletionTokens());
        if (p.getStop() != null && !p.getStop().isEmpty()) {
            ArrayNode stop = body.putArray("stop");
            p.getStop().forEach(stop::add);
        }
        putIfSet(body, "seed", p.getSeed());
        putIfSet(body, "presence_penalty", p.getPresencePenalty());
        putIfSet(body, "frequency_penalty", p.getFrequencyPenalty());
        putIfSet(body, "n", p.getN());
        putIfSet(body, "logprobs", p.getLogprobs());
        putIfSet(body, "top_logprobs", p.getTopLogprobs());
        setIfSet(body, "logit_bias", p.getLogitBiasJson(), "logit_bias_json");
        putIfSet(body, "user", p.getUser());
        ResponseFormat rf = p.getResponseFormat();
        if (rf != null) {
            ObjectNode o = body.putObject("response_format").put("type", rf.getType());
            if (rf.getJsonSchemaName() != null || rf.getJsonSchemaJson() != null || rf.getStrict() != null) {
                ObjectNode js = o.putObject("json_schema");
                putIfSet(js, "name", rf.getJsonSchemaName());
                setIfSet(js, "schema", rf.getJsonSchemaJson(), "json_schema_json");
                putIfSet(js, "strict", rf.getStrict());
            }
        }
        setIfSet(body, "tools", p.getToolsJson(), "tools_json");
        setIfSet(body, "tool_choice", p.getToolChoiceJson(), "tool_choice_json");
        putIfSet(body, "parallel_tool_calls", p.getParallelToolCalls());
        putIfSet(body, "reasoning_effort", p.getReasoningEffort());
        if (p.getExtraJson() != null) {
            JsonNode extra = parse(p.getExtraJson(), "extra_json");
            if (!extra.isObject()) {
                throw new IllegalArgumentException("params.extra_json must be a JSON object");
            }
            for (Map.Entry<String, JsonNode> e : extra.properties()) {
                // Typed fields win, and we never ask for a stream we would not parse.
                String k = e.getKey();
                if (!body.has(k) && !k.equals("stream") && !k.equals("stream_options")) {
                    body.set(k, e.getValue());
                }
            }
        }
    }

    /** Parses JSON text held in an Avro field; the message names the field, not its content. */
    public static JsonNode parse(String jsonText, String field) {
        try {
            return MAPPER.readTree(jsonText);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(field + " is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /** Compact JSON text of a tree; the simulator writes its answers with it. */
    public static String json(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a JSON tree", e);
        }
    }

    // ---- typed readers: null/absent → null, wrong type → IllegalArgumentException ----

    private static <T> T scalar(
            JsonNode o, String f, String where, Predicate<JsonNode> ok, String kind, Function<JsonNode, T> get) {
        JsonNode v = o.get(f);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!ok.test(v)) {
            throw new IllegalArgumentException(path(where, f) + " must be " + kind);
        }
        return get.apply(v);
    }

    private static String text(JsonNode o, String f, String where) {
        return scalar(o, f, where, JsonNode::isTextual, "a string", JsonNode::asText);
    }

    private static String jsonOf(JsonNode o, String f, String where, boolean array) {
        return array
                ? scalar(o, f, where, JsonNode::isArray, "an array", OpenAiJson::json)
                : scalar(o, f, where, JsonNode::isObject, "an object", OpenAiJson::json);
    }

    private static Double dbl(JsonNode o, String f) {
        return scalar(o, f, "", JsonNode::isNumber, "a number", JsonNode::asDouble);
    }

    private static Integer integer(JsonNode o, String f) {
        return scalar(o, f, "", v -> v.isIntegralNumber() && v.canConvertToInt(), "an integer", JsonNode::intValue);
    }

    private static Long lng(JsonNode o, String f) {
        return scalar(o, f, "", v -> v.isIntegralNumber() && v.canConvertToLong(), "an integer", JsonNode::longValue);
    }

    private static Boolean bool(JsonNode o, String f) {
        return bool(o, f, "");
    }

    private static Boolean bool(JsonNode o, String f, String where) {
        return scalar(o, f, where, JsonNode::isBoolean, "a boolean", JsonNode::booleanValue);
    }

    /** The quoted JSON path used in messages, e.g. {@code 'messages[2].name'}. */
    private static String path(String where, String f) {
        return "'" + (where.isEmpty() ? f : where + "." + f) + "'";
    }

    private static void putIfSet(ObjectNode o, String f, Object v) {
        if (v instanceof String) {
            o.put(f, (String) v);
        } else if (v instanceof Double) {
            o.put(f, (Double) v);
        } else if (v instanceof Integer) {
            o.put(f, (Integer) v);
        } else if (v instanceof Long) {
            o.put(f, (Long) v);
        } else if (v instanceof Boolean) {
            o.put(f, (Boolean) v);
        }
    }

    private static void setIfSet(ObjectNode o, String f, String jsonText, String avroField) {
        if (jsonText != null) {
            o.set(f, parse(jsonText, avroField));
        }
    }
}
