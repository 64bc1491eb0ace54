package io.harborai.worker.topology;

import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.PendingRequest;
import io.harborai.worker.cache.CacheRuntime;
import io.harborai.worker.schema.WireFormatException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes Confluent-framed Avro request bytes and validates them. A valid request is forwarded as a
 * {@link PendingRequest} stamped with the time the worker took it, keyed by its cache key (by its id
 * when the cache is off); anything else is forwarded as the original key and value bytes with the
 * original headers plus headers naming the reason and the source position, for the DLQ. Nothing is
 * dropped. The topology routes the two by value type.
 *
 * <p>An unreachable schema registry is not the record's fault: that error is rethrown so the
 * stream thread is replaced and the record retried from the last commit (Kafka is the buffer).
 *
 * <p>Runs on one stream thread per task; holds no mutable state.
 */
final class DecodeProcessor implements Processor<byte[], byte[], Object, Object> {
    private static final Logger log = LoggerFactory.getLogger(DecodeProcessor.class);

    private final Deserializer<ChatRequest> deserializer;
    private final RequestValidator validator;
    private final int maxBytes;
    private final CacheRuntime cache;
    private final Clock clock;
    private final TopologyMeters meters;
    private ProcessorContext<Object, Object> context;

    DecodeProcessor(Deserializer<ChatRequest> deserializer, RequestValidator validator, int maxBytes,
                    CacheRuntime cache, Clock clock, TopologyMeters meters) {
        this.deserializer = deserializer;
        this.validator = validator;
        this.maxBytes = maxBytes;
        this.cache = cache;
        this.clock = clock;
        this.meters = meters;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        byte[] value = record.value();
        String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("unknown");
        if (value != null && value.length > maxBytes) {
            dlq(record, DlqReason.OVERSIZED, value.length + " bytes exceeds worker.request-max-bytes=" + maxBytes);
            return;
        }
        ChatRequest request;
        try {
            request = deserializer.deserialize(topic, record.headers(), value);
        } catch (WireFormatException e) {
            if (e.reason() == WireFormatException.Reason.REGISTRY_UNAVAILABLE) {
                throw e;
            }
            dlq(record, map(e.reason()), e.getMessage());
            return;
        } catch (RuntimeException e) {
            dlq(record, DlqReason.UNDECODABLE, e.getClass().getSimpleName() + ": " + e.getMessage());
            return;
        }
        if (request == null) {
            dlq(record, DlqReason.EMPTY, "null value");
            return;
        }
        List<String> problems = validator.problems(request);
        if (!problems.isEmpty()) {
            dlq(record, DlqReason.INVALID_REQUEST, String.join("; ", problems));
            return;
        }
        String key = cache.enabled() ? cache.key(request) : request.getId();
        context.forward(new Record<Object, Object>(key, new PendingRequest(request, clock.millis(), 0, 1),
            record.timestamp(), record.headers()));
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

    private void dlq(Record<byte[], byte[]> record, DlqReason reason, String detail) {
        meters.deadLettered(reason);
        RecordMetadata meta = context.recordMetadata().orElse(null);
        Headers headers = new RecordHeaders(record.headers().toArray());
        add(headers, DlqHeaders.REASON, reason.name());
        add(headers, DlqHeaders.DETAIL, detail == null ? "" : truncate(detail));
        add(headers, DlqHeaders.SOURCE_TOPIC, meta == null ? "unknown" : meta.topic());
        add(headers, DlqHeaders.SOURCE_PARTITION, meta == null ? "-1" : Integer.toString(meta.partition()));
        add(headers, DlqHeaders.SOURCE_OFFSET, meta == null ? "-1" : Long.toString(meta.offset()));
        log.warn("Request to DLQ: reason={} source={}-{}@{} detail={}", reason,
            meta == null ? "?" : meta.topic(), meta == null ? -1 : meta.partition(), meta == null ? -1 : meta.offset(),
            truncate(detail == null ? "" : detail));
        context.forward(new Record<Object, Object>(record.key(), record.value(), record.timestamp(), headers));
    }

    private static void add(Headers headers, String name, String value) {
        headers.remove(name);
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    private static String truncate(String s) {
        return s.length() <= DlqHeaders.MAX_DETAIL_CHARS ? s : s.substring(0, DlqHeaders.MAX_DETAIL_CHARS) + "…";
    }
}
