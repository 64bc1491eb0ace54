package io.harborai.worker.topology;

/** Why a record went to the dead-letter topic; written as the {@code harbor.dlq.reason} header. */
public enum DlqReason {
    /** Null or empty value bytes. */
    EMPTY,
    /** First byte is not the Confluent magic byte 0. */
    BAD_MAGIC_BYTE,
    /** Fewer bytes than the 5-byte wire-format header. */
    TOO_SHORT,
    /** The registry does not know the schema id. */
    UNKNOWN_SCHEMA_ID,
    /** The Avro body does not decode with the writer schema. */
    UNDECODABLE,
    /** The record is larger than {@code worker.request-max-bytes}. */
    OVERSIZED,
    /** Decoded, but not a request the worker can serve (see the detail header). */
    INVALID_REQUEST,
    /**
     * The request id was already taken within {@code dedupe.id-retention-ms}; the detail says when
     * and where it was first seen. No provider call, no second result.
     */
    DUPLICATE_ID
}
