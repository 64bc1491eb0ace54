package io.harborai.worker.provider;

import com.fasterxml.jackson.databind.JsonNode;
import io.harborai.worker.avro.ChatResponse;
import io.harborai.worker.provider.stream.SseChatAssembler;
import java.io.IOException;
import java.util.Optional;

/**
 * Turns a 2xx chat-completion body, plain or assembled from a stream, into a {@link
 * ProviderOutcome}: the one place both paths meet, so a streamed call yields exactly the outcome
 * the unstreamed call would have. A Qianfan v1 {@code error_code} body with 2xx and an error
 * event in a stream become failures coded by {@link ErrorBody#codeWithoutStatus()}.
 *
 * <p>Thread-safe: immutable.
 */
final class CompletionReader {
    private final FailureClassifier classifier;
    private final Dialect dialect;

    CompletionReader(FailureClassifier classifier, Dialect dialect) {
        this.classifier = classifier;
        this.dialect = dialect;
    }

    /** A plain (unstreamed) body. */
    ProviderOutcome fromText(String model, int status, String requestId, String body, long latency) {
        JsonNode root;
        try {
            root = OpenAiJson.MAPPER.readTree(body);
        } catch (IOException e) {
            return classifier.invalidResponse(model, status, "the body is not JSON", body, latency);
        }
        return fromJson(model, status, requestId, root, body, latency);
    }

    /** What a stream assembled to. */
    ProviderOutcome fromStream(String model, int status, String requestId, SseChatAssembler.Result r, long latency) {
        if (r instanceof SseChatAssembler.Result.Completed c) {
            return fromJson(model, status, requestId, c.body(), OpenAiJson.json(c.body()), latency);
        }
        if (r instanceof SseChatAssembler.Result.PlainBody p) {
            return fromText(model, status, requestId, p.body(), latency);
        }
        if (r instanceof SseChatAssembler.Result.Error e) {
            Optional<ErrorBody> err = Optional.empty();
            try {
                err = ErrorBody.parse(OpenAiJson.MAPPER.readTree(e.json()));
            } catch (IOException notJson) {
                // reported as the raw text below
            }
            return classifier.bodyError(
                    model, status, err.orElse(new ErrorBody(e.json(), null, null, null, null)), latency);
        }
        String why = ((SseChatAssembler.Result.Truncated) r).why();
        return classifier.invalidResponse(model, status, why, "", latency);
    }

    private ProviderOutcome fromJson(
            String model, int status, String requestId, JsonNode root, String body, long latency) {
        JsonNode choices = root == null ? null : root.get("choices");
        if (choices == null) {
            // Qianfan v1 error bodies come with 200 and carry a code worth mapping; any other error
            // object in a 2xx stays INVALID_RESPONSE (retryable: usually a misbehaving proxy).
            Optional<ErrorBody> err = ErrorBody.parse(root).filter(e -> e.legacyCode() != null);
            if (err.isPresent()) {
                return classifier.bodyError(model, status, err.get(), latency);
            }
        }
        JsonNode message = root == null ? null : root.path("choices").path(0).path("message");
        if (message == null || !message.isObject()) {
            return classifier.invalidResponse(model, status, "the body has no choices[0].message", body, latency);
        }
        JsonNode toolCalls = message.get("tool_calls");
        ChatResponse parsed = ChatResponse.newBuilder()
                .setResponseId(textOrNull(root.get("id")))
                .setContent(textOrNull(message.get("content")))
                .setReasoningContent(textOrNull(message.get("reasoning_content")))
                .setFinishReason(textOrNull(root.path("choices").path(0).get("finish_reason")))
                .setToolCallsJson(
                        toolCalls != null && toolCalls.isArray() && !toolCalls.isEmpty()
                                ? OpenAiJson.json(toolCalls)
                                : null)
                .setBodyJson(body)
                .build();
        String modelUsed = textOrNull(root.get("model"));
        return new ProviderOutcome.Success(
                parsed,
                UsageReader.read(root.get("usage"), dialect),
                modelUsed != null ? modelUsed : model,
                requestId != null ? requestId : parsed.getResponseId(),
                status,
                latency);
    }

    private static String textOrNull(JsonNode n) {
        return n == null || n.isNull() || !n.isValueNode() ? null : n.asText();
    }
}
