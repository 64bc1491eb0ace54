package io.harborai.worker.schema;

/**
 * A schema registry call that failed, with the HTTP status and the registry's own {@code
 * error_code}. Messages never carry credentials: URLs in them have their user info removed.
 *
 * <p>{@link #httpStatus()} is {@link #NO_RESPONSE} when no HTTP answer arrived (connection refused,
 * timeout); {@link #errorCode()} is then {@link #NO_RESPONSE} too. When the registry answers
 * without a Confluent error body, the error code is the HTTP status, as Confluent does itself.
 */
public final class SchemaRegistryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Status and code when there was no HTTP response at all. */
    public static final int NO_RESPONSE = -1;

    /** Subject not found. */
    public static final int SUBJECT_NOT_FOUND = 40401;

    /** Version not found. */
    public static final int VERSION_NOT_FOUND = 40402;

    /** Schema (id, or schema under a subject) not found. */
    public static final int SCHEMA_NOT_FOUND = 40403;

    /** The schema is incompatible with the latest version (HTTP 409). */
    public static final int INCOMPATIBLE = 409;

    /** The schema text is not a valid schema. */
    public static final int INVALID_SCHEMA = 42201;

    /** The version is neither {@code latest} nor a positive number. */
    public static final int INVALID_VERSION = 42202;

    private final int httpStatus;
    private final int errorCode;

    SchemaRegistryException(String message, int httpStatus, int errorCode, Throwable cause) {
        super(message, cause);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    /** The HTTP status, or {@link #NO_RESPONSE}. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The registry's {@code error_code} (e.g. 40403), or {@link #NO_RESPONSE}. */
    public int errorCode() {
        return errorCode;
    }

    /** True when the registry answered 404: the thing asked for does not exist (yet). */
    public boolean isNotFound() {
        return httpStatus == 404;
    }

    /**
     * True when retrying later might help: no response, 5xx, 408 or 429. Auth failures (401/403) are
     * not retriable by waiting but do not mean the asked-for schema is missing either.
     */
    public boolean isRetriable() {
        return httpStatus == NO_RESPONSE || httpStatus >= 500 || httpStatus == 408 || httpStatus == 429;
    }
}
