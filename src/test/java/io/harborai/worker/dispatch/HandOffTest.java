package io.harborai.worker.dispatch;

import static io.harborai.worker.dispatch.EngineFixtures.failure;
import static io.harborai.worker.dispatch.EngineFixtures.request;
import static io.harborai.worker.dispatch.EngineFixtures.success;
import static org.assertj.core.api.Assertions.assertThat;

import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.ResultStatus;
import io.harborai.worker.provider.ErrorCode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A request that finds its provider's lane full is handed to the lane's queue, and the thread that
 * frees the next slot sends it: the provider stays busy while the stream thread commits or polls.
 */
class HandOffTest extends EngineTestBase {
    private DispatchEngine engineWithSlots(int slots) {
        config.put("dispatch.concurrency-min", slots);
        config.put("dispatch.concurrency-initial", slots);
        config.put("dispatch.concurrency-max", slots);
        return engine();
    }

    /** One slot; a is sent, b is handed to the lane's queue. */
    private DispatchEngine aSentBQueued() {
        DispatchEngine engine = engineWithSlots(1);
        submit(engine, request("a", "m", "x"), clock.millis());
        submit(engine, request("b", "m", "x"), clock.millis());
        engine.pump();
        return engine;
    }

    @Test
    void shouldSendTheNextCallFromTheThreadThatFreesTheSlotWithoutWaitingForAPump() throws Exception {
        DispatchEngine engine = aSentBQueued();
        assertThat(caller.calls).as("one slot: one call").hasSize(1);

        Thread other = new Thread(() -> caller.calls.get(0).complete(success("first")));
        other.start();
        other.join();
        assertThat(caller.calls)
                .as("b went out when a's call ended, on that thread, with no pump in between")
                .hasSize(2);
        assertThat(caller.calls.get(1).request().getId()).isEqualTo("b");

        engine.pump();
        caller.calls.get(1).complete(success("second"));
        engine.pump();
        assertThat(results).extracting(ChatResult::getId).containsExactly("a", "b");
        assertThat(results).allSatisfy(r -> {
            assertThat(r.getStatus()).isEqualTo(ResultStatus.SUCCEEDED);
            assertThat(r.getAttempts()).isEqualTo(1);
        });
        assertThat(runtime.inFlight().count()).isZero();
    }

    @Test
    void shouldTakeBackAHandedOffCallAtItsDeadlineAndNeverSendIt() {
        DispatchEngine engine = engineWithSlots(1);
        submit(engine, request("a", "m", "x"), clock.millis());
        ChatRequest late = request("b", "m", "x");
        late.setDeadlineMs(clock.millis() + 100);
        submit(engine, late, clock.millis());
        engine.pump();
        clock.advance(150);
        engine.punctuated();
        engine.pump();
        assertThat(results).singleElement().satisfies(r -> {
            assertThat(r.getId()).isEqualTo("b");
            assertThat(r.getError().getCode()).isEqualTo(ErrorCode.DEADLINE_EXCEEDED.name());
            assertThat(r.getAttempts()).as("taken back unsent: no attempt").isZero();
        });
        caller.calls.get(0).complete(success("first"));
        assertThat(caller.calls).as("the freed slot does not send b").hasSize(1);
        engine.pump();
        assertThat(results).extracting(ChatResult::getId).containsExactly("b", "a");
    }

