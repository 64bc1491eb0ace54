package io.harborai.worker.topology;

import io.harborai.worker.avro.ChatRequest;

/**
 * A decoded request whose id could be read, on its way from the decode step to the id ledger
 * (in memory, within one task: it is never serialized). Valid or not: the ledger decides first
 * whether the id is new, then answers an invalid one FAILED and dead-letters it.
 *
 * @param value the original value bytes, for the DLQ record
 * @param problem why the request cannot be served ({@code OVERSIZED} or {@code INVALID_REQUEST}), or
 *     null when it is valid
 * @param detail what is wrong, for the FAILED result and the DLQ record; null when valid
 */
record Taken(ChatRequest request, Origin origin, byte[] value, DlqReason problem, String detail) {}
