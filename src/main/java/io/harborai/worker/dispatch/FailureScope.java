package io.harborai.worker.dispatch;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.harborai.worker.provider.ProviderOutcome;

/**
 * Whose fault a failed call is: the one rule that tells a request's own failure from provider-wide
 * trouble. A request ends FAILED only through its own doing; provider-wide trouble only delays it.
 *
 * <ul>
 *   <li>A permanent (non-retryable) failure is always the request's {@link #OWN}: it ends the request
 *       on that model (a fallback model may still take it).
 *   <li>{@link #PROVIDER_WIDE} always: 429 (throttling), HTTP 502/503/504 (a gateway or the provider
 *       is down or overloaded) and connection failures (refused, reset, unknown host). None of them
 *       says anything about the request's content.
 *   <li>Any other retryable failure (a 500, a timeout, a malformed body) is {@link #PROVIDER_WIDE}
 *       while the provider's circuit breaker is not CLOSED (it is failing for many requests), and the
 *       request's {@link #OWN} while it is CLOSED: a 500 for one request while other requests to the
 *       same provider succeed is that request's own problem.
 * </ul>
 *
 * <p>An {@link #OWN} failure uses up one of the request's {@code dispatch.max-attempts} on the model; a
 * {@link #PROVIDER_WIDE} one does not: the request is retried with backoff (within the retry budget and
 * through the breaker) until its own deadline. Stateless.
 */
enum FailureScope {
    OWN,
    PROVIDER_WIDE;

    /** Where {@code f} belongs while the provider's breaker is in {@code breaker}. */
    static FailureScope of(ProviderOutcome.Failure f, CircuitBreaker.State breaker) {
        if (!f.retryable()) {
            return OWN;
        }
        return alwaysProviderWide(f) || breaker != CircuitBreaker.State.CLOSED ? PROVIDER_WIDE : OWN;
    }

    /** 429, 502, 503, 504 and connection failures: provider-wide whatever the breaker says. */
    static boolean alwaysProviderWide(ProviderOutcome.Failure f) {
        Integer status = f.httpStatus();
        return switch (f.code()) {
            case RATE_LIMITED, CONNECTION_FAILED -> true;
            default -> status != null && (status == 502 || status == 503 || status == 504);
        };
    }
}
