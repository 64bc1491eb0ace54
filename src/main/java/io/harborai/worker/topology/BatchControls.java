package io.harborai.worker.topology;

import io.harborai.worker.avro.BatchControl;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.PendingRequest;
import io.harborai.worker.dispatch.Results;
import io.harborai.worker.provider.ErrorCode;
import java.time.Clock;
import java.util.function.Function;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * Whether a batch line may still be dispatched, by what people asked of its batch: the {@link
 * BatchControl} of the line's {@code batch_id} in the global {@code batch-control} table. A line of
 * a cancelled batch ends {@link ErrorCode#BATCH_CANCELLED}, one of a batch past its {@code
 * expires_at_ms} {@link ErrorCode#BATCH_EXPIRED}, both without a provider call; cancel wins when
 * both apply. Online requests (no {@code batch_id}) and lines of batches without a control record
 * are never refused, and a line's verdict depends on its own batch only.
 *
 * <p>The dispatch step asks once per request, before the request reaches the cache or the engine
 * (fresh, unparked or restored); what the step has already handed on is answered as usual.
 */
final class BatchControls {
    private final Function<String, BatchControl> controls;
    private final Clock clock;

    /** @param controls the control record of a batch id, or null when there is none */
    BatchControls(Function<String, BatchControl> controls, Clock clock) {
        this.controls = controls;
        this.clock = clock;
    }

    /**
     * Over the global table's store as a processor sees it (values with timestamps); a null store
     * (a processor under test without the table) holds no controls.
     */
    static BatchControls of(ReadOnlyKeyValueStore<String, ?> store, Clock clock) {
        if (store == null) {
            return new BatchControls(batch -> null, clock);
        }
        return new BatchControls(batch -> unwrap(store.get(batch)), clock);
    }

    private static BatchControl unwrap(Object value) {
        if (value instanceof ValueAndTimestamp<?> vt) {
            return (BatchControl) vt.value();
        }
        return (BatchControl) value;
    }

    /** Why {@code p} must not be dispatched, or null when it may be. */
    ErrorCode verdict(PendingRequest p) {
        String batch = p.getRequest().getBatchId();
        if (batch == null) {
            return null;
        }
        BatchControl control = controls.apply(batch);
        if (control == null) {
            return null;
        }
        if (control.getCancelRequestedAtMs() != null) {
            return ErrorCode.BATCH_CANCELLED;
        }
        if (control.getExpiresAtMs() != null && clock.millis() >= control.getExpiresAtMs()) {
            return ErrorCode.BATCH_EXPIRED;
        }
        return null;
    }

    /** The FAILED result that ends {@code p} without a provider call, or null when it may be dispatched. */
    ChatResult refusal(PendingRequest p) {
        ErrorCode code = verdict(p);
        if (code == null) {
            return null;
        }
        String batch = p.getRequest().getBatchId();
        String message = code == ErrorCode.BATCH_CANCELLED
                ? "batch " + batch + " was cancelled before this line was dispatched"
                : "batch " + batch + " expired (completion window ended) before this line was dispatched";
        return Results.failed(
                p.getRequest(),
                new Results.Trail(null, null, 0, null),
                code,
                message,
                null,
                p.getReceivedAtMs(),
                clock.millis());
    }
}
