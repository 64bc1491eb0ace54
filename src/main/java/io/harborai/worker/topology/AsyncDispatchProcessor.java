package io.harborai.worker.topology;

import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.PendingRequest;
import io.harborai.worker.dispatch.DispatchEngine;
import io.harborai.worker.dispatch.DispatchRuntime;
import io.harborai.worker.dispatch.PendingCodec;
import java.time.Duration;
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

    AsyncDispatchProcessor(DispatchRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public void init(ProcessorContext<String, ChatResult> context) {
        this.context = context;
        this.pending = context.getStateStore(TopologyFactory.PENDING_STORE);
        this.engine = new DispatchEngine(runtime, this::emit);
        int restored = 0;
        try (KeyValueIterator<String, byte[]> it = pending.all()) {
            while (it.hasNext()) {
                var kv = it.next();
                PendingRequest p = PendingCodec.decode(kv.value);
                engine.submit(p.getRequest(), p.getReceivedAtMs(), kv.value.length, true);
                restored++;
            }
        }
        if (restored > 0) {
            log.info("Task {}: re-dispatching {} pending requests restored from the store", context.taskId(), restored);
        }
        context.schedule(Duration.ofMillis(runtime.settings().punctuateMs()), PunctuationType.WALL_CLOCK_TIME,
            ts -> engine.pump());
    }

    @Override
    public void process(Record<String, ChatRequest> record) {
        engine.pump();
        ChatRequest request = record.value();
        String id = request.getId();
        if (engine.contains(id) || pending.get(id) != null) {
            log.warn("Request {} is already pending; the duplicate record is ignored", id);
            return;
        }
        long now = System.currentTimeMillis();
        byte[] bytes = PendingCodec.encode(new PendingRequest(request, now, 0));
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
