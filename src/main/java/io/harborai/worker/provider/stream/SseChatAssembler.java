package io.harborai.worker.provider.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import okhttp3.MediaType;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okhttp3.sse.EventSource;
import okhttp3.sse.EventSourceListener;
import okhttp3.sse.EventSources;
import okio.Buffer;
import okio.BufferedSource;
import okio.ForwardingSource;
import okio.Okio;
import okio.Source;

/**
 * Turns a streamed chat completion ({@code chat.completion.chunk} events) into the body the same
 * call would have returned unstreamed, so callers parse one shape only.
 *
 * <p>Assembly: {@code delta.content} and {@code delta.reasoning_content} are concatenated; {@code
 * delta.tool_calls} are merged by {@code index} (id, type and function name taken from the first
 * chunk that has them, {@code function.arguments} appended); the last {@code finish_reason} wins;
 * {@code usage} comes from the last chunk that has a non-null one (with {@code include_usage} that
 * is the final chunk with empty {@code choices}); {@code id}, {@code model}, {@code created} and
 * {@code system_fingerprint} from the first chunk that has them. Only choice 0 is assembled.
 *
 * <p>The events are framed by okhttp-sse ({@code data:} lines joined with {@code \n}, comments
 * and {@code id:}/{@code retry:} ignored, {@code event: error} told apart); only the check for a
 * plain JSON body and the lenient end of stream are added here.
 *
 * <p>Threading: not thread-safe; one instance per call, owned by the reading thread (okhttp-sse
 * calls back on the thread that called {@link #read}). A first-token timeout cancels the HTTP call
 * from another thread, which surfaces here as an {@link IOException}.
 */
public final class SseChatAssembler {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final MediaType EVENT_STREAM = MediaType.get("text/event-stream");

    /** What a stream turned out to be. */
    public sealed interface Result {
        /** A complete stream, as a synthesized {@code chat.completion} body. */
        record Completed(ObjectNode body) implements Result {}

        /** An error event or error chunk; {@code json} is its payload (an error body). */
        record Error(String json) implements Result {}

        /** Not SSE at all: the server sent a plain body (ignored {@code stream}, or an error JSON). */
        record PlainBody(String body) implements Result {}

        /** The stream ended before a finish_reason or {@code [DONE]}; {@code why} says how. */
        record Truncated(String why) implements Result {}
    }

    private final StringBuilder content = new StringBuilder();
    private final StringBuilder reasoning = new StringBuilder();
    private final Map<Integer, ObjectNode> toolCalls = new TreeMap<>();
    private boolean sawContent;
    private boolean sawReasoning;
    private int chunks;
    private String finishReason;
    private JsonNode usage;
    private JsonNode id;
    private JsonNode model;
    private JsonNode created;
    private JsonNode fingerprint;

    /**
     * Reads the whole stream of a 2xx response on the calling thread. {@code watch} is told about
     * the first content or reasoning token.
     *
     * @throws IOException when reading fails (including a call cancelled by the watch)
     */
    public static Result read(Response response, TtftWatch watch) throws IOException {
        BufferedSource source = response.body().source();
        if (startsLikeJson(source)) {
            return new Result.PlainBody(source.readUtf8().stripLeading());
        }
        SseChatAssembler a = new SseChatAssembler();
        Events events = a.new Events(watch);
        // We asked for text/event-stream and the body is not JSON: read it as events whatever its
        // Content-Type says (okhttp-sse refuses other types), and end it with a blank line so that a
        // last event the server did not terminate is still read, as a lenient client should.
        ResponseBody body = ResponseBody.create(Okio.buffer(new Terminated(source)), EVENT_STREAM, -1);
        EventSources.processResponse(response.newBuilder().body(body).build(), events);
        return events.outcome();
    }

    /**
     * Whether the first non-blank line starts a JSON value: a server that ignored {@code stream:
     * true}, or an error body sent with 200. Reads ahead without consuming.
     */
    private static boolean startsLikeJson(BufferedSource source) throws IOException {
        BufferedSource ahead = source.peek();
        String line;
        do {
            line = ahead.readUtf8Line();
        } while (line != null && line.isBlank());
        String first = line == null ? "" : line.stripLeading();
        return first.startsWith("{") || first.startsWith("[");
    }

    /**
     * Feeds the events okhttp-sse parses (on the thread that called {@link #read}) into the
     * assembler, and stops reading once the outcome is known: at {@code [DONE]} or an error.
     */
    private final class Events extends EventSourceListener {
        private final TtftWatch watch;
        /** Set when this listener stopped the stream itself; its "canceled" failure is then ours. */
        private boolean stopped;

        private boolean done;
        private Result early;
        private Throwable failure;

        Events(TtftWatch watch) {
            this.watch = watch;
        }

        @Override
        public void onEvent(EventSource source, String id, String type, String event) {
            String data = event.strip();
            if (data.equals("[DONE]")) {
                done = true;
                stop(source);
                return;
            }
            if (data.isEmpty()) {
                return;
            }
            JsonNode chunk;
            try {
                chunk = MAPPER.readTree(data);
            } catch (IOException notJson) {
                early = "error".equals(type)
                        ? new Result.Error(data)
                        : new Result.Truncated("a stream event is not JSON: " + abbreviate(data));
                stop(source);
                return;
            }
            if ("error".equals(type) || isError(chunk)) {
                early = new Result.Error(data);
                stop(source);
                return;
            }
            if (accept(chunk)) {
                watch.firstToken();
            }
        }

