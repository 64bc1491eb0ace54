package io.harborai.worker.topology;

import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.client.ReplyHeaders;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.processor.TopicNameExtractor;

/**
 * A record for a request-reply client's partition ({@link ReplyHeaders}): a result, or a notice
 * without one (the id was a retry; the notice's headers say when it was first taken).
 *
 * @param result the result, or null for a notice
 */
record Reply(ReplyHeaders.Target target, ChatResult result) {
    /** The reply's topic: the one its request named (the ledger admits only the configured one). */
    static final TopicNameExtractor<String, Reply> TOPIC =
            (key, reply, context) -> reply.target().topic();

    /**
     * The partition its request named; none (the record is dropped) when the topic has fewer
     * partitions, so that one client's wrong header cannot stop the worker's producer.
     */
    static final StreamPartitioner<String, Reply> PARTITION = (topic, key, reply, partitions) -> Optional.of(
            reply.target().partition() < partitions ? Set.of(reply.target().partition()) : Set.of());

    /** Writes the result with the results serde, a notice as a null value; never read back by the worker. */
    static Serde<Reply> serde(Serde<ChatResult> results) {
        return Serdes.serdeFrom(
                (topic, reply) -> reply == null || reply.result() == null
                        ? null
                        : results.serializer().serialize(topic, reply.result()),
                (topic, bytes) -> {
                    throw new UnsupportedOperationException("the worker does not read replies");
                });
    }
}
