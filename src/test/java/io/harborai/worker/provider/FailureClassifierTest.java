package io.harborai.worker.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import okhttp3.Headers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FailureClassifierTest {
    static final String KEY = "sk-test-SECRET-0123456789abcdef";
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-03T10:00:00Z"), ZoneOffset.UTC);
    final FailureClassifier classifier = new FailureClassifier("deepseek", KEY, CLOCK);

    @ParameterizedTest
    @CsvSource({
        "400, PROVIDER_REJECTED, false",
        "401, AUTH_FAILED, false",
        "403, AUTH_FAILED, false",
        "404, PROVIDER_REJECTED, false",
        "408, TIMEOUT, true",
        "409, PROVIDER_ERROR, true",
        "422, PROVIDER_REJECTED, false",
        "429, RATE_LIMITED, true",
        "500, PROVIDER_ERROR, true",
        "503, PROVIDER_ERROR, true",
        "302, INVALID_RESPONSE, true"
    })
    void shouldClassifyHttpStatus(int status, ErrorCode code, boolean retryable) {
        ProviderOutcome.Failure f = classifier.classify("m", status, Headers.of(), "", 5);

        assertThat(f.code()).isEqualTo(code);
        assertThat(f.retryable()).isEqualTo(retryable);
        assertThat(f.httpStatus()).isEqualTo(status);
        assertThat(f.latencyMs()).isEqualTo(5);
    }

    @Test
    void shouldNameProviderAndModelAndQuoteTheOpenAiErrorMessage() {
        String body = "{\"error\":{\"message\":\"Invalid value for temperature\",\"type\":\"invalid_request_error\","
                + "\"code\":\"invalid_value\"}}";

        ProviderOutcome.Failure f = classifier.classify("deepseek-chat", 400, Headers.of(), body, 1);

        assertThat(f.message())
                .isEqualTo("provider 'deepseek' model 'deepseek-chat': HTTP 400: Invalid value for temperature"
                        + " (type=invalid_request_error) (code=invalid_value)");
        assertThat(f.toErrorInfo().getCode()).isEqualTo("PROVIDER_REJECTED");
    }

    @Test
    void shouldRedactTheApiKeyWhenTheProviderEchoesIt() {
        String body =
                "{\"error\":{\"message\":\"Incorrect API key provided: " + KEY + ". Header was Bearer " + KEY + "\"}}";

        ProviderOutcome.Failure f = classifier.classify("m", 401, Headers.of(), body, 1);

        assertThat(f.message()).doesNotContain(KEY).doesNotContain("SECRET").contains("[REDACTED]");
    }

    @Test
    void shouldRedactBeforeTruncatingSoNoKeyPrefixSurvives() {
        String body = "x".repeat(FailureClassifier.MAX_DETAIL_CHARS - 10) + KEY + "y".repeat(1000);

        ProviderOutcome.Failure f = classifier.classify("m", 500, Headers.of(), body, 1);

        assertThat(f.message()).doesNotContain("sk-test").endsWith("…");
        assertThat(f.message().length()).isLessThan(FailureClassifier.MAX_DETAIL_CHARS + 100);
    }

    @Test
    void shouldUseTheRawBodyWhenItIsNotJson() {
        ProviderOutcome.Failure f = classifier.classify("m", 502, Headers.of(), "<html>Bad Gateway</html>", 1);

        assertThat(f.message()).endsWith("HTTP 502: <html>Bad Gateway</html>");
    }

    @Test
    void shouldParseRetryAfterSeconds() {
        ProviderOutcome.Failure f = classifier.classify("m", 429, Headers.of("Retry-After", "7"), "", 1);

        assertThat(f.retryAfter()).isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void shouldParseRetryAfterHttpDateAgainstTheInjectedClock() {
        ProviderOutcome.Failure f =
                classifier.classify("m", 429, Headers.of("Retry-After", "Tue, 03 Nov 2026 10:00:30 GMT"), "", 1);

        assertThat(f.retryAfter()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void shouldTreatPastDatesAsZeroAndGarbageAsAbsent() {
        assertThat(FailureClassifier.parseRetryAfter("Mon, 02 Nov 2026 10:00:00 GMT", CLOCK))
                .isEqualTo(Duration.ZERO);
        assertThat(FailureClassifier.parseRetryAfter("soon", CLOCK)).isNull();
        assertThat(FailureClassifier.parseRetryAfter(null, CLOCK)).isNull();
        assertThat(FailureClassifier.retryAfter(Headers.of("retry-after-ms", "1500"), CLOCK))
                .isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void shouldClassifyIoFailures() {
        assertThat(io(new SocketTimeoutException("Read timed out"))).isEqualTo(ErrorCode.TIMEOUT);
        assertThat(io(new InterruptedIOException("timeout"))).isEqualTo(ErrorCode.TIMEOUT);
        assertThat(io(new ConnectException("Connection refused"))).isEqualTo(ErrorCode.CONNECTION_FAILED);
        assertThat(io(new UnknownHostException("api.example"))).isEqualTo(ErrorCode.CONNECTION_FAILED);
        assertThat(io(new SocketException("Connection reset"))).isEqualTo(ErrorCode.CONNECTION_FAILED);
        assertThat(io(new IOException("unexpected end of stream"))).isEqualTo(ErrorCode.CONNECTION_FAILED);
    }

    @Test
    void shouldRedactKeysFromExceptionMessages() {
        ProviderOutcome.Failure f = classifier.classify("m", new IOException("failed for " + KEY), 3);

        assertThat(f.message())
                .startsWith("provider 'deepseek' model 'm': IOException")
                .doesNotContain(KEY);
        assertThat(f.httpStatus()).isNull();
    }

    private ErrorCode io(IOException e) {
        return classifier.classify("m", e, 1).code();
    }
}
