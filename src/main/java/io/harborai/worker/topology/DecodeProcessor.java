package io.harborai.worker.topology;

import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.schema.WireFormatException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Decodes Confluent-framed Avro request bytes and validates them. Forwards one of three shapes,
 * which the topology routes by value type; nothing is dropped:
 * <ul>
 *   <li>a {@link Taken} keyed by request id, valid or not (an oversized record is decoded too, its
 *       bytes are in memory anyway), for the id ledger;
 *   <li>a {@link MisKeyed} keyed by request id, when the record's key was not its id: the original
 *       bytes, with the {@link Origin} in headers, for the repartition by id that brings it to the
 *       task owning that id (only on the request topics: {@code rekeyed} is false);
 *   <li>the original key and value bytes with DLQ headers, when no id can be read: bytes that do not
 *       decode, or a request with a blank id.
 * </ul>
 *
 * <p>An unreachable schema registry is not the record's fault: that error is rethrown so the
 * stream thread is replaced and the record retried from the last commit (Kafka is the buffer).
 *
 * <p>Runs on one stream thread per task; holds no mutable state.
 */
final class DecodeProcessor implements Processor<byte[], byte[], Object, Object> {
    /** The original value bytes of a record to repartition by its id. */
    record MisKeyed(byte[] value) {}

    private final Deserializer<ChatRequest> deserializer;
    private final RequestValidator validator;
    private final int maxBytes;
    private final boolean rekeyed;
    private final TopologyMeters meters;
    private ProcessorContext<Object, Object> context;
    private DeadLetters dlq;

    /** @param rekeyed whether records come from the repartition by id (their origin is in headers) */
    DecodeProcessor(
            Deserializer<ChatRequest> deserializer,
            RequestValidator validator,
            int maxBytes,
            boolean rekeyed,
            TopologyMeters meters) {
        this.deserializer = deserializer;
        this.validator = validator;
        this.maxBytes = maxBytes;
        this.rekeyed = rekeyed;
        this.meters = meters;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.dlq = new DeadLetters(context, meters);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        Origin origin =
                rekeyed ? Origin.takeFrom(record.headers(), context, record.key()) : Origin.of(context, record.key());
        byte[] value = record.value();
        String oversized = value != null && value.length > maxBytes
                ? value.length + " bytes exceeds worker.request-max-bytes=" + maxBytes
                : null;
        ChatRequest request;
        try {
            request = deserializer.deserialize(origin.topic(), record.headers(), value);
        } catch (WireFormatException e) {
            if (e.reason() == WireFormatException.Reason.REGISTRY_UNAVAILABLE) {
                throw e;
            }
            dead(record, origin, oversized, map(e.reason()), e.getMessage());
            return;
        } catch (RuntimeException e) {
            dead(
                    record,
                    origin,
                    oversized,
                    DlqReason.UNDECODABLE,
                    e.getClass().getSimpleName() + ": " + e.getMessage());
            return;
        }
        if (request == null) {
            dead(record, origin, oversized, DlqReason.EMPTY, "null value");
            return;
        }
        String id = request.getId();
        boolean hasId = id != null && !id.isBlank();
        if (hasId && !rekeyed) {
            byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
            if (!Arrays.equals(idBytes, record.key())) {
                // Validated after the hop, by the second decode: not twice.
                origin.writeTo(record.headers());
                context.forward(
                        new Record<Object, Object>(idBytes, new MisKeyed(value), record.timestamp(), record.headers()));
                return;
            }
        }
        DlqReason problem = oversized == null ? null : DlqReason.OVERSIZED;
        String detail = oversized;
        if (problem == null) {
            List<String> problems = validator.problems(request);
            if (!problems.isEmpty()) {
                problem = DlqReason.INVALID_REQUEST;
                detail = String.join("; ", problems);
            }
        }
        if (!hasId) {
            dlq.send(origin, value, record.timestamp(), record.headers(), problem, detail);
            return;
        }
        context.forward(new Record<Object, Object>(
                id, new Taken(request, origin, value, problem, detail), record.timestamp(), record.headers()));
    }

    /** Bytes without a readable id; an oversized record is named for its size first. */
    private void dead(Record<byte[], byte[]> record, Origin origin, String oversized, DlqReason reason, String detail) {
        if (oversized != null) {
            dlq.send(
                    origin,
                    record.value(),
                    record.timestamp(),
                    record.headers(),
                    DlqReason.OVERSIZED,
                    oversized + "; " + detail);
        } else {
            dlq.send(origin, record.value(), record.timestamp(), record.headers(), reason, detail);
        }
    }

    private static DlqReason map(WireFormatException.Reason reason) {
        return switch (reason) {
            case NULL_OR_EMPTY -> DlqReason.EMPTY;
            case BAD_MAGIC_BYTE -> DlqReason.BAD_MAGIC_BYTE;
            case TOO_SHORT -> DlqReason.TOO_SHORT;
            case UNKNOWN_SCHEMA_ID -> DlqReason.UNKNOWN_SCHEMA_ID;
            default -> DlqReason.UNDECODABLE;
        };
    }
}
