package io.harborai.worker.topology;

import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.PendingRequest;
import io.harborai.worker.client.ReplyHeaders;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Where the dispatch processor's results leave: each is forwarded keyed by request id, naming the
 * reply target its request asked for, and its pending entry is deleted in the same transaction.
 * Keeps the reply targets of the requests in hand until their results leave.
 *
 * <p>Runs on the task's stream thread.
 */
final class ResultOutput {
    private final ProcessorContext<String, ChatResult> context;
    private final KeyValueStore<String, byte[]> pending;
    private final TopologyMeters meters;
    /** Request id → where its requester waits for the reply, for held requests that asked for one. */
    private final Map<String, ReplyHeaders.Target> replyTargets = new HashMap<>();

    ResultOutput(
            ProcessorContext<String, ChatResult> context,
            KeyValueStore<String, byte[]> pending,
            TopologyMeters meters) {
        this.context = context;
        this.pending = pending;
        this.meters = meters;
    }

    /** Remembers where {@code p}'s requester waits, when it named a reply target. */
    void noteReplyTarget(PendingRequest p) {
        if (p.getReplyTo() != null) {
            replyTargets.put(
                    p.getRequest().getId(),
                    new ReplyHeaders.Target(
                            p.getReplyTo().getTopic(), p.getReplyTo().getPartition()));
        }
    }

    /**
     * Forwards a result keyed by request id, naming its reply target when its request asked for
     * one; deletes its pending entry when {@code stored}.
     */
    void forward(ChatResult result, boolean stored) {
        ReplyHeaders.Target target = replyTargets.isEmpty() ? null : replyTargets.remove(result.getId());
        context.forward(new Record<>(
                result.getId(),
                result,
                result.getCompletedAtMs(),
                target == null ? null : ReplyRouter.headersFor(target)));
        meters.resultWritten(result);
        if (stored) {
            pending.delete(result.getId());
        }
    }

    /** Forgets every reply target: the task leaves, and its next owner reads them from the store. */
    void clear() {
        replyTargets.clear();
    }
}
