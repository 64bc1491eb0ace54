package io.harborai.worker.cache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harborai.worker.avro.CacheControl;
import io.harborai.worker.avro.CacheMode;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.Message;
import io.harborai.worker.avro.Params;
import io.harborai.worker.avro.Priority;
import io.harborai.worker.avro.ResponseFormat;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Random requests: {@code r} decides what the request says, {@code style} only how its JSON
 * text is spelled (key order, whitespace, escapes, number notation).
 */
final class RandomChatRequests {
    private final Random r;
    private final Random style;

    RandomChatRequests(Random r, Random style) {
        this.r = r;
        this.style = style;
    }

    ChatRequest request() {
        List<Message> messages = new ArrayList<>();
        for (int i = 1 + r.nextInt(4); i > 0; i--) {
            messages.add(message());
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (int i = r.nextInt(3); i > 0; i--) {
            metadata.put(CacheKeyCases.word(r), CacheKeyCases.word(r));
        }
        return ChatRequest.newBuilder()
                .setId("req-" + r.nextInt(1_000_000))
                .setTenant(maybe(() -> CacheKeyCases.word(r)))
                .setBatchId(maybe(() -> CacheKeyCases.word(r)))
                .setCustomId(maybe(() -> CacheKeyCases.word(r)))
                .setModel(List.of("gpt-4o", "deepseek-chat", "qwen-max").get(r.nextInt(3)))
                .setFallbackModels(words(r.nextInt(3)))
                .setMessages(messages)
                .setParams(params())
                .setCache(CacheControl.newBuilder()
                        .setMode(CacheMode.values()[r.nextInt(3)])
                        .setTtlSeconds(maybe(() -> r.nextInt(3600)))
                        .setMaxAgeSeconds(maybe(() -> r.nextInt(3600)))
                        .build())
                .setPriority(Priority.values()[r.nextInt(3)])
                .setDeadlineMs(maybe(r::nextLong))
                .setCreatedAtMs(maybe(r::nextLong))
                .setMetadata(metadata)
                .build();
    }

    Message message() {
        return Message.newBuilder()
                .setRole(CacheKeyCases.ROLES.get(r.nextInt(CacheKeyCases.ROLES.size())))
                .setContent(maybe(this::text))
                .setContentPartsJson(maybe(() -> render(array(2))))
                .setName(maybe(() -> CacheKeyCases.word(r)))
                .setToolCallId(maybe(() -> CacheKeyCases.word(r)))
                .setToolCallsJson(maybe(() -> render(array(3))))
                .setReasoningContent(maybe(this::text))
                .build();
    }

    Params params() {
        return Params.newBuilder()
                .setTemperature(maybe(() -> r.nextInt(201) / 100.0))
                .setTopP(maybe(r::nextDouble))
                .setMaxTokens(maybe(() -> 1 + r.nextInt(4096)))
                .setMaxCompletionTokens(maybe(() -> 1 + r.nextInt(4096)))
                .setStop(words(r.nextInt(3)))
                .setSeed(maybe(r::nextLong))
                .setPresencePenalty(maybe(() -> r.nextInt(41) / 10.0 - 2))
                .setFrequencyPenalty(maybe(() -> r.nextInt(41) / 10.0 - 2))
                .setN(maybe(() -> 1 + r.nextInt(4)))
                .setLogprobs(maybe(r::nextBoolean))
                .setTopLogprobs(maybe(() -> r.nextInt(21)))
                .setLogitBiasJson(maybe(() -> render(object(1))))
                .setUser(maybe(() -> CacheKeyCases.word(r)))
                .setResponseFormat(maybe(this::responseFormat))
                .setToolsJson(maybe(() -> render(array(4))))
                .setToolChoiceJson(
                        maybe(() -> render(r.nextBoolean() ? CacheKeyCases.NODES.textNode("auto") : object(2))))
                .setParallelToolCalls(maybe(r::nextBoolean))
                .setReasoningEffort(maybe(() -> List.of("low", "medium", "high").get(r.nextInt(3))))
                .setExtraJson(maybe(() -> render(object(3))))
                .build();
    }

    ResponseFormat responseFormat() {
        return ResponseFormat.newBuilder()
                .setType(List.of("text", "json_object", "json_schema").get(r.nextInt(3)))
                .setJsonSchemaName(maybe(() -> CacheKeyCases.word(r)))
                .setJsonSchemaJson(maybe(() -> render(object(4))))
                .setStrict(maybe(r::nextBoolean))
                .build();
    }

    private <T> T maybe(Supplier<T> value) {
        return r.nextBoolean() ? value.get() : null;
    }

    private List<String> words(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(CacheKeyCases.word(r));
        }
        return out;
    }

