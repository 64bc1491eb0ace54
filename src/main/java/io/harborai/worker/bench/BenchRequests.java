package io.harborai.worker.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.provider.OpenAiJson;

/**
 * The requests a bench sends: ids from a counter ({@code <prefix><seq>}), bodies of about 600
 * bytes whose text repeats every {@code distinct} requests. Each phase passes its own salt, so a
 * later phase never repeats an earlier phase's body (a cache must not turn the second sweep level
 * into hits). Stateless and thread-safe.
 */
final class BenchRequests {
    static final String MODEL = "bench-model";
    /** The bench's own mapper: thread-safe once configured. */
    static final ObjectMapper JSON = new ObjectMapper();

    private static final String FILLER =
            " Summarise the following in one sentence: Kafka is a distributed log; consumers read"
                    + " partitions in order and commit offsets; a transactional producer makes"
                    + " consume-process-produce exactly once; the worker calls an OpenAI-compatible"
                    + " provider for each request and writes exactly one result per request id.";

    private final String idPrefix;

    BenchRequests(String idPrefix) {
        this.idPrefix = idPrefix;
    }

    String idPrefix() {
        return idPrefix;
    }

    /** The id of request {@code seq}. */
    String id(long seq) {
        return idPrefix + seq;
    }

    /** The seq of a request id, or -1 when it is not one of this bench's ids. */
    long seq(String id) {
        if (id == null || !id.startsWith(idPrefix)) {
            return -1;
        }
        try {
            return Long.parseLong(id, idPrefix.length(), id.length(), 10);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The OpenAI body of the {@code index}-th request of a phase. */
    static ObjectNode body(String salt, long index, long distinct) {
        ObjectNode body = JSON.createObjectNode().put("model", MODEL);
        body.putArray("messages")
                .addObject()
                .put("role", "user")
                .put("content", "Bench " + salt + " question " + (index % distinct) + "." + FILLER);
        return body;
    }

    /** The UTF-8 bytes of {@link #body}. */
    static byte[] bodyBytes(String salt, long index, long distinct) {
        try {
            return JSON.writeValueAsBytes(body(salt, index, distinct));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a bench body", e);
        }
    }

    /** Request {@code seq}, the {@code index}-th of a phase. */
    ChatRequest request(long seq, String salt, long index, long distinct) {
        // The run's prefix in the body too: a later run on the same Redis must not hit this one's answers.
        return OpenAiJson.fromBody(body(idPrefix + salt, index, distinct))
                .setId(id(seq))
                .build();
    }
}
