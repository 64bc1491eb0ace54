package io.harborai.worker.topology;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;

/** Header names on {@code harbor.dlq} records; the value bytes are the original record's. */
public final class DlqHeaders {
    private DlqHeaders() {}

    public static final String REASON = "harbor.dlq.reason";
    public static final String DETAIL = "harbor.dlq.detail";
    public static final String SOURCE_TOPIC = "harbor.dlq.source.topic";
    public static final String SOURCE_PARTITION = "harbor.dlq.source.partition";
    public static final String SOURCE_OFFSET = "harbor.dlq.source.offset";
    /** Longest detail kept: a huge exception text must not make the DLQ record oversized too. */
    static final int MAX_DETAIL_CHARS = 2_000;

    /** The UTF-8 value of the last header with this name, or null. */
    public static String get(Headers headers, String name) {
        var h = headers.lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
