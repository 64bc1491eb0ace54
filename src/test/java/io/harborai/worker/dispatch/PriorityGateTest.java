package io.harborai.worker.dispatch;

import static io.harborai.worker.dispatch.EngineFixtures.request;
import static io.harborai.worker.dispatch.EngineFixtures.success;
import static org.assertj.core.api.Assertions.assertThat;

import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.dispatch.EngineFixtures.FakeCaller;
import io.harborai.worker.dispatch.ratelimit.RateLimiter;
import io.harborai.worker.metrics.MetricsCatalog;
import io.harborai.worker.testinfra.MutableClock;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Batch yields to online work: the gate on hand-moved time, and two engines sharing a runtime. */
class PriorityGateTest {
    private static final long MS = 1_000_000L;
    private final AtomicLong nanos = new AtomicLong(1_000 * MS);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final InFlight online = new InFlight(10, 1_000_000);

    private PriorityGate gate(long graceMs) {
        return new PriorityGate(online, new PriorityGate.Settings(true, graceMs), nanos::get, meters);
    }

    private void advanceMs(long ms) {
        nanos.addAndGet(ms * MS);
    }

    private Timer yields() {
        return meters.get(MetricsCatalog.BATCH_YIELD).timer();
    }

    @Test
    void shouldHoldBatchBackWhileOnlineWorkIsHeldAndForTheGraceAfterIt() {
        PriorityGate gate = gate(300);
        assertThat(gate.admitBatchCall()).as("no online work yet").isTrue();
        online.add(100);
        assertThat(gate.admitBatchCall()).isFalse();
        advanceMs(5_000);
        assertThat(gate.admitBatchCall()).as("still held, however long").isFalse();
        online.remove(100);
        gate.update(); // the watcher's look
        advanceMs(299);
        assertThat(gate.admitBatchCall()).as("within the grace").isFalse();
        advanceMs(1);
        assertThat(gate.admitBatchCall()).isTrue();
        assertThat(gate.yielding()).isFalse();
        assertThat(yields().count()).isEqualTo(1);
        assertThat(yields().totalTime(TimeUnit.MILLISECONDS)).isEqualTo(5_300);
    }

    @Test
    void shouldSeeOnlineWorkThatCameAndWentBetweenTwoLooks() {
        PriorityGate gate = gate(300);
        assertThat(gate.admitBatchCall()).isTrue();
        online.add(100);
        online.remove(100);
        advanceMs(10);
        assertThat(gate.admitBatchCall())
                .as("the grace starts when the gate notices the activity")
                .isFalse();
        advanceMs(300);
        assertThat(gate.admitBatchCall()).isTrue();
    }

    @Test
    void shouldTellTheListenerOnceWhenAYieldStartsAndWhenItEnds() {
        PriorityGate gate = gate(300);
        List<String> told = new ArrayList<>();
        gate.watch(new PriorityGate.Listener() {
            @Override
            public void yieldStarted() {
                told.add("pause");
            }

            @Override
            public void yieldEnded() {
                told.add("resume");
            }
        });
        try {
            online.add(100);
            gate.update();
            assertThat(gate.admitBatchCall()).isFalse();
            assertThat(gate.yielding()).isTrue();
            online.remove(100);
            gate.update();
            advanceMs(300);
            gate.update();
            assertThat(gate.yielding()).isFalse();
            assertThat(told).containsExactly("pause", "resume");
            online.add(100);
            gate.update();
        } finally {
            gate.close();
        }
        assertThat(told).as("close ends the yield").containsExactly("pause", "resume", "pause", "resume");
    }

    @Test
    void shouldNeverYieldWhenOpen() {
        online.add(100);
        assertThat(PriorityGate.OPEN.admitBatchCall()).isTrue();
        assertThat(PriorityGate.OPEN.yielding()).isFalse();
        assertThat(PriorityGate.create(online, new PriorityGate.Settings(false, 300), meters))
                .isSameAs(PriorityGate.OPEN);
    }

    @Test
    void shouldStartNoBatchCallWhileAnOnlineRequestIsHeldAndCatchUpAfterTheGrace() {
        MutableClock clock = new MutableClock(1_700_000_000_000L);
        FakeCaller caller = new FakeCaller(clock);
        DispatchRuntime onlineRt = new DispatchRuntime(
                EngineFixtures.router("p=*"),
                EngineFixtures.settings(
                        Map.of("dispatch.linger-ms", 0, "dispatch.max-in-flight", 8, "dispatch.max-block-ms", 2_000)),
                caller,
                RateLimiter.unlimited(),
                clock,
                () -> 0.5,
                meters);
        PriorityGate gate =
                new PriorityGate(onlineRt.inFlight(), new PriorityGate.Settings(true, 300), nanos::get, meters);
        DispatchRuntime batchRt = onlineRt.forBatch(0.25, gate, meters);
        List<ChatResult> results = new ArrayList<>();
        DispatchEngine onlineEngine = new DispatchEngine(onlineRt, results::add);
        DispatchEngine batchEngine = new DispatchEngine(batchRt, results::add);

        onlineEngine.submit(request("o1", "m", "online"), clock.millis(), 100, false);
        onlineEngine.pump();
        assertThat(caller.calls).hasSize(1);
        batchEngine.submit(request("b1", "m", "batch 1"), clock.millis(), 100, false);
        batchEngine.submit(request("b2", "m", "batch 2"), clock.millis(), 100, false);
        batchEngine.pump();
        assertThat(caller.calls).as("online call in flight: the batch waits").hasSize(1);

        caller.last().complete(success("online answer"));
        onlineEngine.pump();
        assertThat(results).hasSize(1);
        advanceMs(100);
        batchEngine.pump();
        assertThat(caller.calls).as("within the grace after the online result").hasSize(1);

        assertThat(batchRt.inFlight().full()).as("the batch's cap is 2").isTrue();
        long t0 = System.nanoTime();
        batchEngine.awaitCapacity(() -> {});
        assertThat(System.nanoTime() - t0)
                .as("a yielding batch does not wait at its cap (max-block 2 s)")
                .isLessThan(TimeUnit.MILLISECONDS.toNanos(1_000));
        assertThat(caller.calls).hasSize(1);

        advanceMs(300);
        batchEngine.pump();
        assertThat(caller.calls).hasSize(3);
        assertThat(caller.calls.subList(1, 3))
                .allSatisfy(c -> assertThat(c.request().getId()).startsWith("b"));
        assertThat(batchRt.inFlight().count()).isEqualTo(2);
    }
}
