package io.harborai.worker.provider;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What differs between OpenAI-compatible providers that the worker talks to: default base URL and
 * key variable, whether {@code stream_options.include_usage} is accepted, and how error bodies and
 * usage are read (see {@link ErrorBody} and {@link UsageReader}).
 *
 * <p>Everything request-shaped that depends on the <em>model</em> (unsupported parameters, token
 * limits, structured output) lives in the capability table instead; a dialect is per provider.
 *
 * <p>Immutable constants; thread-safe.
 */
public enum Dialect {
    /** api.openai.com. */
    OPENAI("https://api.openai.com/v1", "OPENAI_API_KEY", true),
    /** DeepSeek; usage carries {@code prompt_cache_hit_tokens}. */
    DEEPSEEK("https://api.deepseek.com", "DEEPSEEK_API_KEY", true),
    /** Volcengine Ark (Doubao); errors carry a string {@code code} like {@code RateLimitExceeded.EndpointRPMExceeded}. */
    DOUBAO("https://ark.cn-beijing.volces.com/api/v3", "ARK_API_KEY", true),
    /**
     * Baidu Qianfan v2 (ERNIE). May still answer with v1-style {@code {"error_code":N,"error_msg":..}}
     * bodies, even with HTTP 200; those are failures.
     */
    WENXIN("https://qianfan.baidubce.com/v2", "QIANFAN_API_KEY", true),
    /**
     * Any other OpenAI-compatible server (vLLM, Ollama, LiteLLM): no default URL, no key. Assumed not
     * to accept {@code stream_options}, since older vLLM/Ollama builds reject unknown fields; usage
     * is still read from a final chunk if the server sends one.
     */
    GENERIC(null, null, false);

    private final String defaultBaseUrl;
    private final String defaultApiKeyEnv;
    private final boolean streamUsage;

    Dialect(String defaultBaseUrl, String defaultApiKeyEnv, boolean streamUsage) {
        this.defaultBaseUrl = defaultBaseUrl;
        this.defaultApiKeyEnv = defaultApiKeyEnv;
        this.streamUsage = streamUsage;
    }

    /** The documented public endpoint, or empty when the dialect has none (GENERIC). */
    public Optional<String> defaultBaseUrl() {
        return Optional.ofNullable(defaultBaseUrl);
    }

    /** The conventional key variable, or empty for keyless servers. */
    public Optional<String> defaultApiKeyEnv() {
        return Optional.ofNullable(defaultApiKeyEnv);
    }

    /** Whether a streamed request may carry {@code stream_options: {include_usage: true}}. */
    public boolean acceptsStreamUsage() {
        return streamUsage;
    }

    /** The config spelling: {@code openai}, {@code deepseek}, ... */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** All config spellings, for error messages. */
    public static List<String> configNames() {
        return Arrays.stream(values()).map(Dialect::configName).toList();
    }

    /** Parses a config spelling (case-insensitive); empty when unknown. */
    public static Optional<Dialect> fromConfig(String value) {
        if (value == null) {
            return Optional.empty();
        }
        String v = value.strip().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(d -> d.configName().equals(v)).findFirst();
    }
}