    private String text() {
        String[] parts = {
            "hello", " ", "\"quoted\"", "back\\slash", "line\nbreak", "tab\t", "你好", "é", "😀", "\u0001", "/"
        };
        StringBuilder sb = new StringBuilder();
        for (int i = r.nextInt(6); i > 0; i--) {
            sb.append(parts[r.nextInt(parts.length)]);
        }
        return sb.toString();
    }

    ObjectNode object(int depth) {
        ObjectNode o = CacheKeyCases.NODES.objectNode();
        for (int i = r.nextInt(5); i > 0; i--) {
            o.set(r.nextInt(4) == 0 ? text() : CacheKeyCases.word(r), value(depth));
        }
        return o;
    }

    ArrayNode array(int depth) {
        ArrayNode a = CacheKeyCases.NODES.arrayNode();
        for (int i = r.nextInt(4); i > 0; i--) {
            a.add(depth > 0 && r.nextBoolean() ? object(depth - 1) : value(depth - 1));
        }
        return a;
    }

    private JsonNode value(int depth) {
        return switch (r.nextInt(depth > 0 ? 9 : 7)) {
            case 0 -> CacheKeyCases.NODES.textNode(text());
            case 1 -> CacheKeyCases.NODES.numberNode(r.nextInt(2001) - 1000);
            case 2 -> CacheKeyCases.NODES.numberNode(r.nextLong());
            case 3 -> DecimalNode.valueOf(BigDecimal.valueOf(r.nextInt(20001) - 10000, r.nextInt(5) - 1));
            case 4 -> CacheKeyCases.NODES.booleanNode(r.nextBoolean());
            case 5 -> CacheKeyCases.NODES.nullNode();
            case 6 -> CacheKeyCases.NODES.textNode(CacheKeyCases.word(r));
            case 7 -> array(depth - 1);
            default -> object(depth - 1);
        };
    }

    /** Valid JSON for {@code n}, spelled in a random but equivalent way. */
    String render(JsonNode n) {
        StringBuilder sb = new StringBuilder();
        render(n, sb);
        return sb.append(space()).toString();
    }

    private void render(JsonNode n, StringBuilder sb) {
        sb.append(space());
        if (n.isObject()) {
            List<Map.Entry<String, JsonNode>> fields = new ArrayList<>(n.properties());
            Collections.shuffle(fields, style);
            sb.append('{');
            for (int i = 0; i < fields.size(); i++) {
                sb.append(i > 0 ? "," : "").append(space());
                string(fields.get(i).getKey(), sb);
                sb.append(space()).append(':');
                render(fields.get(i).getValue(), sb);
            }
            sb.append(space()).append('}');
        } else if (n.isArray()) {
            sb.append('[');
            for (int i = 0; i < n.size(); i++) {
                sb.append(i > 0 ? "," : "");
                render(n.get(i), sb);
            }
            sb.append(space()).append(']');
        } else if (n.isTextual()) {
            string(n.textValue(), sb);
        } else if (n.isNumber()) {
            sb.append(number(n.decimalValue()));
        } else {
            sb.append(n.toString()); // true, false, null
        }
        sb.append(space());
    }

    /** 15 as 15, 15.00, 1.5e1, 150E-1, 0.0150e+3, ... */
    private String number(BigDecimal v) {
        BigDecimal padded = v.setScale(Math.max(v.scale(), 0) + style.nextInt(3));
        if (style.nextBoolean()) {
            return padded.toPlainString();
        }
        int shift = style.nextInt(6) - 2;
        String sign = shift < 0 ? "-" : style.nextBoolean() ? "+" : "";
        return padded.movePointLeft(shift).toPlainString() + (style.nextBoolean() ? "e" : "E") + sign + Math.abs(shift);
    }

    private void string(String s, StringBuilder sb) {
        sb.append('"');
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || style.nextInt(8) == 0) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        sb.append('"');
    }

    private String space() {
        String[] spaces = {"", "", "", " ", "\n", "\t", "\r\n  "};
        return spaces[style.nextInt(spaces.length)];
    }
}
