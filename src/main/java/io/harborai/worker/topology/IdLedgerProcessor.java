package io.harborai.worker.topology;

import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.PendingRequest;
import io.harborai.worker.avro.ReplyTo;
import io.harborai.worker.cache.CacheRuntime;
import io.harborai.worker.client.ReplyHeaders;
import io.harborai.worker.dispatch.Results;
import io.harborai.worker.provider.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Lets each request id through once per {@code dedupe.id-retention-ms}, and answers the ones that
 * cannot be served. Records arrive keyed by request id on the task that owns that id (the request
 * topics are keyed by id; other records took the repartition by id), so one local store decides.
 *
 * <ul>
 *   <li>An id already in the ledger: a DLQ record {@code DUPLICATE_ID} naming when and where it was
 *       first seen, counted in {@code harbor.requests.duplicates}; no call, no result.
 *   <li>A new id: recorded, then a valid request goes on as a {@link PendingRequest} keyed by its
 *       cache key (by its id when the cache is off), and an invalid one gets its FAILED
 *       {@code INVALID_REQUEST} result (keyed by id) plus its DLQ record.
 * </ul>
 *
 * <p>Request-reply ({@link ReplyHeaders}): a request naming the configured replies topic carries its
 * target on in {@code PendingRequest.reply_to} (and on an invalid one's result); one naming another
 * topic, or a malformed partition, is invalid. A retried id whose request names a target also
 * gets a notice there ({@link Reply} without a result), so its client looks the first answer up.
 *
 * <p>The ledger is a changelogged RocksDB window store keyed by id, written with wall-clock time:
 * it lives on disk (the heap bound does not depend on how many ids it holds), whole segments of
 * old ids are dropped as time passes, and its changelog is {@code compact,delete}. Under {@code
 * exactly_once_v2} the ledger entry, what the request's forward leads to and the input offset
 * commit in one transaction. Each entry keeps the id's first input position, so a record processed
 * a second time after a crash under {@code at_least_once} is served again rather than taken for a
 * re-send.
 *
 * <p>Runs on the task's stream thread; holds no state outside the store.
 */
final class IdLedgerProcessor implements Processor<String, Taken, Object, Object> {
    private final CacheRuntime cache;
    private final Clock clock;
    private final long retentionMs;
    private final TopologyMeters meters;
    private final String repliesTopic;
    private ProcessorContext<Object, Object> context;
    private WindowStore<String, byte[]> ids;
    private DeadLetters dlq;

    IdLedgerProcessor(CacheRuntime cache, Clock clock, long retentionMs, TopologyMeters meters, String repliesTopic) {
        this.repliesTopic = repliesTopic;
        this.cache = cache;
        this.clock = clock;
        this.retentionMs = retentionMs;
        this.meters = meters;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.ids = context.getStateStore(TopologyFactory.ID_LEDGER_STORE);
        this.dlq = new DeadLetters(context, meters);
    }

    @Override
    public void process(Record<String, Taken> record) {
        Taken t = record.value();
        String id = record.key();
        long now = clock.millis();
        byte[] mark = t.origin().mark();
        ReplyHeaders.Target target = null;
        String replyProblem = null;
        try {
            target = ReplyHeaders.read(record.headers());
            if (target != null && !target.topic().equals(repliesTopic)) {
                replyProblem = "header " + ReplyHeaders.TOPIC + " names '" + target.topic()
                        + "'; this worker replies only on its topics.replies '" + repliesTopic + "'";
                target = null;
            }
        } catch (IllegalArgumentException e) {
            replyProblem = e.getMessage();
        }
        KeyValue<Long, byte[]> first = firstSeen(id, now);
        if (first == null) {
            ids.put(id, mark, now);
        } else if (!Arrays.equals(first.value, mark)) {
            meters.duplicate();
            dlq.send(
                    t.origin(),
                    t.value(),
                    record.timestamp(),
                    record.headers(),
                    DlqReason.DUPLICATE_ID,
                    "request id first seen at " + Instant.ofEpochMilli(first.key) + " ("
                            + Origin.describeMark(first.value) + "); ids are remembered for dedupe.id-retention-ms="
                            + retentionMs);
            if (target != null) {
                RecordHeaders notice = ReplyRouter.headersFor(target);
                notice.add(ReplyHeaders.FIRST_SEEN_MS, Long.toString(first.key).getBytes(StandardCharsets.UTF_8));
                context.forward(new Record<Object, Object>(id, new Reply(target, null), now, notice));
            }
            return;
        }
        if (t.problem() != null || replyProblem != null) {
            DlqReason reason = t.problem() != null ? t.problem() : DlqReason.INVALID_REQUEST;
            String detail = t.problem() != null ? t.detail() : replyProblem;
            ChatResult failed = Results.failed(
                    t.request(),
                    new Results.Trail(null, null, 0, null),
                    ErrorCode.INVALID_REQUEST,
                    detail,
                    null,
                    now,
                    now);
            context.forward(new Record<Object, Object>(id, failed, now, ReplyRouter.headersFor(target)));
            meters.resultWritten(failed);
            dlq.send(t.origin(), t.value(), record.timestamp(), record.headers(), reason, detail);
            return;
        }
        String key = cache.enabled() ? cache.key(t.request()) : id;
        context.forward(new Record<Object, Object>(
                key,
                new PendingRequest(t.request(), now, 0, 1, replyTo(target)),
                record.timestamp(),
                record.headers()));
    }

    private static ReplyTo replyTo(ReplyHeaders.Target target) {
        return target == null ? null : new ReplyTo(target.topic(), target.partition());
    }

    /** The id's entry within the retention (its time and mark), or null. */
    private KeyValue<Long, byte[]> firstSeen(String id, long now) {
        // Up to Long.MAX_VALUE: an entry written by an instance whose clock runs ahead still counts.
        try (WindowStoreIterator<byte[]> it = ids.fetch(id, Math.max(0, now - retentionMs + 1), Long.MAX_VALUE)) {
            return it.hasNext() ? it.next() : null;
        }
    }
}
