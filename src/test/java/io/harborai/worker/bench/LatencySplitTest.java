package io.harborai.worker.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.ResultStatus;
import io.harborai.worker.avro.Timings;
import org.junit.jupiter.api.Test;

/** The cut of the worker-added latency into before, inside and after the worker. */
class LatencySplitTest {
    private static ChatResult result(long queueMs, long providerMs, long completedAtMs) {
        return ChatResult.newBuilder()
                .setId("r-1")
                .setStatus(ResultStatus.SUCCEEDED)
                .setModelRequested("sim-small")
                .setTimings(Timings.newBuilder()
                        .setQueueMs(queueMs)
                        .setProviderMs(providerMs)
                        .setTotalMs(queueMs + providerMs)
                        .build())
                .setCompletedAtMs(completedAtMs)
                .build();
    }

    @Test
    void shouldCutTheOverheadIntoThreePartsThatAddUp() {
        LatencySplit.Recorder rec = new LatencySplit.Recorder();
        // Sent at 1,000; taken by the worker at 1,012; queued 30 ms, called 100 ms; completed at
        // 1,142; read at 1,190: 190 ms end to end, 90 of them the worker's.
        rec.record(result(30, 100, 1_142), 190_000, 1_190);

        LatencySplit s = rec.snapshot();

        assertThat(s.toWorker().getValueAtPercentile(50)).isCloseTo(12_000L, within(50L));
        assertThat(s.inWorker().getValueAtPercentile(50)).isCloseTo(30_000L, within(50L));
        assertThat(s.toReader().getValueAtPercentile(50)).isCloseTo(48_000L, within(50L));
    }

    @Test
    void shouldClampAClockStepToZero() {
        LatencySplit.Recorder rec = new LatencySplit.Recorder();
        // The reader's clock is behind the worker's: no negative part.
        rec.record(result(5, 10, 2_000), 20_000, 1_990);

        LatencySplit s = rec.snapshot();

        assertThat(s.toReader().getMaxValue()).isZero();
        // 20 ms end to end, 15 of them the result's total: 5 ms before the worker.
        assertThat(s.toWorker().getValueAtPercentile(50)).isCloseTo(5_000L, within(50L));
    }
}
