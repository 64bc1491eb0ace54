package io.harborai.worker.gateway;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.provider.OpenAiJson;

/** OpenAI's error bodies and the HTTP status of each of the worker's error codes. */
final class OpenAiErrors {
    private OpenAiErrors() {}

    /** An HTTP answer of an error: status, OpenAI body, and seconds to wait before a retry (or -1). */
    record Answer(int status, String body, long retryAfterSeconds) {}

    static Answer of(int status, String type, String code, String message) {
        return of(status, type, code, message, -1);
    }

    static Answer of(int status, String type, String code, String message, long retryAfterSeconds) {
        ObjectNode root = OpenAiJson.MAPPER.createObjectNode();
        ObjectNode err = root.putObject("error");
        err.put("message", message);
        err.put("type", type);
        err.putNull("param");
        if (code == null) {
            err.putNull("code");
        } else {
            err.put("code", code);
        }
        return new Answer(status, root.toString(), retryAfterSeconds);
    }

    /** The answer of a FAILED result, by its error code. */
    static Answer forResult(ChatResult r) {
        String code = r.getError() == null ? "INTERNAL" : r.getError().getCode();
        String message =
                r.getError() == null ? "the request failed" : r.getError().getMessage();
        Integer upstream = r.getError() == null ? null : r.getError().getHttpStatus();
        return switch (code) {
            case "INVALID_REQUEST", "SCHEMA_VALIDATION" ->
                of(400, "invalid_request_error", code.toLowerCase(), message);
            case "UNKNOWN_MODEL" -> of(404, "invalid_request_error", "model_not_found", message);
            case "RATE_LIMITED" -> of(429, "rate_limit_error", "rate_limit_exceeded", message, 1);
            case "BUDGET_EXCEEDED" -> of(429, "insufficient_quota", "budget_exceeded", message, 60);
            case "DEADLINE_EXCEEDED", "TIMEOUT" -> of(504, "timeout", code.toLowerCase(), message);
            case "PROVIDER_REJECTED" ->
                of(
                        upstream != null && upstream >= 400 && upstream < 500 && upstream != 401 && upstream != 403
                                ? upstream
                                : 400,
                        "invalid_request_error",
                        "provider_rejected",
                        message);
            case "CIRCUIT_OPEN" -> of(503, "server_error", "provider_unavailable", message, 5);
            case "INTERNAL" -> of(500, "server_error", "internal_error", message);
            default -> of(502, "server_error", code.toLowerCase(), message);
        };
    }
}
