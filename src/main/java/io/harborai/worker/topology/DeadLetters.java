package io.harborai.worker.topology;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards DLQ records: the original key and value bytes with the original headers plus headers
 * naming the reason, a detail and the source position ({@link DlqHeaders}); counts and logs each.
 * The one place DLQ records are built, for the decode step and the id ledger alike.
 *
 * <p>Used on the stream thread of the processor that owns it.
 */
final class DeadLetters {
    private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);

    private final ProcessorContext<Object, Object> context;
    private final TopologyMeters meters;

    DeadLetters(ProcessorContext<Object, Object> context, TopologyMeters meters) {
        this.context = context;
        this.meters = meters;
    }

    void send(Origin origin, byte[] value, long timestamp, Headers original, DlqReason reason, String detail) {
        meters.deadLettered(reason);
        Headers headers = new RecordHeaders(original.toArray());
        String shortDetail = truncate(detail == null ? "" : detail);
        add(headers, DlqHeaders.REASON, reason.name());
        add(headers, DlqHeaders.DETAIL, shortDetail);
        add(headers, DlqHeaders.SOURCE_TOPIC, origin.topic());
        add(headers, DlqHeaders.SOURCE_PARTITION, Integer.toString(origin.partition()));
        add(headers, DlqHeaders.SOURCE_OFFSET, Long.toString(origin.offset()));
        log.warn(
                "Request to DLQ: reason={} source={}-{}@{} detail={}",
                reason,
                origin.topic(),
                origin.partition(),
                origin.offset(),
                shortDetail);
        context.forward(new Record<Object, Object>(origin.key(), value, timestamp, headers));
    }

    private static void add(Headers headers, String name, String value) {
        headers.remove(name);
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    private static String truncate(String s) {
        return s.length() <= DlqHeaders.MAX_DETAIL_CHARS ? s : s.substring(0, DlqHeaders.MAX_DETAIL_CHARS) + "…";
    }
}
