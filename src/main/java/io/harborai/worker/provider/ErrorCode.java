package io.harborai.worker.provider;

/**
 * The closed set of error codes written into {@code ChatResult.error.code}.
 *
 * <p>Every failed provider call maps to exactly one code (see {@link FailureClassifier}); consumers
 * may switch on {@link #name()} and rely on the set not growing silently. {@link #retryable()} says
 * whether the dispatcher may try the same request again (possibly on a fallback model); a
 * non-retryable code ends the request with a FAILED result.
 */
public enum ErrorCode {
    /** The request itself is malformed (bad JSON field, missing model/messages). Never retried. */
    INVALID_REQUEST(false),
    /** No configured provider serves the requested model. The worker never guesses one. */
    UNKNOWN_MODEL(false),
    /** HTTP 401/403: the key is missing, wrong or lacks access. Retrying cannot fix it. */
    AUTH_FAILED(false),
    /** HTTP 429: back off (honouring Retry-After when given) and try again. */
    RATE_LIMITED(true),
    /** Any other HTTP 4xx: the provider refused this request as sent. */
    PROVIDER_REJECTED(false),
    /**
     * HTTP 5xx, and 409 Conflict (the provider still works on a request with the same
     * Idempotency-Key, e.g. one sent before a worker crash): usually transient.
     */
    PROVIDER_ERROR(true),
    /** Connect, read, write or whole-call timeout (and HTTP 408). */
    TIMEOUT(true),
    /** Could not connect or the connection broke (refused, unknown host, reset, TLS). */
    CONNECTION_FAILED(true),
    /**
     * A 2xx whose body is not a chat completion. Retryable because the usual cause is a truncated
     * body or a misbehaving proxy, not the request.
     */
    INVALID_RESPONSE(true),
    /**
     * The provider's circuit breaker is open. Kept in the closed set for consumers that switch on it,
     * but no longer written: an open circuit delays a request until half-open probes go through, it
     * never fails it (a request fails only for its own reasons).
     */
    CIRCUIT_OPEN(true),
    /** The request's deadline passed before a result could be produced. */
    DEADLINE_EXCEEDED(false),
    /**
     * The answer to a structured-output request (response_format json_schema or json_object) was
     * still not valid JSON for its schema after the configured number of attempts (re-asks with the
     * validation errors included).
     */
    SCHEMA_VALIDATION(false),
    /** The request's tenant has spent its daily budget; no provider call was made. */
    BUDGET_EXCEEDED(false),
    /**
     * The request's batch was cancelled (gateway {@code POST /v1/batches/{id}/cancel} or {@code
     * harbor cancel}) before the request was dispatched; no provider call was made.
     */
    BATCH_CANCELLED(false),
    /** The request's batch passed the end of its {@code completion_window} before the request was dispatched. */
    BATCH_EXPIRED(false),
    /** A bug or unexpected state in the worker itself. */
    INTERNAL(false);

    private final boolean retryable;

    ErrorCode(boolean retryable) {
        this.retryable = retryable;
    }

    /** Whether a later attempt of the same request may succeed. */
    public boolean retryable() {
        return retryable;
    }
}
