package io.harborai.worker.topology;

import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.PendingRequest;
import io.harborai.worker.dispatch.DispatchEngine;
import io.harborai.worker.dispatch.DispatchRuntime;
import io.harborai.worker.dispatch.PendingCodec;
import io.harborai.worker.dispatch.Results;
import io.harborai.worker.provider.ErrorCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes each valid request into the changelogged {@code pending} store and hands it to this task's
 * {@link DispatchEngine}; forwards each result (keyed by request id) and deletes the entry in the
 * same step, on the stream thread: from a wall-clock punctuator every {@code dispatch.punctuate-ms}
 * and at the start of each {@code process()}. Under {@code exactly_once_v2} the result, the store
 * delete (a changelog tombstone) and the input offsets therefore commit in one transaction: a crash
 * before the commit rolls all three back and the restored entry is dispatched again; no request
 * lives only in memory when its offset commits.
 *
 * <p>Backpressure: at the in-flight cap {@code process()} does not return until completions have
 * drained below it (bounded by {@code dispatch.max-block-ms}), so the thread takes no new record.
 *
 * <p>On {@code init} (start, restore after a crash, rebalance) every entry still in the store is
 * re-dispatched; provider calls are at-least-once and carry {@code Idempotency-Key} = request id.
 * A request id already pending is not taken twice.
 *
 * <p>Runs on the task's stream thread; the engine documents its OkHttp-side state.
 */
final class AsyncDispatchProcessor implements Processor<String, ChatRequest, String, ChatResult> {
    private static final Logger log = LoggerFactory.getLogger(AsyncDispatchProcessor.class);

    private final DispatchRuntime runtime;
    private ProcessorContext<String, ChatResult> context;
    private KeyValueStore<String, byte[]> pending;
    private DispatchEngine engine;
    /** Store entries found at init, until the first pump submits them (stream thread only). */
    private final List<byte[]> restored = new ArrayList<>();

    AsyncDispatchProcessor(DispatchRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public void init(ProcessorContext<String, ChatResult> context) {
        this.context = context;
        this.pending = context.getStateStore(TopologyFactory.PENDING_STORE);
        this.engine = new DispatchEngine(runtime, this::emit);
        // Submitted on the first punctuation or record, not here: a restored request can be answered
        // at once (its model is no longer configured) and init() must not forward.
        try (KeyValueIterator<String, byte[]> it = pending.all()) {
            it.forEachRemaining(kv -> restored.add(kv.value));
        }
        context.schedule(Duration.ofMillis(runtime.settings().punctuateMs()), PunctuationType.WALL_CLOCK_TIME,
            ts -> pump());
    }

    private void pump() {
        if (!restored.isEmpty()) {
            log.info("Task {}: re-dispatching {} pending requests restored from the store", context.taskId(),
                restored.size());
            for (byte[] bytes : restored) {
                redispatch(PendingCodec.decode(bytes));
            }
            restored.clear();
        }
        engine.pump();
    }

    /**
     * Hands a restored entry to the engine again, first recording the round in the store so the
     * count survives the next crash too; past {@code dispatch.max-redispatches} rounds the request
     * is answered FAILED instead (it may be what crashes the worker).
     */
    private void redispatch(PendingRequest p) {
        ChatRequest request = p.getRequest();
        int round = p.getDispatches() + 1;
        int max = runtime.settings().maxRedispatches();
        if (round - 1 > max) {
            log.error("Request {} was restored {} times (dispatch.max-redispatches={}); answering FAILED",
                request.getId(), round - 1, max);
            emit(Results.failed(request, new Results.Trail(null, null, 0, null), ErrorCode.INTERNAL,
                "re-dispatched " + (round - 1) + " times after crashes or rebalances without an answer; giving up",
                null, p.getReceivedAtMs(), runtime.clock().millis()));
            return;
        }
        p.setDispatches(round);
        byte[] bytes = PendingCodec.encode(p);
        pending.put(request.getId(), bytes);
        engine.submit(request, p.getReceivedAtMs(), bytes.length, true);
    }

    @Override
    public void process(Record<String, ChatRequest> record) {
        pump();
        ChatRequest request = record.value();
        String id = request.getId();
        if (engine.contains(id) || pending.get(id) != null) {
            log.warn("Request {} is already pending; the duplicate record is ignored", id);
            return;
        }
        long now = runtime.clock().millis();
        byte[] bytes = PendingCodec.encode(new PendingRequest(request, now, 0, 1));
        pending.put(id, bytes);
        engine.submit(request, now, bytes.length, false);
        engine.pump();
        engine.awaitCapacity();
    }

    private void emit(ChatResult result) {
        context.forward(new Record<>(result.getId(), result, result.getCompletedAtMs()));
        pending.delete(result.getId());
    }

    @Override
    public void close() {
        if (engine != null) {
            engine.close();
        }
    }
}
