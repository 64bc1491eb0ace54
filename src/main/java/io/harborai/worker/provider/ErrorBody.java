package io.harborai.worker.provider;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * A provider's error body, read tolerantly from every shape the supported dialects send.
 *
 * <ul>
 *   <li>OpenAI / DeepSeek: {@code {"error":{"message","type","code"}}} ({@code code} a string,
 *       a number or null).
 *   <li>Volcengine Ark and Qianfan v2: the same object with a string {@code code} (Ark:
 *       {@code RateLimitExceeded.EndpointRPMExceeded}, {@code AuthenticationError}) and
 *       possibly a top-level request {@code id}.
 *   <li>Qianfan v1 style: {@code {"error_code":18,"error_msg":"Open api qps request limit
 *       reached"}}, sometimes with HTTP 200, which must still be a failure.
 * </ul>
 *
 * <p>Qianfan v1 codes (from Baidu's public error-code table as remembered, not verified against
 * the library here; treat as an assumption): 4, 17, 18, 336501, 336502 are request/QPS/RPM/TPM
 * limits → RATE_LIMITED; 6, 13, 14, 100, 110, 111 are permission and access-token errors →
 * AUTH_FAILED; every other code → PROVIDER_REJECTED.
 *
 * @param message the provider's message ({@code ""} when absent)
 * @param type the error type, or {@code null}
 * @param code the error code as text, or {@code null}
 * @param id the provider's request id, or {@code null}
 * @param legacyCode the Qianfan v1 {@code error_code}, or {@code null} for the other shapes
 */
public record ErrorBody(String message, String type, String code, String id, Long legacyCode) {
    private static final Set<Long> QIANFAN_RATE_LIMIT = Set.of(4L, 17L, 18L, 336501L, 336502L);
    private static final Set<Long> QIANFAN_AUTH = Set.of(6L, 13L, 14L, 100L, 110L, 111L);

    /** The error in {@code root}, or empty when it carries none of the known shapes. */
    public static Optional<ErrorBody> parse(JsonNode root) {
        if (root == null || !root.isObject()) {
            return Optional.empty();
        }
        String id = text(root.get("id"));
        JsonNode err = root.get("error");
        if (err != null && err.isObject()) {
            return Optional.of(new ErrorBody(
                    err.path("message").asText(""), text(err.get("type")), text(err.get("code")), id, null));
        }
        if (err != null && err.isTextual()) {
            return Optional.of(new ErrorBody(err.asText(), null, null, id, null));
        }
        JsonNode legacy = root.get("error_code");
        if (legacy != null && legacy.canConvertToLong() && legacy.asLong() != 0) {
            String logId = id != null ? id : text(root.get("log_id"));
            return Optional.of(
                    new ErrorBody(root.path("error_msg").asText(""), null, legacy.asText(), logId, legacy.asLong()));
        }
        return Optional.empty();
    }

    /**
     * The failure code of an error that arrived without a telling HTTP status: an error body with
     * 2xx, or an error event inside a stream. Qianfan v1 codes are mapped as listed above; for the
     * other shapes a {@code type} or {@code code} mentioning a rate limit gives RATE_LIMITED, one
     * mentioning authentication or an API key AUTH_FAILED, a server error PROVIDER_ERROR, anything
     * else PROVIDER_REJECTED.
     */
    public ErrorCode codeWithoutStatus() {
        if (legacyCode != null) {
            return QIANFAN_RATE_LIMIT.contains(legacyCode)
                    ? ErrorCode.RATE_LIMITED
                    : QIANFAN_AUTH.contains(legacyCode) ? ErrorCode.AUTH_FAILED : ErrorCode.PROVIDER_REJECTED;
        }
        String tags = ((type == null ? "" : type) + " " + (code == null ? "" : code)).toLowerCase(Locale.ROOT);
        if (tags.contains("rate_limit") || tags.contains("ratelimit") || tags.contains("too_many")) {
            return ErrorCode.RATE_LIMITED;
        }
        if (tags.contains("auth") || tags.contains("api_key")) {
            return ErrorCode.AUTH_FAILED;
        }
        if (tags.contains("server_error") || tags.contains("internal")) {
            return ErrorCode.PROVIDER_ERROR;
        }
        return ErrorCode.PROVIDER_REJECTED;
    }

    /** {@code message (type=..) (code=..) (id=..)}, tags only when present. */
    public String text() {
        StringBuilder sb = new StringBuilder(message);
        tag(sb, "type", type);
        tag(sb, "code", code);
        tag(sb, "id", id);
        return sb.toString();
    }

    private static void tag(StringBuilder sb, String name, String value) {
        if (value != null && !value.isEmpty()) {
            sb.append(" (").append(name).append('=').append(value).append(')');
        }
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() || !n.isValueNode() ? null : n.asText();
    }
}
