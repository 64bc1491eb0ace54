package io.harborai.worker.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harborai.worker.avro.ChatRequest;
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

    record Invalid(long lineNumber, String customId, String code, String message) implements BatchLine {}

    /**
     * @param requestId the request id to give a valid line (the batch id and custom_id joined)
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
            return new Invalid(lineNumber, customId, "invalid_url",
                "line " + lineNumber + ": url must be /v1/chat/completions, got " + (url == null ? "none" : url.asText()));
        }
        JsonNode body = node.get("body");
        try {
            ChatRequest request = OpenAiJson.fromBody(body)
                .setId(requestId(batchId, customId))
                .setBatchId(batchId)
                .setCustomId(customId)
                .build();
            return new Valid(lineNumber, customId, request);
        } catch (IllegalArgumentException | org.apache.avro.AvroRuntimeException e) {
            return new Invalid(lineNumber, customId, "invalid_body", "line " + lineNumber + ": " + e.getMessage());
        }
    }

    /** Stable across resubmissions of the same file with the same batch id, so results dedupe. */
    static String requestId(String batchId, String customId) {
        return batchId + ":" + customId;
    }
}
