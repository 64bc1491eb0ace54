package io.harborai.worker.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.ErrorInfo;
import io.harborai.worker.avro.ResultStatus;
import io.harborai.worker.avro.Timings;
import io.harborai.worker.provider.OpenAiJson;
import java.io.IOException;
import java.util.Set;

/**
 * One line of an OpenAI Batch input file, parsed: either a request to submit or the reason it
 * cannot be (which becomes an error line in the output, never silence).
 */
public sealed interface BatchLine {
    /** Endpoints a line may target; the worker serves chat completions only. */
    Set<String> URLS = Set.of("/v1/chat/completions", "/chat/completions");

    long lineNumber();

    String customId();

    record Valid(long lineNumber, String customId, ChatRequest request) implements BatchLine {}

    record Invalid(long lineNumber, String customId, String code, String message) implements BatchLine {
        /**
         * The FAILED result that answers this line on the results topic (id {@code <batchId>:<line>},
         * error code the line's code), so the topic holds exactly one result per input line.
         */
        public ChatResult toResult(String batchId, String modelRequested, long nowMs) {
            return ChatResult.newBuilder()
                    .setId(requestId(batchId, lineNumber))
                    .setBatchId(batchId)
                    .setCustomId(customId)
                    .setStatus(ResultStatus.FAILED)
                    .setModelRequested(modelRequested)
                    .setTimings(Timings.newBuilder().build())
                    .setError(ErrorInfo.newBuilder()
                            .setCode(code)
                            .setMessage(message)
                            .setHttpStatus(null)
                            .setRetryable(false)
                            .build())
                    .setCompletedAtMs(nowMs)
                    .build();
        }
    }

    /**
     * @param lineNumber the physical 1-based line number in the file (blank lines count), which
     *     also names the request: see {@link #requestId}
     */
    static BatchLine parse(ObjectMapper json, long lineNumber, String text, String batchId) {
        JsonNode node;
        try {
            node = json.readTree(text);
        } catch (IOException e) {
            return new Invalid(lineNumber, null, "invalid_json", "line " + lineNumber + ": not valid JSON");
        }
        if (node == null || !node.isObject()) {
            return new Invalid(lineNumber, null, "invalid_json", "line " + lineNumber + ": not a JSON object");
        }
        JsonNode cid = node.get("custom_id");
        String customId = cid != null && cid.isTextual() && !cid.asText().isBlank() ? cid.asText() : null;
        if (customId == null) {
            return new Invalid(lineNumber, null, "missing_custom_id", "line " + lineNumber + ": custom_id is required");
        }
        JsonNode method = node.get("method");
        if (method == null || !"POST".equals(method.asText())) {
            return new Invalid(lineNumber, customId, "invalid_method", "line " + lineNumber + ": method must be POST");
        }
        JsonNode url = node.get("url");
        if (url == null || !URLS.contains(url.asText())) {
            return new Invalid(
                    lineNumber,
                    customId,
                    "invalid_url",
                    "line " + lineNumber + ": url must be /v1/chat/completions, got "
                            + (url == null ? "none" : url.asText()));
        }
        JsonNode body = node.get("body");
        try {
            ChatRequest request = OpenAiJson.fromBody(body)
                    .setId(requestId(batchId, lineNumber))
                    .setBatchId(batchId)
                    .setCustomId(customId)
                    .build();
            return new Valid(lineNumber, customId, request);
        } catch (IllegalArgumentException | org.apache.avro.AvroRuntimeException e) {
            return new Invalid(lineNumber, customId, "invalid_body", "line " + lineNumber + ": " + e.getMessage());
        }
    }

    /** {@code body.model} of a raw line if it has one, else "" (also for a line that is not JSON). */
    static String modelOf(ObjectMapper json, String text) {
        try {
            JsonNode model = json.readTree(text).path("body").path("model");
            return model.isTextual() ? model.asText() : "";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /**
     * {@code <batchId>:<lineNumber>}: stable across resubmissions of the same file with the same
     * batch id, so results dedupe, and defined for every line (also one without a usable
     * custom_id), so a collector can mark lines done in a bit set by line number.
     */
    static String requestId(String batchId, long lineNumber) {
        return batchId + ":" + lineNumber;
    }

    /** The physical line number of a request id made by {@link #requestId}, or -1 if it is not one of {@code batchId}. */
    static long lineNumberOf(String batchId, String requestId) {
        if (requestId == null
                || requestId.length() <= batchId.length() + 1
                || !requestId.startsWith(batchId)
                || requestId.charAt(batchId.length()) != ':') {
            return -1;
        }
        try {
            long n = Long.parseLong(requestId, batchId.length() + 1, requestId.length(), 10);
            return n >= 1 ? n : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
