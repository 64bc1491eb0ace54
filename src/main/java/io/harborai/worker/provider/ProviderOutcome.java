package io.harborai.worker.provider;

import io.harborai.worker.avro.ChatResponse;
import io.harborai.worker.avro.ErrorInfo;
import io.harborai.worker.avro.Usage;
import java.time.Duration;
import java.util.Objects;

/**
 * The result of one provider call: exactly one of {@link Success} or {@link Failure}.
 *
 * <p>Provider clients never throw for a failed call; every failure is a {@link Failure} with a
 * code from the closed {@link ErrorCode} set, so callers handle outcomes with one switch. Failure
 * messages name the provider and the model and never contain an API key.
 */
public sealed interface ProviderOutcome permits ProviderOutcome.Success, ProviderOutcome.Failure {

    /** Wall-clock time of the call, from sending the request to having read (or failed) the body. */
    long latencyMs();

    /**
     * A 2xx chat completion.
     *
     * @param response parsed first choice; {@code body_json} holds the provider's body verbatim
     * @param usage token usage, or {@code null} when the provider sent none
     * @param modelUsed the model the provider reports (falls back to the model requested)
     * @param requestId the provider's request id ({@code x-request-id} header, else the body id);
     *     may be {@code null}
     * @param httpStatus the HTTP status (2xx)
     * @param latencyMs call latency in milliseconds
     */
    record Success(
            ChatResponse response, Usage usage, String modelUsed, String requestId, int httpStatus, long latencyMs)
            implements ProviderOutcome {
        public Success {
            Objects.requireNonNull(response, "response");
        }
    }

    /**
     * A failed call.
     *
     * @param code the classified error
     * @param message human-readable, names provider and model, secrets redacted, bounded length
     * @param httpStatus the HTTP status when a response arrived, else {@code null}
     * @param retryAfter the provider's Retry-After hint, or {@code null}
     * @param latencyMs call latency in milliseconds
     */
    record Failure(ErrorCode code, String message, Integer httpStatus, Duration retryAfter, long latencyMs)
            implements ProviderOutcome {
        public Failure {
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(message, "message");
        }

        /** Whether the same request may be tried again; decided by {@link #code()} alone. */
        public boolean retryable() {
            return code.retryable();
        }

        /** This failure as the Avro {@code ChatResult.error} value. */
        public ErrorInfo toErrorInfo() {
            return ErrorInfo.newBuilder()
                    .setCode(code.name())
                    .setMessage(message)
                    .setHttpStatus(httpStatus)
                    .setRetryable(retryable())
                    .build();
        }
    }
}
