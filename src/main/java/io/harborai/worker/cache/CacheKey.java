package io.harborai.worker.cache;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import com.fasterxml.jackson.databind.util.RawValue;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.Message;
import io.harborai.worker.avro.Params;
import io.harborai.worker.avro.ResponseFormat;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The response-cache key of a {@link ChatRequest}: SHA-256 (64 lower-case hex chars) over a
 * canonical JSON form of every field that can change the model's answer.
 *
 * <p><b>Included</b>: {@code model}, every field of every message in order, every {@code params}
 * field except {@code user} (including all of {@code response_format}), a version tag {@code "v"}
 * so the scheme can change later, and, only with tenant isolation, the tenant ({@code null} as
 * {@code ""}) under its own field {@code "tenant"}. Including a field the provider then ignores
 * (say {@code content} next to {@code content_parts_json}) costs a missed hit, never a wrong answer.
 *
 * <p><b>Excluded</b>, because they do not change the answer:
 * <ul>
 *   <li>{@code id}, {@code batch_id}, {@code custom_id}: who asked and how to route the result,
 *       not what was asked;
 *   <li>{@code cache}: how to use the cache, not what to answer; {@code NO_CACHE} must hit the
 *       same key so that it can refresh the entry;
 *   <li>{@code priority}, {@code deadline_ms}, {@code created_at_ms}: scheduling only;
 *   <li>{@code metadata}: the caller's labels, never sent to the provider;
 *   <li>{@code params.user}: an end-user id for the provider's abuse monitoring, not an input to
 *       the answer; users of one tenant share entries (tenant isolation keeps tenants apart);
 *   <li>{@code fallback_models}: a <em>choice</em>. The key names the request, while the answer
 *       comes from the first model of the chain that answers. So an answer a fallback produced
 *       while the primary was down can be served to a request that names the same primary with
 *       a different chain, or none. Keying on the chain instead would split the cache per chain.
 * </ul>
 *
 * <p><b>Canonical JSON</b>: keys sorted at every level, no whitespace, all non-ASCII escaped (so
 * the hashed bytes are ASCII and a lone surrogate cannot collapse into {@code '?'}). Null fields
 * are omitted, so null and any value differ; an empty {@code stop} counts as absent. Numbers are
 * written from {@link BigDecimal#stripTrailingZeros()}: {@code 1}, {@code 1.0}, {@code 1e0} all
 * become {@code 1}, {@code -0.0} becomes {@code 0}, integers are written without exponent (up
 * to {@value #MAX_PLAIN_DIGITS} digits, so {@code 1e999999999} stays short). Fields holding JSON
 * text are parsed (floats as BigDecimal, trailing tokens rejected) and embedded canonicalised;
 * key order and whitespace inside them never matter, {@code null} inside them does. Text that
 * is not JSON is embedded verbatim as a string under {@code <field>_unparsed}, so it neither
 * throws nor collides with a valid JSON string holding the same characters.
 *
 * <p>Stateless and thread-safe: shared Jackson objects, one {@link MessageDigest} per thread.
 */
public final class CacheKey {
    /** Bump when the canonical form changes: old entries then simply stop matching. */
    private static final int VERSION = 1;
    /** Integers with more digits are written in exponent form. */
    private static final int MAX_PLAIN_DIGITS = 1000;

    private static final String UNPARSED = "_unparsed";

    private static final JsonFactory FACTORY =
            JsonFactory.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();
    private static final ObjectMapper MAPPER = JsonMapper.builder(FACTORY)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final HexFormat HEX = HexFormat.of();
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    });

    private CacheKey() {}

    /**
     * SHA-256 (lower-case hex, 64 chars) over the canonical JSON of the answer-changing fields;
     * tenant mixed in only when tenantIsolation.
     */
    public static String of(ChatRequest request, boolean tenantIsolation) {
        byte[] canonical = canonicalJson(request, tenantIsolation).getBytes(StandardCharsets.UTF_8);
        return HEX.formatHex(SHA256.get().digest(canonical));
    }

    /** The canonical JSON text that is hashed (for tests and debugging; never logged by the worker). */
    static String canonicalJson(ChatRequest request, boolean tenantIsolation) {
        ObjectNode root = NODES.objectNode();
        root.put("v", VERSION);
        put(root, "model", request.getModel());
        ArrayNode messages = root.putArray("messages");
        for (Message m : request.getMessages()) {
            ObjectNode o = messages.addObject();
            put(o, "role", m.getRole());
            put(o, "content", m.getContent());
            json(o, "content_parts_json", m.getContentPartsJson());
            put(o, "name", m.getName());
            put(o, "tool_call_id", m.getToolCallId());
            json(o, "tool_calls_json", m.getToolCallsJson());
            put(o, "reasoning_content", m.getReasoningContent());
        }
        if (request.getParams() != null) {
            root.set("params", params(request.getParams()));
        }
        if (tenantIsolation) {
            root.put("tenant", Objects.requireNonNullElse(request.getTenant(), ""));
        }
        return write(root);
    }

    private static ObjectNode params(Params p) {
        ObjectNode o = NODES.objectNode();
        put(o, "temperature", p.getTemperature());
        put(o, "top_p", p.getTopP());
        put(o, "max_tokens", p.getMaxTokens());
        put(o, "max_completion_tokens", p.getMaxCompletionTokens());
        if (p.getStop() != null && !p.getStop().isEmpty()) {
            p.getStop().forEach(o.putArray("stop")::add);
        }
        put(o, "seed", p.getSeed());
        put(o, "presence_penalty", p.getPresencePenalty());
        put(o, "frequency_penalty", p.getFrequencyPenalty());
        put(o, "n", p.getN());
        put(o, "logprobs", p.getLogprobs());
        put(o, "top_logprobs", p.getTopLogprobs());
        json(o, "logit_bias_json", p.getLogitBiasJson());
        // user: excluded, see the class javadoc.
        ResponseFormat rf = p.getResponseFormat();
        if (rf != null) {
            ObjectNode f = o.putObject("response_format");
            put(f, "type", rf.getType());
            put(f, "json_schema_name", rf.getJsonSchemaName());
            json(f, "json_schema_json", rf.getJsonSchemaJson());
            put(f, "strict", rf.getStrict());
        }
        json(o, "tools_json", p.getToolsJson());
        json(o, "tool_choice_json", p.getToolChoiceJson());
        put(o, "parallel_tool_calls", p.getParallelToolCalls());
        put(o, "reasoning_effort", p.getReasoningEffort());
        json(o, "extra_json", p.getExtraJson());
        return o;
    }

    /** Adds a scalar unless null; doubles as BigDecimal, or as text for NaN/infinity (Avro only). */
    private static void put(ObjectNode o, String name, Object value) {
        if (value instanceof String s) {
            o.put(name, s);
        } else if (value instanceof Boolean b) {
            o.put(name, b);
        } else if (value instanceof Double d) {
            if (Double.isFinite(d)) {
                o.put(name, BigDecimal.valueOf(d));
            } else {
                o.put(name, d.toString());
            }
        } else if (value instanceof Number n) { // Integer, Long
            o.put(name, n.longValue());
        }
    }

    /** Embeds JSON text canonicalised; anything that fails (not JSON, limits) goes in verbatim. */
    private static void json(ObjectNode o, String name, String jsonText) {
        if (jsonText == null) {
            return;
        }
        try {
            JsonNode parsed = MAPPER.readTree(jsonText);
            if (!parsed.isMissingNode()) { // blank text parses as "missing"
                o.putRawValue(name, new RawValue(write(parsed)));
                return;
            }
        } catch (IOException | RuntimeException e) {
            // Never throw for a bad field: fall through and key on the text itself.
        }
        o.put(name + UNPARSED, jsonText);
    }

    private static String write(JsonNode node) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator gen = FACTORY.createGenerator(out)) {
            write(gen, node);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail; limits are caught by json()
        }
        return out.toString();
    }

    private static void write(JsonGenerator gen, JsonNode node) throws IOException {
        switch (node.getNodeType()) {
            case OBJECT -> {
                List<Map.Entry<String, JsonNode>> fields = new ArrayList<>(node.properties());
                fields.sort(Map.Entry.comparingByKey());
                gen.writeStartObject();
                for (Map.Entry<String, JsonNode> f : fields) {
                    gen.writeFieldName(f.getKey());
                    write(gen, f.getValue());
                }
                gen.writeEndObject();
            }
            case ARRAY -> {
                gen.writeStartArray();
                for (JsonNode element : node) {
                    write(gen, element);
                }
                gen.writeEndArray();
            }
            case NUMBER -> gen.writeNumber(number(node));
            case STRING -> gen.writeString(node.textValue());
            case BOOLEAN -> gen.writeBoolean(node.booleanValue());
            case POJO ->
                gen.writeRawValue(
                        ((RawValue) ((POJONode) node).getPojo()).rawValue().toString());
            default -> gen.writeNull(); // NULL; MISSING and BINARY do not occur
        }
    }

    /** One spelling per numeric value; the three forms cannot collide (digits / '.' or "E-" / "E+"). */
    private static String number(JsonNode n) {
        if (n.isInt() || n.isLong() || n.isShort()) {
            return Long.toString(n.longValue());
        }
        // Every zero (0.000, -0.0, 0e5) strips to BigDecimal.ZERO, "0": BigDecimal has no -0.
        BigDecimal d = n.decimalValue().stripTrailingZeros();
        return d.scale() <= 0 && d.precision() - d.scale() <= MAX_PLAIN_DIGITS ? d.toPlainString() : d.toString();
    }
}