    @Test
    void shouldTakeBackQueuedCallsWhenTheBreakerOpensAndHandNoneOffWhileItIsOpen() {
        config.put("breaker.window-calls", 2);
        config.put("breaker.open-ms", 60_000);
        List<String> permits = new ArrayList<>();
        rateLimiter = (provider, tokens) -> permits.add(provider);
        DispatchEngine engine = engineWithSlots(2);
        for (String id : List.of("a", "b", "c", "d", "e", "f")) {
            submit(engine, request(id, "m", "x"), clock.millis());
        }
        engine.pump();
        assertThat(caller.calls).hasSize(2);
        assertThat(permits).as("two sent, four handed off: one permit each").hasSize(6);

        caller.calls.get(0).complete(failure(ErrorCode.PROVIDER_ERROR, 500, null));
        assertThat(caller.calls).as("a's slot sent c").hasSize(3);
        caller.calls.get(1).complete(failure(ErrorCode.PROVIDER_ERROR, 500, null));
        assertThat(runtime.lane("p").circuitOpen()).isTrue();
        assertThat(caller.calls).as("the open breaker keeps d, e, f queued").hasSize(3);

        engine.punctuated();
        for (int i = 0; i < 3; i++) {
            engine.pump();
            engine.punctuated();
        }
        caller.calls.get(2).complete(success("c"));
        engine.pump();
        assertThat(caller.calls)
                .as("d, e, f were taken back: a freed slot sends none")
                .hasSize(3);
        assertThat(permits)
                .as("nothing handed off again while the breaker is open")
                .hasSize(6);
        assertThat(results).extracting(ChatResult::getId).contains("c").doesNotContain("d", "e", "f");
    }

    @Test
    void shouldNeverSendACallHandedOffByATaskThatClosed() {
        DispatchEngine engine = aSentBQueued();
        engine.close();
        caller.calls.get(0).complete(success("first"));
        assertThat(caller.calls)
                .as("b left with its task; the next owner restores it")
                .hasSize(1);
        assertThat(runtime.inFlight().count()).isZero();
    }

    @Test
    void shouldKeepBatchTrafficOnItsStreamThread() {
        DispatchEngine online = engineWithSlots(1);
        DispatchEngine batch = new DispatchEngine(runtime.forBatch(0.5, meters), results::add);
        submit(online, request("a", "m", "x"), clock.millis());
        submit(batch, request("b", "m", "x"), clock.millis());
        online.pump();
        batch.pump();
        caller.calls.get(0).complete(success("first"));
        assertThat(caller.calls)
                .as("batch asks the priority gate before each call, so it waits for its pump")
                .hasSize(1);
        batch.pump();
        assertThat(caller.calls).hasSize(2);
    }

    @Test
    void shouldCallEachRequestOnceAndAnswerItOnceWhileOtherThreadsFreeTheSlots() throws Exception {
        int requests = 2_000;
        DispatchEngine engine = engineWithSlots(8);
        ExecutorService providers = Executors.newFixedThreadPool(4);
        AtomicBoolean done = new AtomicBoolean();
        Thread finisher = new Thread(() -> {
            while (!done.get()) {
                for (EngineFixtures.Call c : caller.open()) {
                    providers.execute(
                            () -> c.complete(success("ok " + c.request().getId())));
                }
                Thread.onSpinWait();
            }
        });
        finisher.start();
        try {
            for (int i = 0; i < requests; i++) {
                submit(engine, request("r" + i, "m", "x"), clock.millis());
                engine.pump();
                if (i % 100 == 0) {
                    engine.punctuated();
                }
            }
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (results.size() < requests && System.nanoTime() < until) {
                engine.punctuated();
                engine.pump();
            }
        } finally {
            done.set(true);
            finisher.join();
            providers.shutdown();
        }
        assertThat(results).hasSize(requests);
        assertThat(results).allSatisfy(r -> assertThat(r.getStatus()).isEqualTo(ResultStatus.SUCCEEDED));
        Map<String, Long> callsPerId = new HashMap<>(caller.calls.stream()
                .collect(Collectors.groupingBy(c -> c.request().getId(), Collectors.counting())));
        assertThat(callsPerId).hasSize(requests);
        assertThat(callsPerId.values()).as("one call per request").containsOnly(1L);
        assertThat(results.stream().map(ChatResult::getId).distinct().count()).isEqualTo(requests);
        assertThat(results)
                .allSatisfy(r -> assertThat(r.getResponse().getContent()).isEqualTo("ok " + r.getId()));
        assertThat(runtime.inFlight().count()).isZero();
    }
}
