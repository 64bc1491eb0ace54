package io.harborai.worker.simulator;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.UUID;

/**
 * Which provider's chat-completions surface the simulator imitates: the {@code id} format, the
 * {@code usage} fields, whether reasoning models return {@code reasoning_content}, and the shape
 * of 400/429/500 error bodies. The request side is OpenAI's for all of them.
 *
 * <p>Sources, and what is assumed: {@link #OPENAI} follows OpenAI's API reference. {@link
 * #DEEPSEEK} follows DeepSeek's API docs (UUID ids, {@code prompt_cache_hit_tokens} / {@code
 * prompt_cache_miss_tokens} next to OpenAI's usage details, {@code reasoning_content}); its error
 * body is OpenAI-shaped. {@link #DOUBAO} follows Volcengine Ark's docs: usage as OpenAI's ({@code
 * prompt_tokens_details.cached_tokens}, {@code completion_tokens_details.reasoning_tokens}),
 * {@code service_tier}, and Ark's public error codes ({@code type} BadRequest / TooManyRequests /
 * InternalServiceError, {@code code} InvalidParameter.&lt;param&gt;,
 * RateLimitExceeded.EndpointRPMExceeded, InternalServiceError). {@link #WENXIN} (Qianfan v2) could
 * not be checked against Baidu's documentation here: ids start with {@code as-} and errors carry
 * {@code code} / {@code message} / {@code type}, from memory; its usage is OpenAI's.
 *
 * <p>Immutable and thread-safe.
 */
public enum SimulatorDialect {
    OPENAI,
    DEEPSEEK,
    DOUBAO,
    WENXIN;

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** The error classes the simulator answers with. */
    public enum ErrorKind {
        /** 400: an invalid body or a parameter the model rejects. */
        BAD_REQUEST,
        /** 429. */
        RATE_LIMITED,
        /** 500. */
        SERVER_ERROR
    }

    /**
     * Parses {@code openai|deepseek|doubao|wenxin} in any case ({@code ark} and {@code qianfan} are
     * accepted as aliases).
     *
     * @throws IllegalArgumentException naming the allowed values
     */
    public static SimulatorDialect parse(String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        switch (v) {
            case "openai":
                return OPENAI;
            case "deepseek":
                return DEEPSEEK;
            case "doubao":
            case "ark":
                return DOUBAO;
            case "wenxin":
            case "qianfan":
                return WENXIN;
            default:
                throw new IllegalArgumentException(
                        "simulator dialect must be one of openai|deepseek|doubao|wenxin, got '" + value + "'");
        }
    }

    /** The lower-case name used on the command line and in {@code /stats}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** True when a reasoning model's message carries {@code reasoning_content} (all but OpenAI). */
    public boolean returnsReasoningContent() {
        return this != OPENAI;
    }

    /** A response {@code id} in this provider's format, derived from the body hash. */
    String completionId(String hash) {
        switch (this) {
            case DEEPSEEK:
                return UUID.nameUUIDFromBytes(hash.getBytes(StandardCharsets.UTF_8))
                        .toString();
            case DOUBAO:
                return "0217" + hash + "0000000000000000000000000000000000";
            case WENXIN:
                return "as-" + hash.substring(0, 10);
            default:
                return "chatcmpl-sim-" + hash;
        }
    }

    /** Adds the provider-specific top-level fields and usage details to a finished completion. */
    void decorate(ObjectNode completion, int promptTokens, int reasoningTokens) {
        ObjectNode usage = (ObjectNode) completion.get("usage");
        usage.putObject("prompt_tokens_details").put("cached_tokens", 0);
        usage.putObject("completion_tokens_details").put("reasoning_tokens", reasoningTokens);
        switch (this) {
            case DEEPSEEK:
                usage.put("prompt_cache_hit_tokens", 0);
                usage.put("prompt_cache_miss_tokens", promptTokens);
                completion.put("system_fingerprint", "fp_harbor_sim_prefix_cache");
                break;
            case DOUBAO:
                completion.put("service_tier", "default");
                break;
            case WENXIN:
                break;
            default:
                completion.put("system_fingerprint", "fp_harbor_sim");
        }
    }

    /**
     * An error body in this provider's shape.
     *
     * @param param the offending request parameter, or null
     */
    public ObjectNode error(ErrorKind kind, String message, String param) {
        ObjectNode out = NODES.objectNode();
        ObjectNode e = out.putObject("error");
        switch (this) {
            case DOUBAO:
                e.put("code", arkCode(kind, param));
                e.put("message", message + " Request id: sim");
                e.put("param", param == null ? "" : param);
                e.put("type", arkType(kind));
                return out;
            case WENXIN:
                e.put("code", qianfanCode(kind));
                e.put("message", message);
                e.put("type", openAiType(kind));
                return out;
            default:
                e.put("message", message);
                e.put("type", openAiType(kind));
                if (param == null) {
                    e.putNull("param");
                } else {
                    e.put("param", param);
                }
                e.put("code", openAiCode(kind, param));
                return out;
        }
    }

    private String openAiType(ErrorKind kind) {
        switch (kind) {
            case RATE_LIMITED:
                return this == OPENAI ? "requests" : "rate_limit_error";
            case SERVER_ERROR:
                return "server_error";
            default:
                return "invalid_request_error";
        }
    }

    private String openAiCode(ErrorKind kind, String param) {
        switch (kind) {
            case RATE_LIMITED:
                return "rate_limit_exceeded";
            case SERVER_ERROR:
                return "server_error";
            default:
                if (this == DEEPSEEK) {
                    return "invalid_request_error";
                }
                return param == null ? "invalid_request_error" : "unsupported_parameter";
        }
    }

    private static String arkCode(ErrorKind kind, String param) {
        switch (kind) {
            case RATE_LIMITED:
                return "RateLimitExceeded.EndpointRPMExceeded";
            case SERVER_ERROR:
                return "InternalServiceError";
            default:
                return param == null ? "InvalidParameter" : "InvalidParameter." + param;
        }
    }

    private static String arkType(ErrorKind kind) {
        switch (kind) {
            case RATE_LIMITED:
                return "TooManyRequests";
            case SERVER_ERROR:
                return "InternalServiceError";
            default:
                return "BadRequest";
        }
    }

    private static String qianfanCode(ErrorKind kind) {
        switch (kind) {
            case RATE_LIMITED:
                return "rpm_rate_limit_exceeded";
            case SERVER_ERROR:
                return "internal_error";
            default:
                return "invalid_argument";
        }
    }
}
