package io.harborai.worker.provider;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One configured OpenAI-compatible provider.
 *
 * <p>Holds where the API key is (the <em>name</em> of an environment variable, or the path of a
 * file), never the key itself, so this record (and its {@code toString()}) is safe to log. Both
 * are {@code null} for keyless servers (a local vLLM, the simulator); at most one is set.
 *
 * @param name unique provider name, used in results, metrics and messages
 * @param baseUrl e.g. {@code https://api.deepseek.com} or {@code http://host:8000/v1};
 *     {@code /chat/completions} is appended
 * @param apiKeyEnv name of the environment variable holding the key, or {@code null}
 * @param models exact model names or globs ({@code *} any run of characters, {@code ?} one)
 * @param connectTimeout TCP/TLS connect timeout
 * @param readTimeout maximum gap between bytes read
 * @param writeTimeout maximum gap between bytes written
 * @param callTimeout bound on the whole call, including reading the body
 * @param dialect how this provider differs from plain OpenAI (error bodies, usage, stream options)
 * @param stream whether every call streams (SSE); the result is assembled into the same outcome
 * @param ttftTimeout longest wait for the first content or reasoning token; {@link Duration#ZERO}
 *     = none. When positive, calls stream so the first token can be observed.
 * @param apiKeyFile path of a file holding the key (a mounted Kubernetes Secret), or {@code null}
 */
public record ProviderSpec(
        String name,
        String baseUrl,
        String apiKeyEnv,
        List<String> models,
        Duration connectTimeout,
        Duration readTimeout,
        Duration writeTimeout,
        Duration callTimeout,
        Dialect dialect,
        boolean stream,
        Duration ttftTimeout,
        String apiKeyFile) {

    /** Defaults suited to LLM calls: quick connect, long read for slow generations. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(120);
    public static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(180);

    public ProviderSpec {
        requireText(name, "name");
        requireText(baseUrl, "baseUrl");
        if (apiKeyEnv != null && apiKeyEnv.isBlank()) {
            throw new IllegalArgumentException("provider '" + name + "': apiKeyEnv must not be blank");
        }
        Objects.requireNonNull(models, "models");
        if (models.isEmpty() || models.stream().anyMatch(m -> m == null || m.isBlank())) {
            throw new IllegalArgumentException(
                    "provider '" + name + "': models must be a non-empty list of non-blank names or globs");
        }
        models = List.copyOf(models);
        requireNonNegative(name, connectTimeout, "connectTimeout");
        requireNonNegative(name, readTimeout, "readTimeout");
        requireNonNegative(name, writeTimeout, "writeTimeout");
        requireNonNegative(name, callTimeout, "callTimeout");
        Objects.requireNonNull(dialect, "dialect");
        requireNonNegative(name, ttftTimeout, "ttftTimeout");
        if (apiKeyFile != null && (apiKeyFile.isBlank() || apiKeyEnv != null)) {
            throw new IllegalArgumentException(
                    "provider '" + name + "': apiKeyFile must be non-blank, and apiKeyEnv null when it is set");
        }
    }

    /** Whether calls stream: always when configured, or to watch for the first token. */
    public boolean streamsAlways() {
        return stream || ttftTimeout.compareTo(Duration.ZERO) > 0;
    }

    /** This spec with another dialect. */
    public ProviderSpec withDialect(Dialect d) {
        return new ProviderSpec(
                name,
                baseUrl,
                apiKeyEnv,
                models,
                connectTimeout,
                readTimeout,
                writeTimeout,
                callTimeout,
                d,
                stream,
                ttftTimeout,
                apiKeyFile);
    }

    /** This spec with streaming switched on or off and the given first-token timeout. */
    public ProviderSpec withStreaming(boolean alwaysStream, Duration ttft) {
        return new ProviderSpec(
                name,
                baseUrl,
                apiKeyEnv,
                models,
                connectTimeout,
                readTimeout,
                writeTimeout,
                callTimeout,
                dialect,
                alwaysStream,
                ttft,
                apiKeyFile);
    }

    /** A GENERIC spec with the default timeouts that never streams. */
    public static ProviderSpec of(String name, String baseUrl, String apiKeyEnv, List<String> models) {
        return new ProviderSpec(
                name,
                baseUrl,
                apiKeyEnv,
                models,
                DEFAULT_CONNECT_TIMEOUT,
                DEFAULT_READ_TIMEOUT,
                DEFAULT_WRITE_TIMEOUT,
                DEFAULT_CALL_TIMEOUT,
                Dialect.GENERIC,
                false,
                Duration.ZERO,
                null);
    }

    private static void requireText(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("provider " + field + " must not be blank");
        }
    }

    private static void requireNonNegative(String name, Duration d, String field) {
        if (d == null || d.isNegative()) {
            throw new IllegalArgumentException(
                    "provider '" + name + "': " + field + " must be a non-negative duration (0 = none)");
        }
    }
}
