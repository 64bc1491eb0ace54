package io.harborai.worker.topology;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Where a request record came from: its original key and its position on the request topic. The
 * DLQ record of a request carries both, also when the request took the hop through the {@code
 * by-request-id} repartition (a record whose key was not its id): there the first decode writes the
 * origin into internal headers and the second reads them back and removes them.
 *
 * @param key the original key bytes, or null
 */
record Origin(byte[] key, String topic, int partition, long offset) {
    static final String TOPIC_HEADER = "harbor.origin.topic";
    static final String PARTITION_HEADER = "harbor.origin.partition";
    static final String OFFSET_HEADER = "harbor.origin.offset";
    static final String KEY_HEADER = "harbor.origin.key";

    /** The record being processed, read straight from its request topic. */
    static Origin of(ProcessorContext<?, ?> context, byte[] key) {
        RecordMetadata meta = context.recordMetadata().orElse(null);
        return meta == null
                ? new Origin(key, "unknown", -1, -1)
                : new Origin(key, meta.topic(), meta.partition(), meta.offset());
    }

    /** Writes this origin into {@code headers} for the repartition hop (replacing any sent by a producer). */
    void writeTo(Headers headers) {
        put(headers, TOPIC_HEADER, topic.getBytes(StandardCharsets.UTF_8));
        put(headers, PARTITION_HEADER, Integer.toString(partition).getBytes(StandardCharsets.UTF_8));
        put(headers, OFFSET_HEADER, Long.toString(offset).getBytes(StandardCharsets.UTF_8));
        headers.remove(KEY_HEADER);
        if (key != null) {
            headers.add(KEY_HEADER, key);
        }
    }

    /**
     * The origin the first decode wrote into {@code headers}, which are removed; the record's own
     * position when they are missing (a record the worker did not write).
     */
    static Origin takeFrom(Headers headers, ProcessorContext<?, ?> context, byte[] recordKey) {
        Header topic = headers.lastHeader(TOPIC_HEADER);
        if (topic == null) {
            return of(context, recordKey);
        }
        Header key = headers.lastHeader(KEY_HEADER);
        Origin origin = new Origin(
                key == null ? null : key.value(),
                text(topic),
                Integer.parseInt(text(headers.lastHeader(PARTITION_HEADER))),
                Long.parseLong(text(headers.lastHeader(OFFSET_HEADER))));
        for (String name : new String[] {TOPIC_HEADER, PARTITION_HEADER, OFFSET_HEADER, KEY_HEADER}) {
            headers.remove(name);
        }
        return origin;
    }

    /**
     * 16 bytes naming this position (topic hash, partition, offset): what the id ledger keeps per id,
     * so a record processed again after a crash under {@code at_least_once} is known as itself, not
     * as a re-send.
     */
    byte[] mark() {
        return ByteBuffer.allocate(16)
                .putInt(topic.hashCode())
                .putInt(partition)
                .putLong(offset)
                .array();
    }

    /** {@code partition P, offset O} of a {@link #mark()}, for DLQ details. */
    static String describeMark(byte[] mark) {
        if (mark == null || mark.length != 16) {
            return "position unknown";
        }
        ByteBuffer buf = ByteBuffer.wrap(mark);
        buf.getInt();
        return "partition " + buf.getInt() + ", offset " + buf.getLong();
    }

    private static void put(Headers headers, String name, byte[] value) {
        headers.remove(name);
        headers.add(name, value);
    }

    private static String text(Header h) {
        return h == null || h.value() == null ? "-1" : new String(h.value(), StandardCharsets.UTF_8);
    }
}
