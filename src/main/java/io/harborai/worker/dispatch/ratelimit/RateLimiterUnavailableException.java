package io.harborai.worker.dispatch.ratelimit;

/**
 * The shared rate-limit store did not answer in time or answered with an error. The message
 * names what failed and how, never an address with credentials.
 */
public final class RateLimiterUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param cause the client's exception; may be null for a plain timeout */
    public RateLimiterUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
