package io.harborai.worker.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.ResultStatus;
import java.io.IOException;

/**
 * Builds OpenAI Batch output lines: {@code {id, custom_id, response:{status_code, request_id,
 * body}, error}}. A provider answer with an HTTP status (success or error) is a {@code response};
 * a failure without one (invalid line, timeout, unknown model) is an {@code error}.
 *
 * <p>The line's {@code id} is the result id ({@code <batch id>:<line>}) rather than an opaque
 * {@code batch_req_…}, so that the output file alone says which input lines it already holds: that
 * is what makes an interrupted collect resumable without duplicates.
 */
public final class BatchOutput {
    private final ObjectMapper json;

    public BatchOutput(ObjectMapper json) {
        this.json = json;
    }

    /** The output line of {@code r}, with {@code lineId} as the line's {@code id} verbatim. */
    public String forResult(ChatResult r, String lineId) {
        ObjectNode line = headWithId(lineId, r.getCustomId());
        if (r.getStatus() == ResultStatus.SUCCEEDED) {
            ObjectNode response = line.putObject("response");
            response.put("status_code", 200);
            response.put(
                    "request_id",
                    r.getResponse() != null && r.getResponse().getResponseId() != null
                            ? r.getResponse().getResponseId()
                            : r.getId());
            response.set("body", body(r));
            line.putNull("error");
        } else if (r.getError() != null && r.getError().getHttpStatus() != null) {
            ObjectNode response = line.putObject("response");
            response.put("status_code", r.getError().getHttpStatus());
            response.put("request_id", r.getId());
            ObjectNode err = response.putObject("body").putObject("error");
            err.put("message", r.getError().getMessage());
            err.put("code", r.getError().getCode());
            line.putNull("error");
        } else {
            line.putNull("response");
            ObjectNode err = line.putObject("error");
            err.put("code", r.getError() == null ? "INTERNAL" : r.getError().getCode());
            err.put("message", r.getError() == null ? "failed" : r.getError().getMessage());
        }
        return line.toString();
    }

    /**
     * The OpenAI {@code chat.completion} body of a SUCCEEDED result: the provider's own body as
     * received (with {@code reasoning_content}, tool calls and usage), or, when it was not kept, one
     * made from the parsed fields.
     */
    public JsonNode body(ChatResult r) {
        String text = r.getResponse() == null ? null : r.getResponse().getBodyJson();
        if (text != null) {
            try {
                return json.readTree(text);
            } catch (IOException e) {
                // fall through: synthesize a body from the parsed fields
            }
        }
        ObjectNode body = json.createObjectNode();
        body.put("object", "chat.completion");
        body.put("model", r.getModelUsed());
        ObjectNode message =
                body.putArray("choices").addObject().put("index", 0).putObject("message");
        message.put("role", "assistant");
        message.put("content", r.getResponse() == null ? null : r.getResponse().getContent());
        return body;
    }

    private ObjectNode headWithId(String id, String customId) {
        ObjectNode line = json.createObjectNode();
        line.put("id", id);
        if (customId == null) {
            line.putNull("custom_id");
        } else {
            line.put("custom_id", customId);
        }
        return line;
    }
}
