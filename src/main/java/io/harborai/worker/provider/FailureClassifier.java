package io.harborai.worker.provider;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import okhttp3.Headers;

/**
 * The one place that turns a failed provider call into a {@link ProviderOutcome.Failure}.
 *
 * <p>HTTP: 401/403 → AUTH_FAILED, 408 → TIMEOUT, 429 → RATE_LIMITED, 409 → PROVIDER_ERROR
 * (retriable: an earlier call with the same Idempotency-Key is still running), other 4xx →
 * PROVIDER_REJECTED, 5xx → PROVIDER_ERROR, anything else that is not a chat completion →
 * INVALID_RESPONSE. I/O: timeouts → TIMEOUT, refused/unknown host/reset/other I/O →
 * CONNECTION_FAILED.
 *
 * <p>Messages name the provider and the model, quote the provider's own error text (OpenAI shape
 * {@code {"error":{"message","type","code"}}}, or the raw body) cut to {@value #MAX_DETAIL_CHARS}
 * characters, and have the configured API key and any {@code Bearer} token replaced by
 * {@code [REDACTED]}: providers do echo keys back in error bodies.
 *
 * <p>Thread-safe: immutable; used concurrently by OkHttp's callback threads.
 */
public final class FailureClassifier {
    /** Bound on the provider-supplied part of a message, so results stay small. */
    public static final int MAX_DETAIL_CHARS = 500;

    static final String REDACTED = "[REDACTED]";
    private static final Pattern BEARER = Pattern.compile("(?i)bearer\\s+[A-Za-z0-9._~+/=-]+");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String providerName;
    private final String apiKey;
    private final Clock clock;

    /**
     * @param providerName used in every message
     * @param apiKey the configured key (redacted from messages), or {@code null} when keyless
     * @param clock the time base for HTTP-date Retry-After values
     */
    public FailureClassifier(String providerName, String apiKey, Clock clock) {
        this.providerName = Objects.requireNonNull(providerName, "providerName");
        this.apiKey = apiKey == null || apiKey.isEmpty() ? null : apiKey;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Classifies a non-2xx HTTP response (or a 2xx that was not a chat completion). */
    public ProviderOutcome.Failure classify(String model, int status, Headers headers, String body, long latencyMs) {
        ErrorCode code;
        if (status == 401 || status == 403) {
            code = ErrorCode.AUTH_FAILED;
        } else if (status == 408) {
            code = ErrorCode.TIMEOUT;
        } else if (status == 429) {
            code = ErrorCode.RATE_LIMITED;
        } else if (status == 409) {
            code = ErrorCode.PROVIDER_ERROR;
        } else if (status >= 400 && status < 500) {
            code = ErrorCode.PROVIDER_REJECTED;
        } else if (status >= 500 && status < 600) {
            code = ErrorCode.PROVIDER_ERROR;
        } else {
            code = ErrorCode.INVALID_RESPONSE;
        }
        Duration retryAfter = headers == null ? null : retryAfter(headers, clock);
        String message = prefix(model) + "HTTP " + status + ": " + detail(providerErrorText(body));
        return new ProviderOutcome.Failure(code, redact(message), status, retryAfter, latencyMs);
    }

    /**
     * An error reported in a body whose HTTP status did not say so (an error body with 2xx, an error
     * event in a stream), classified by {@link ErrorBody#codeWithoutStatus()}.
     */
    public ProviderOutcome.Failure bodyError(String model, int status, ErrorBody error, long latencyMs) {
        String message = prefix(model) + "HTTP " + status + " with an error: " + detail(error.text());
        return new ProviderOutcome.Failure(error.codeWithoutStatus(), redact(message), status, null, latencyMs);
    }

    /** A 2xx response whose body could not be read as a chat completion. */
    public ProviderOutcome.Failure invalidResponse(String model, int status, String why, String body, long latencyMs) {
        String message = prefix(model) + "HTTP " + status + " but " + why + ": " + detail(providerErrorText(body));
        return new ProviderOutcome.Failure(ErrorCode.INVALID_RESPONSE, redact(message), status, null, latencyMs);
    }

    /** Classifies an I/O failure (no usable HTTP response). */
    public ProviderOutcome.Failure classify(String model, IOException e, long latencyMs) {
        // SocketTimeoutException and OkHttp's call timeout are InterruptedIOExceptions. Everything else
        // (refused, unknown host, reset, TLS, "unexpected end of stream") means the exchange broke
        // before a usable response, which is worth a retry.
        ErrorCode code = e instanceof InterruptedIOException ? ErrorCode.TIMEOUT : ErrorCode.CONNECTION_FAILED;
        String kind = e.getClass().getSimpleName();
        String text = e.getMessage() == null ? "" : ": " + e.getMessage();
        String message = prefix(model) + kind + detail(text);
        return new ProviderOutcome.Failure(code, redact(message), null, null, latencyMs);
    }

    /** A failure with a caller-chosen code (bad request, internal error), in the same format. */
    public ProviderOutcome.Failure failure(ErrorCode code, String model, String text, long latencyMs) {
        return new ProviderOutcome.Failure(code, redact(prefix(model) + detail(text)), null, null, latencyMs);
    }

    /** Replaces the configured key and any bearer token in {@code text}. */
    public String redact(String text) {
        if (text == null) {
            return null;
        }
        String out = apiKey == null ? text : text.replace(apiKey, REDACTED);
        return BEARER.matcher(out).replaceAll("Bearer " + REDACTED);
    }

    /**
     * Parses {@code Retry-After} (delta-seconds or HTTP-date) or, failing that, the
     * {@code retry-after-ms} header some OpenAI-compatible gateways send. Past dates give zero;
     * unparseable values give {@code null}.
     */
    public static Duration retryAfter(Headers headers, Clock clock) {
        String ms = headers.get("retry-after-ms");
        String value = headers.get("Retry-After");
        if (value == null && ms != null) {
            try {
                return Duration.ofMillis(Math.max(0, Long.parseLong(ms.trim())));
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return parseRetryAfter(value, clock);
    }

    /** Parses a {@code Retry-After} value; see {@link #retryAfter(Headers, Clock)}. */
    public static Duration parseRetryAfter(String value, Clock clock) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.trim();
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(v)));
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME)
                        .toInstant();
                Duration d = Duration.between(clock.instant(), at);
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException notDate) {
                return null;
            }
        }
    }

    private String prefix(String model) {
        return "provider '" + providerName + "' model '" + model + "': ";
    }

    /**
     * The provider's own error text: {@link ErrorBody#text()} for every known JSON shape (OpenAI,
     * Ark/Qianfan v2 with {@code id}, Qianfan v1 {@code error_code}), else the raw body.
     */
    static String providerErrorText(String body) {
        if (body == null || body.isBlank()) {
            return "(empty body)";
        }
        try {
            Optional<ErrorBody> err = ErrorBody.parse(JSON.readTree(body));
            if (err.isPresent()) {
                return err.get().text();
            }
        } catch (IOException | RuntimeException notJson) {
            // fall through to the raw body: proxies answer with HTML or plain text
        }
        return body.strip();
    }

    /** Redacts before truncating, so a cut can never leave a prefix of the key behind. */
    private String detail(String text) {
        String clean = redact(text);
        if (clean.length() <= MAX_DETAIL_CHARS) {
            return clean;
        }
        int end = MAX_DETAIL_CHARS;
        if (Character.isHighSurrogate(clean.charAt(end - 1))) {
            end--;
        }
        return clean.substring(0, end) + "…";
    }
}
