package io.harborai.worker.client;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The Kafka headers of request-reply, shared by the worker and its clients.
 *
 * <ul>
 *   <li>On a request: {@value #TOPIC} and {@value #PARTITION} name where the requester waits. The
 *       worker writes the request's result there too, in the same transaction as on the results
 *       topic, when the topic is its {@code topics.replies}; any other topic is an invalid request.
 *   <li>On a reply without a value (a notice): {@value #FIRST_SEEN_MS} says the request id was
 *       already taken at that time (a retry of an earlier request), so its one result is on the
 *       results topic, at or after that time; the client looks it up there.
 * </ul>
 *
 * <p>Values are UTF-8 text: a topic name, a decimal partition, decimal epoch milliseconds.
 */
public final class ReplyHeaders {
    public static final String TOPIC = "harbor.reply.topic";
    public static final String PARTITION = "harbor.reply.partition";
    public static final String FIRST_SEEN_MS = "harbor.reply.first-seen-ms";

    private ReplyHeaders() {}

    /** Where a request asked its reply to go. */
    public record Target(String topic, int partition) {}

    /** Adds the reply target to a request's headers. */
    public static void write(Headers headers, String topic, int partition) {
        headers.remove(TOPIC).remove(PARTITION);
        headers.add(TOPIC, topic.getBytes(StandardCharsets.UTF_8));
        headers.add(PARTITION, Integer.toString(partition).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The reply target of a request, or null when it asked for none.
     *
     * @throws IllegalArgumentException when only one header is there, or the partition is not a
     *     non-negative number
     */
    public static Target read(Headers headers) {
        String topic = text(headers, TOPIC);
        String partition = text(headers, PARTITION);
        if (topic == null && partition == null) {
            return null;
        }
        if (topic == null || topic.isBlank() || partition == null) {
            throw new IllegalArgumentException("request-reply needs both headers " + TOPIC + " and " + PARTITION);
        }
        try {
            int p = Integer.parseInt(partition.trim());
            if (p < 0) {
                throw new NumberFormatException();
            }
            return new Target(topic, p);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "header " + PARTITION + " must be a partition number (0 or more), not '" + partition + "'");
        }
    }

    /** The notice's first-seen time, or -1 when the reply carries a result. */
    public static long firstSeenMs(Headers headers) {
        String v = text(headers, FIRST_SEEN_MS);
        return v == null ? -1 : Long.parseLong(v);
    }

    static String text(Headers headers, String key) {
        Header h = headers.lastHeader(key);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
