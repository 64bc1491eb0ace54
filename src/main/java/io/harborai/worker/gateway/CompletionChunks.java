package io.harborai.worker.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harborai.worker.provider.OpenAiJson;
import java.util.ArrayList;
import java.util.List;

/**
 * A finished {@code chat.completion} body as the {@code chat.completion.chunk} events of {@code
 * stream: true}: per choice, one chunk with the whole message (role, content, reasoning_content,
 * tool calls with their index) and one with its finish_reason; then, when {@code
 * stream_options.include_usage}, a last chunk with no choices and the usage. The result arrives
 * whole from the results topic, so the chunks come at once; clients that read SSE work unchanged.
 */
final class CompletionChunks {
    private CompletionChunks() {}

    /** The {@code data:} payloads, in order, without the final {@code [DONE]}. */
    static List<String> of(JsonNode completion, boolean includeUsage) {
        List<String> out = new ArrayList<>();
        for (JsonNode choice : completion.path("choices")) {
            ObjectNode first = head(completion);
            ObjectNode c1 = first.putArray("choices").addObject();
            c1.put("index", choice.path("index").asInt(0));
            ObjectNode delta = c1.putObject("delta");
            JsonNode message = choice.path("message");
            delta.put("role", message.path("role").asText("assistant"));
            copy(message, delta, "content");
            copy(message, delta, "reasoning_content");
            copy(message, delta, "refusal");
            JsonNode calls = message.get("tool_calls");
            if (calls != null && calls.isArray()) {
                ArrayNode indexed = delta.putArray("tool_calls");
                for (int i = 0; i < calls.size(); i++) {
                    ObjectNode call = calls.get(i).deepCopy();
                    call.put("index", i);
                    indexed.add(call);
                }
            }
            c1.putNull("finish_reason");
            out.add(first.toString());
            ObjectNode last = head(completion);
            ObjectNode c2 = last.putArray("choices").addObject();
            c2.put("index", choice.path("index").asInt(0));
            c2.putObject("delta");
            c2.put("finish_reason", choice.path("finish_reason").asText("stop"));
            out.add(last.toString());
        }
        if (includeUsage && completion.has("usage")) {
            ObjectNode usage = head(completion);
            usage.putArray("choices");
            usage.set("usage", completion.get("usage"));
            out.add(usage.toString());
        }
        return out;
    }

    private static ObjectNode head(JsonNode completion) {
        ObjectNode n = OpenAiJson.MAPPER.createObjectNode();
        n.put("id", completion.path("id").asText());
        n.put("object", "chat.completion.chunk");
        n.put("created", completion.path("created").asLong(System.currentTimeMillis() / 1000));
        n.put("model", completion.path("model").asText());
        return n;
    }

    private static void copy(JsonNode from, ObjectNode to, String field) {
        JsonNode v = from.get(field);
        if (v != null && !v.isNull()) {
            to.set(field, v);
        }
    }
}
