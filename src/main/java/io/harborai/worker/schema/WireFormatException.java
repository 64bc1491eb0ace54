package io.harborai.worker.schema;

import java.util.OptionalInt;
import org.apache.kafka.common.errors.SerializationException;

/**
 * A record value that could not be turned back into an Avro object, with a machine-readable
 * {@link Reason}. The topology copies {@link #reason()} into dead-letter headers, so each reason
 * names exactly one cause: a bad payload ({@link Reason#NULL_OR_EMPTY}, {@link
 * Reason#BAD_MAGIC_BYTE}, {@link Reason#TOO_SHORT}, {@link Reason#UNDECODABLE}), a schema id the
 * registry does not know ({@link Reason#UNKNOWN_SCHEMA_ID}), or a registry that could not answer
 * ({@link Reason#REGISTRY_UNAVAILABLE}, the only reason where retrying the same bytes may succeed).
 */
public final class WireFormatException extends SerializationException {
    private static final long serialVersionUID = 1L;

    /** Why a payload was rejected; stable names, used as DLQ header values. */
    public enum Reason {
        /** The payload was null or had no bytes. */
        NULL_OR_EMPTY,
        /** The first byte was not {@link ConfluentWireFormat#MAGIC_BYTE}: not Confluent-framed data. */
        BAD_MAGIC_BYTE,
        /** Framed, but shorter than {@link ConfluentWireFormat#HEADER_SIZE}: no complete schema id. */
        TOO_SHORT,
        /** The registry answered 404 for the schema id (error 40403): nobody can read this record. */
        UNKNOWN_SCHEMA_ID,
        /** The registry was unreachable or failed (I/O error, 5xx, auth): the record may be fine. */
        REGISTRY_UNAVAILABLE,
        /** The Avro body did not decode with the writer schema (truncated, corrupt, unresolvable). */
        UNDECODABLE
    }

    private final Reason reason;
    private final int schemaId;

    WireFormatException(Reason reason, String message) {
        this(reason, -1, message, null);
    }

    WireFormatException(Reason reason, int schemaId, String message, Throwable cause) {
        super(reason + ": " + message, cause);
        this.reason = reason;
        this.schemaId = schemaId;
    }

    /** The machine-readable cause. */
    public Reason reason() {
        return reason;
    }

    /** The schema id read from the header, when the payload got that far. */
    public OptionalInt schemaId() {
        return schemaId < 0 ? OptionalInt.empty() : OptionalInt.of(schemaId);
    }
}
