package io.harborai.worker.topology;

import io.harborai.worker.avro.BatchProgress;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.ResultStatus;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Counts the results this task writes per batch (SUCCEEDED / FAILED) in a changelogged store, and
 * every {@link #EMIT_INTERVAL} forwards the changed counts as {@link BatchProgress} keyed
 * {@code batchId|taskId}. Under {@code exactly_once_v2} the counts, the results they count and the
 * progress records commit together, so {@code harbor status} (which sums the tasks' latest records)
 * is exact, across crashes and rebalances (the store moves with the task).
 *
 * <p>Two instances count: one the dispatch processor's results, one the id ledger's FAILED results
 * of invalid requests. Each has its own store, and its records name the task with its own suffix,
 * so the two never overwrite each other's counts (also when both run in one task).
 *
 * <p>The store holds one entry of 16 bytes per batch this task ever served. Runs on the task's
 * stream thread.
 */
final class BatchProgressProcessor implements Processor<String, ChatResult, String, BatchProgress> {
    static final Duration EMIT_INTERVAL = Duration.ofSeconds(1);

    private final Clock clock;
    private final String storeName;
    private final String taskSuffix;
    private ProcessorContext<String, BatchProgress> context;
    private KeyValueStore<String, byte[]> counts;
    private final Set<String> changed = new LinkedHashSet<>();

    /** @param taskSuffix appended to the task id in the record key and {@code task} field */
    BatchProgressProcessor(Clock clock, String storeName, String taskSuffix) {
        this.clock = clock;
        this.storeName = storeName;
        this.taskSuffix = taskSuffix;
    }

    @Override
    public void init(ProcessorContext<String, BatchProgress> context) {
        this.context = context;
        this.counts = context.getStateStore(storeName);
        context.schedule(EMIT_INTERVAL, PunctuationType.WALL_CLOCK_TIME, ts -> emit());
    }

    @Override
    public void process(Record<String, ChatResult> record) {
        ChatResult r = record.value();
        String batch = r == null ? null : r.getBatchId();
        if (batch == null) {
            return;
        }
        byte[] old = counts.get(batch);
        ByteBuffer buf = old == null ? ByteBuffer.allocate(16) : ByteBuffer.wrap(old.clone());
        int slot = r.getStatus() == ResultStatus.SUCCEEDED ? 0 : 8;
        buf.putLong(slot, buf.getLong(slot) + 1);
        counts.put(batch, buf.array());
        changed.add(batch);
    }

    private void emit() {
        String task = context.taskId() + taskSuffix;
        long now = clock.millis();
        for (String batch : changed) {
            ByteBuffer buf = ByteBuffer.wrap(counts.get(batch));
            context.forward(new Record<>(
                    batch + "|" + task, new BatchProgress(batch, task, buf.getLong(0), buf.getLong(8), now), now));
        }
        changed.clear();
    }
}
