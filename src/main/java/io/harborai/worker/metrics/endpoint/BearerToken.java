package io.harborai.worker.metrics.endpoint;

import com.sun.net.httpserver.HttpExchange;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The bearer token an HTTP endpoint asks for ({@code metrics.bearer-token-file}), or none. Shared
 * by the worker's {@link MetricsServer} and the gateway's {@code /metrics}.
 *
 * <p>Compares in constant time; {@link #toString()} never shows the token. Immutable, thread-safe.
 */
public final class BearerToken {
    /** Content type of the body {@link #challenge} returns. */
    public static final String REFUSAL_CONTENT_TYPE = "text/plain; charset=utf-8";

    private static final BearerToken NONE = new BearerToken(null);

    private final byte[] expected;

    private BearerToken(byte[] expected) {
        this.expected = expected;
    }

    /** A check for {@code token}; null or blank = no check (every request is admitted). */
    public static BearerToken of(String token) {
        return token == null || token.isBlank() ? NONE : new BearerToken(token.getBytes(StandardCharsets.UTF_8));
    }

    /** Whether {@code ex}, by its {@code Authorization} header, may pass. */
    public boolean admitsRequest(HttpExchange ex) {
        return admits(ex.getRequestHeaders().getFirst("Authorization"));
    }

    /**
     * Refuses {@code ex}, which {@link #admitsRequest} did not let pass: sets the RFC 6750 challenge
     * header and returns the body of the 401 ({@value #REFUSAL_CONTENT_TYPE}). The one refusal of
     * the worker's and the gateway's {@code /metrics}.
     */
    public static String challenge(HttpExchange ex) {
        ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"harbor-metrics\"");
        return "unauthorized: /metrics needs a bearer token\n";
    }

    /** Whether a request with this {@code Authorization} header value (null = none) may pass. */
    public boolean admits(String authorization) {
        if (expected == null) {
            return true;
        }
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] given = authorization.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(expected, given);
    }

    @Override
    public String toString() {
        return expected == null ? "BearerToken[none]" : "BearerToken[hidden]";
    }
}