        @Override
        public void onFailure(EventSource source, Throwable t, Response response) {
            if (!stopped) {
                failure = t;
            }
        }

        private void stop(EventSource source) {
            stopped = true;
            source.cancel();
        }

        Result outcome() throws IOException {
            if (early != null) {
                return early;
            }
            if (failure instanceof IOException e) {
                throw e;
            }
            if (failure instanceof RuntimeException e) {
                throw e;
            }
            if (failure != null) {
                throw new IllegalStateException("reading the event stream failed", failure);
            }
            if (chunks == 0) {
                return new Result.Truncated("the stream ended without any chunk");
            }
            if (!done && finishReason == null) {
                return new Result.Truncated("the stream ended before finish_reason or [DONE]");
            }
            return new Result.Completed(toCompletion());
        }
    }

    /** A source that ends with an extra blank line, so the last event is always terminated. */
    private static final class Terminated extends ForwardingSource {
        private boolean ended;

        Terminated(Source delegate) {
            super(delegate);
        }

        @Override
        public long read(Buffer sink, long byteCount) throws IOException {
            long n = super.read(sink, byteCount);
            if (n != -1 || ended) {
                return n;
            }
            ended = true;
            sink.writeUtf8("\n\n");
            return 2;
        }
    }

    private static boolean isError(JsonNode chunk) {
        return chunk.isObject()
                && (chunk.hasNonNull("error") || chunk.path("error_code").asLong(0) != 0)
                && !chunk.has("choices");
    }

    /**
     * Adds one chunk.
     *
     * @return whether the chunk carried a non-empty content or reasoning delta
     */
    public boolean accept(JsonNode chunk) {
        chunks++;
        id = firstOf(id, chunk.get("id"));
        model = firstOf(model, chunk.get("model"));
        created = firstOf(created, chunk.get("created"));
        fingerprint = firstOf(fingerprint, chunk.get("system_fingerprint"));
        JsonNode u = chunk.get("usage");
        if (u != null && u.isObject()) {
            usage = u;
        }
        JsonNode choice = chunk.path("choices").path(0);
        if (choice.isMissingNode()) {
            return false;
        }
        JsonNode fr = choice.get("finish_reason");
        if (fr != null && !fr.isNull()) {
            finishReason = fr.asText();
        }
        JsonNode delta = choice.path("delta");
        boolean token = append(delta.get("content"), content, true);
        token |= append(delta.get("reasoning_content"), reasoning, false);
        if (delta.get("tool_calls") instanceof ArrayNode calls) {
            calls.forEach(this::mergeToolCall);
        }
        return token;
    }

    private boolean append(JsonNode text, StringBuilder into, boolean isContent) {
        if (text == null || !text.isTextual()) {
            return false;
        }
        if (isContent) {
            sawContent = true;
        } else {
            sawReasoning = true;
        }
        into.append(text.asText());
        return !text.asText().isEmpty();
    }

    private void mergeToolCall(JsonNode d) {
        int index = d.path("index").asInt(toolCalls.size());
        ObjectNode call = toolCalls.computeIfAbsent(index, i -> MAPPER.createObjectNode());
        for (String f : new String[] {"id", "type"}) {
            if (d.hasNonNull(f) && !call.hasNonNull(f)) {
                call.set(f, d.get(f));
            }
        }
        JsonNode fn = d.get("function");
        if (fn != null && fn.isObject()) {
            ObjectNode target = call.get("function") instanceof ObjectNode o ? o : call.putObject("function");
            if (fn.hasNonNull("name") && !target.hasNonNull("name")) {
                target.set("name", fn.get("name"));
            }
            if (fn.hasNonNull("arguments")) {
                target.put(
                        "arguments",
                        target.path("arguments").asText("")
                                + fn.get("arguments").asText());
            }
        }
    }

    /** The synthesized non-streamed {@code chat.completion} body. */
    public ObjectNode toCompletion() {
        ObjectNode body = MAPPER.createObjectNode();
        setIf(body, "id", id);
        body.put("object", "chat.completion");
        setIf(body, "created", created);
        setIf(body, "model", model);
        setIf(body, "system_fingerprint", fingerprint);
        ObjectNode choice = body.putArray("choices").addObject().put("index", 0);
        ObjectNode message = choice.putObject("message").put("role", "assistant");
        if (sawContent) {
            message.put("content", content.toString());
        } else {
            message.putNull("content");
        }
        if (sawReasoning) {
            message.put("reasoning_content", reasoning.toString());
        }
        if (!toolCalls.isEmpty()) {
            ArrayNode calls = message.putArray("tool_calls");
            toolCalls.forEach((i, c) -> calls.add(c));
        }
        if (finishReason != null) {
            choice.put("finish_reason", finishReason);
        } else {
            choice.putNull("finish_reason");
        }
        setIf(body, "usage", usage);
        return body;
    }

    private static JsonNode firstOf(JsonNode current, JsonNode candidate) {
        return current != null || candidate == null || candidate.isNull() ? current : candidate;
    }

    private static void setIf(ObjectNode o, String f, JsonNode v) {
        if (v != null) {
            o.set(f, v);
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "…";
    }
}
