package io.harborai.worker.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harborai.worker.provider.OpenAiJson;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a finished simulated {@code chat.completion} into the server-sent events of OpenAI's
 * streaming shape: a first {@code chat.completion.chunk} with the role, {@code reasoning_content}
 * deltas (when the message has one), {@code content} deltas (the text split into {@value #PIECES}
 * pieces or fewer), a last chunk with {@code finish_reason}, then, when {@code
 * stream_options.include_usage} is true, a chunk with empty {@code choices} and the usage (the
 * other chunks then carry {@code "usage": null}), and {@code data: [DONE]}. Concatenating the
 * deltas gives back the message. Stateless and thread-safe.
 */
final class SimulatorStream {
    static final String CONTENT_TYPE = "text/event-stream; charset=utf-8";
    static final int PIECES = 4;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private SimulatorStream() {}

    /** True when the body asks for {@code "stream": true}. */
    static boolean requested(JsonNode body) {
        return body.path("stream").asBoolean(false);
    }

    /** True when the body asks for the usage chunk. */
    static boolean includeUsage(JsonNode body) {
        return body.path("stream_options").path("include_usage").asBoolean(false);
    }

    /** The whole event stream for {@code completion}, {@code [DONE]} included. */
    static byte[] events(ObjectNode completion, boolean includeUsage) {
        JsonNode message = completion.path("choices").path(0).path("message");
        List<ObjectNode> chunks = new ArrayList<>();
        ObjectNode first = delta().put("role", "assistant").put("content", "");
        chunks.add(chunk(completion, includeUsage, first, null));
        if (message.hasNonNull("reasoning_content")) {
            for (String piece : split(message.get("reasoning_content").asText())) {
                chunks.add(chunk(completion, includeUsage, delta().put("reasoning_content", piece), null));
            }
        }
        for (String piece : split(message.path("content").asText(""))) {
            chunks.add(chunk(completion, includeUsage, delta().put("content", piece), null));
        }
        chunks.add(chunk(completion, includeUsage, delta(), "stop"));
        if (includeUsage) {
            ObjectNode last = header(completion);
            last.putArray("choices");
            last.set("usage", completion.get("usage"));
            chunks.add(last);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ObjectNode c : chunks) {
            out.writeBytes(("data: " + OpenAiJson.json(c) + "\n\n").getBytes(StandardCharsets.UTF_8));
        }
        out.writeBytes("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /** Up to {@value #PIECES} non-empty pieces, cut on code-point boundaries. */
    static List<String> split(String text) {
        List<String> pieces = new ArrayList<>();
        int codePoints = text.codePointCount(0, text.length());
        int size = Math.max(1, (codePoints + PIECES - 1) / PIECES);
        int at = 0;
        while (at < text.length()) {
            int end = text.offsetByCodePoints(at, Math.min(size, text.codePointCount(at, text.length())));
            pieces.add(text.substring(at, end));
            at = end;
        }
        return pieces;
    }

    private static ObjectNode delta() {
        return NODES.objectNode();
    }

    private static ObjectNode chunk(
            ObjectNode completion, boolean includeUsage, ObjectNode delta, String finishReason) {
        ObjectNode c = header(completion);
        ObjectNode choice = c.putArray("choices").addObject();
        choice.put("index", 0);
        choice.set("delta", delta);
        choice.putNull("logprobs");
        if (finishReason == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finishReason);
        }
        if (includeUsage) {
            c.putNull("usage");
        }
        return c;
    }

    private static ObjectNode header(ObjectNode completion) {
        ObjectNode c = NODES.objectNode();
        c.set("id", completion.get("id"));
        c.put("object", "chat.completion.chunk");
        c.set("created", completion.get("created"));
        c.set("model", completion.get("model"));
        if (completion.has("system_fingerprint")) {
            c.set("system_fingerprint", completion.get("system_fingerprint"));
        }
        return c;
    }
}
