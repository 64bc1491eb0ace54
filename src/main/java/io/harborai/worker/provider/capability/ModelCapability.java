package io.harborai.worker.provider.capability;

import java.util.Objects;
import java.util.Set;

/**
 * What one model accepts, as far as the request body is concerned. Looked up by model name in a
 * {@link CapabilityTable} and applied by {@link RequestAdapter}.
 *
 * @param reasoning the model thinks before answering (informational; reasoning models usually
 *     also list sampling parameters as unsupported)
 * @param unsupportedParams top-level body keys removed before sending (the provider rejects or
 *     ignores them)
 * @param maxTokensParam the body key that bounds output: {@code max_tokens} or {@code
 *     max_completion_tokens}; the other one is renamed to it
 * @param maxOutputTokens the model's output limit, a requested bound above it is clamped; 0 =
 *     unknown, no clamp
 * @param structured how far {@code response_format} is supported
 * @param streamOnly the provider serves this model only as a stream
 * @param stripReasoningInput remove {@code reasoning_content} from assistant messages in the
 *     input (DeepSeek answers 400 when it is sent back)
 * @param systemRole the role system messages are sent as: {@code system} or {@code developer}
 */
public record ModelCapability(
        boolean reasoning,
        Set<String> unsupportedParams,
        String maxTokensParam,
        int maxOutputTokens,
        StructuredSupport structured,
        boolean streamOnly,
        boolean stripReasoningInput,
        String systemRole) {

    public static final String MAX_TOKENS = "max_tokens";
    public static final String MAX_COMPLETION_TOKENS = "max_completion_tokens";

    /**
     * For models nobody described: an ordinary chat model that takes {@code max_tokens} and {@code
     * json_object}. JSON_OBJECT rather than JSON_SCHEMA because vLLM, Ollama, LiteLLM and the
     * simulator all accept {@code json_object} while {@code json_schema} support varies by version;
     * a schema is then asked for in the prompt, which every model can follow.
     */
    public static final ModelCapability DEFAULT =
            new ModelCapability(false, Set.of(), MAX_TOKENS, 0, StructuredSupport.JSON_OBJECT, false, false, "system");

    public ModelCapability {
        unsupportedParams = Set.copyOf(Objects.requireNonNull(unsupportedParams, "unsupportedParams"));
        if (!MAX_TOKENS.equals(maxTokensParam) && !MAX_COMPLETION_TOKENS.equals(maxTokensParam)) {
            throw new IllegalArgumentException(
                    "maxTokensParam must be max_tokens or max_completion_tokens, was " + maxTokensParam);
        }
        if (maxOutputTokens < 0) {
            throw new IllegalArgumentException("maxOutputTokens must be >= 0 (0 = unknown)");
        }
        Objects.requireNonNull(structured, "structured");
        if (!"system".equals(systemRole) && !"developer".equals(systemRole)) {
            throw new IllegalArgumentException("systemRole must be system or developer");
        }
    }

    /** A builder starting from this capability, for overrides that change a few fields. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Mutable copy used to derive capabilities. Not thread-safe; confined to the building thread.
     */
    public static final class Builder {
        private boolean reasoning;
        private Set<String> unsupportedParams;
        private String maxTokensParam;
        private int maxOutputTokens;
        private StructuredSupport structured;
        private boolean streamOnly;
        private boolean stripReasoningInput;
        private String systemRole;

        private Builder(ModelCapability c) {
            reasoning = c.reasoning;
            unsupportedParams = c.unsupportedParams;
            maxTokensParam = c.maxTokensParam;
            maxOutputTokens = c.maxOutputTokens;
            structured = c.structured;
            streamOnly = c.streamOnly;
            stripReasoningInput = c.stripReasoningInput;
            systemRole = c.systemRole;
        }

        public Builder reasoning(boolean v) {
            reasoning = v;
            return this;
        }

        public Builder unsupportedParams(Set<String> v) {
            unsupportedParams = v;
            return this;
        }

        public Builder maxTokensParam(String v) {
            maxTokensParam = v;
            return this;
        }

        public Builder maxOutputTokens(int v) {
            maxOutputTokens = v;
            return this;
        }

        public Builder structured(StructuredSupport v) {
            structured = v;
            return this;
        }

        public Builder streamOnly(boolean v) {
            streamOnly = v;
            return this;
        }

        public Builder stripReasoningInput(boolean v) {
            stripReasoningInput = v;
            return this;
        }

        public Builder systemRole(String v) {
            systemRole = v;
            return this;
        }

        public ModelCapability build() {
            return new ModelCapability(
                    reasoning,
                    unsupportedParams,
                    maxTokensParam,
                    maxOutputTokens,
                    structured,
                    streamOnly,
                    stripReasoningInput,
                    systemRole);
        }
    }
}
