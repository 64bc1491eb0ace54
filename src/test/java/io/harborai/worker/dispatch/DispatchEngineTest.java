package io.harborai.worker.dispatch;

import static io.harborai.worker.dispatch.EngineFixtures.failure;
import static io.harborai.worker.dispatch.EngineFixtures.request;
import static io.harborai.worker.dispatch.EngineFixtures.success;
import static org.assertj.core.api.Assertions.assertThat;

import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.ResultStatus;
import io.harborai.worker.metrics.MetricsCatalog;
import io.harborai.worker.provider.ErrorCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The engine on a hand-moved clock with a provider caller completed by hand: no sleeping. */
class DispatchEngineTest extends EngineTestBase {
    @Test
    void shouldForwardResultsOnlyWhenPumpedNotOnTheCallbackThread() {
        DispatchEngine engine = engine();
        submit(engine, request("a", "m", "hi"), clock.millis());
        engine.pump();
        caller.last().complete(success("hello"));
        assertThat(results).isEmpty();
        engine.pump();
        assertThat(results).singleElement().satisfies(r -> {
            assertThat(r.getStatus()).isEqualTo(ResultStatus.SUCCEEDED);
            assertThat(r.getProvider()).isEqualTo("p");
            assertThat(r.getModelUsed()).isEqualTo("m");
            assertThat(r.getAttempts()).isEqualTo(1);
        });
        assertThat(runtime.inFlight().count()).isZero();
    }

    @Test
    void shouldGatherAMicroBatchUntilLingerPassesOrItIsFull() {
        config.put("dispatch.linger-ms", 50);
        config.put("dispatch.batch-max-count", 3);
        DispatchEngine engine = engine();
        submit(engine, request("a", "m", "x"), clock.millis());
        submit(engine, request("b", "m", "x"), clock.millis());
        engine.pump();
        assertThat(caller.calls).isEmpty();
        clock.advance(50);
        engine.pump();
        assertThat(caller.calls).hasSize(2);
        for (String id : List.of("c", "d", "e")) {
            submit(engine, request(id, "m", "x"), clock.millis());
        }
        engine.pump();
        assertThat(caller.calls).as("a full batch goes at once").hasSize(5);
    }

    @Test
    void shouldBlockAtTheInFlightCapUntilACompletionDrains() throws Exception {
        config.put("dispatch.max-in-flight", 2);
        DispatchEngine engine = engine();
        submit(engine, request("a", "m", "x"), clock.millis());
        submit(engine, request("b", "m", "x"), clock.millis());
        engine.pump();
        assertThat(runtime.inFlight().full()).isTrue();
        var first = caller.calls.get(0);
        CompletableFuture.delayedExecutor(150, TimeUnit.MILLISECONDS).execute(() -> first.complete(success("ok")));
        long start = System.nanoTime();
        assertThat(engine.awaitCapacity(() -> {})).isTrue();
        long waitedMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(waitedMs).isBetween(100L, 3_000L);
        assertThat(results).extracting(ChatResult::getId).containsExactly("a");
        assertThat(runtime.inFlight().full()).isFalse();
    }

    @Test
    void shouldReportNoCapacityAfterMaxBlockSoTheRecordIsParked() {
        config.put("dispatch.max-in-flight", 1);
        config.put("dispatch.max-block-ms", 30);
        DispatchEngine engine = engine();
        submit(engine, request("a", "m", "x"), clock.millis());
        engine.pump();
        assertThat(engine.awaitCapacity(() -> {})).isFalse();
        DispatchEngine empty = new DispatchEngine(runtime, r -> {});
        assertThat(empty.awaitCapacity(() -> {}))
                .as("a task holding nothing waits for the cap too")
                .isFalse();
        caller.last().complete(success("ok"));
        assertThat(empty.awaitCapacity(() -> {}))
                .as("another task's finished call frees its slot")
                .isTrue();
    }

    @Test
    void shouldNeverRetryBeforeRetryAfter() {
        DispatchEngine engine = engine();
        submit(engine, request("a", "m", "x"), clock.millis());
        engine.pump();
        caller.last().complete(failure(ErrorCode.RATE_LIMITED, 429, Duration.ofSeconds(2)));
        engine.pump();
        clock.advance(1_999);
        engine.pump();
        assertThat(caller.calls).hasSize(1);
        clock.advance(1);
        engine.pump();
        assertThat(caller.calls).hasSize(2);
        caller.last().complete(success("ok"));
        engine.pump();
        assertThat(results)
                .singleElement()
                .satisfies(r -> assertThat(r.getAttempts()).isEqualTo(2));
    }

    @Test
    void shouldStopAfterMaxAttemptsWithTheLastError() {
        config.put("dispatch.max-attempts", 3);
        DispatchEngine engine = engine();
        submit(engine, request("a", "m", "x"), clock.millis());
        for (int i = 0; i < 3; i++) {
            engine.pump();
            caller.last().complete(failure(ErrorCode.PROVIDER_ERROR, 500, null));
            engine.pump();
            clock.advance(60_000);
        }
        engine.pump();
        assertThat(caller.calls).hasSize(3);
        assertThat(results).singleElement().satisfies(r -> {
            assertThat(r.getError().getCode()).isEqualTo("PROVIDER_ERROR");
            assertThat(r.getError().getHttpStatus()).isEqualTo(500);
            assertThat(r.getAttempts()).isEqualTo(3);
        });
    }

    @Test
    void shouldNotRetryPermanentFailures() {
        DispatchEngine engine = engine();
        submit(engine, request("a", "m", "x"), clock.millis());
        engine.pump();
        caller.last().complete(failure(ErrorCode.PROVIDER_REJECTED, 400, null));
        engine.pump();
        assertThat(caller.calls).hasSize(1);
        assertThat(results)
                .singleElement()
                .satisfies(r -> assertThat(r.getError().getCode()).isEqualTo("PROVIDER_REJECTED"));
    }

    @Test
    void shouldAnswerDeadlineExceededWhenTheNextRetryWouldBeTooLate() {
        DispatchEngine engine = engine();
        ChatRequest r = request("a", "m", "x");
        r.setDeadlineMs(clock.millis() + 1_000);
        submit(engine, r, clock.millis());
        engine.pump();
        caller.last().complete(failure(ErrorCode.RATE_LIMITED, 429, Duration.ofSeconds(5)));
        engine.pump();
        assertThat(results).singleElement().satisfies(res -> {
            assertThat(res.getError().getCode()).isEqualTo("DEADLINE_EXCEEDED");
            assertThat(res.getError().getMessage()).contains("last error", "RATE_LIMITED");
        });
    }

    @Test
    void shouldAnswerDeadlineExceededWhileQueuedBehindTheRateLimiter() {
        rateLimiter = (provider, tokens) -> false;
        config.put("dispatch.max-queue-ms", 5_000);
        DispatchEngine engine = engine();
        submit(engine, request("a", "m", "x"), clock.millis());
        engine.pump();
        clock.advance(4_999);
        engine.pump();
        assertThat(results).isEmpty();
        assertThat(caller.calls).isEmpty();
        clock.advance(1);
        engine.pump();
        assertThat(results).singleElement().satisfies(res -> {
            assertThat(res.getError().getCode()).isEqualTo("DEADLINE_EXCEEDED");
            assertThat(res.getAttempts()).isZero();
        });
    }

    @Test
    void shouldKeepARefusedCallQueuedAndSendItAtTheNextPump() {
        AtomicBoolean open = new AtomicBoolean(false);
        List<Long> asked = new ArrayList<>();
        rateLimiter = (provider, tokens) -> {
            asked.add(tokens);
            return open.get();
        };
        DispatchEngine engine = engine();
        submit(engine, request("a", "m", "x".repeat(400)), clock.millis());
        engine.pump();
        assertThat(caller.calls).isEmpty();
        open.set(true);
        engine.pump();
        assertThat(caller.calls).hasSize(1);
        assertThat(asked)
                .as("chars/4 + default completion tokens")
                .contains(100L + TokenEstimate.DEFAULT_COMPLETION_TOKENS);
    }

    @Test
    void shouldFallBackThroughTheChainWithTheReasonAndWhatAnswered() {
        config.put("dispatch.default-fallback-models", List.of("c-1"));
        DispatchEngine engine = engine("pa=a-*", "pb=b-*", "pc=c-*");
        ChatRequest r = request("x", "a-1", "hi");
        r.setFallbackModels(List.of("nope-1", "b-1"));
        submit(engine, r, clock.millis());
        engine.pump();
        assertThat(caller.last().provider()).isEqualTo("pa");
        caller.last().complete(failure(ErrorCode.AUTH_FAILED, 401, null));
        engine.pump();
        assertThat(caller.last().provider()).as("unknown fallback skipped").isEqualTo("pb");
        caller.last().complete(failure(ErrorCode.PROVIDER_REJECTED, 400, null));
        engine.pump();
        assertThat(caller.last().model()).isEqualTo("c-1");
        caller.last().complete(success("from c"));
        engine.pump();
        assertThat(results).singleElement().satisfies(res -> {
            assertThat(res.getStatus()).isEqualTo(ResultStatus.SUCCEEDED);
            assertThat(res.getProvider()).isEqualTo("pc");
            assertThat(res.getModelUsed()).isEqualTo("c-1");
            assertThat(res.getModelRequested()).isEqualTo("a-1");
            assertThat(res.getAttempts()).isEqualTo(3);
            assertThat(res.getFallbackReason()).contains("'a-1'", "AUTH_FAILED", "'b-1'", "PROVIDER_REJECTED");
        });
    }

    @Test
    void shouldAnswerUnknownModelWithoutACall() {
        DispatchEngine engine = engine("p=known");
        submit(engine, request("a", "gpt-unknown", "x"), clock.millis());
        assertThat(results).singleElement().satisfies(r -> {
            assertThat(r.getError().getCode()).isEqualTo("UNKNOWN_MODEL");
            assertThat(r.getError().getMessage()).contains("gpt-unknown");
        });
        assertThat(runtime.inFlight().count()).isZero();
    }

    @Test
    void shouldDropACompletionThatArrivesAfterItsRequestMovedToAnotherEngine() {
        DispatchEngine first = engine();
        submit(first, request("a", "m", "x"), clock.millis());
        first.pump();
        var stale = caller.last();
        first.close();
        DispatchEngine second = new DispatchEngine(runtime, results::add);
        second.submit(request("a", "m", "x"), clock.millis(), 100, true);
        second.pump();
        stale.complete(success("stale"));
        first.pump();
        second.pump();
        assertThat(results).isEmpty();
        caller.last().complete(success("fresh"));
        second.pump();
        assertThat(results)
                .singleElement()
                .satisfies(r -> assertThat(r.getResponse().getContent()).isEqualTo("fresh"));
        assertThat(meters.counter(MetricsCatalog.REDISPATCHED, "traffic", "online")
                        .count())
                .isEqualTo(1);
        assertThat(runtime.inFlight().count()).isZero();
    }

    @Test
    void shouldTurnAThrowingCallerIntoAnInternalResult() {
        caller.auto = c -> {
            throw new IllegalStateException("boom");
        };
        DispatchEngine engine = engine();
        submit(engine, request("a", "m", "x"), clock.millis());
        engine.pump();
        engine.pump();
        assertThat(results)
                .singleElement()
                .satisfies(r -> assertThat(r.getError().getCode()).isEqualTo("INTERNAL"));
    }

    @Test
    void shouldHandTheAnswersOfCallsInFlightToTheHandOverAndStartNothingNew() {
        DispatchEngine engine = engine();
        for (String id : List.of("a", "b")) {
            submit(engine, request(id, "m", id), clock.millis());
        }
        engine.pump();
        assertThat(caller.calls).hasSize(2);
        var first = caller.calls.get(0);
        var second = caller.calls.get(1);
        CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS).execute(() -> first.complete(success("one")));
        CompletableFuture.delayedExecutor(150, TimeUnit.MILLISECONDS)
                .execute(() -> second.complete(failure(ErrorCode.PROVIDER_ERROR, 500, null)));
        List<ChatResult> handedOver = new ArrayList<>();

        engine.drainAndClose(handedOver::add); // the default window, 5 s, outlasts both calls

        assertThat(handedOver)
                .as("the answer, not the failure, and nothing forwarded")
                .singleElement()
                .satisfies(r -> assertThat(r.getId()).isEqualTo("a"));
        assertThat(results).isEmpty();
        assertThat(caller.calls).as("no retry of the failed call").hasSize(2);
        assertThat(engine.size()).isZero();
        assertThat(runtime.inFlight().count()).isZero();
    }

    @Test
    void shouldLetGoAfterTheHandOverWaitWithoutTheAnswer() {
        config.put("dispatch.handover-wait-ms", 50);
        DispatchEngine engine = engine();
        submit(engine, request("a", "m", "x"), clock.millis());
        engine.pump();
        List<ChatResult> handedOver = new ArrayList<>();

        engine.drainAndClose(handedOver::add); // the call never ends

        assertThat(handedOver).isEmpty();
        assertThat(engine.size()).isZero();
        caller.last().complete(success("late"));
        engine.pump();
        assertThat(results).as("a closed engine forwards nothing").isEmpty();
    }

    @Test
    void shouldShareOneHandOverWindowBetweenTheTasksClosedTogether() {
        config.put("dispatch.handover-wait-ms", 1_000);
        engine();
        long w = TimeUnit.MILLISECONDS.toNanos(1_000);
        long first = runtime.handoverDeadlineNs(7);
        assertThat(first).isEqualTo(7 + w);
        assertThat(runtime.handoverDeadlineNs(7 + w / 2))
                .as("the next task of the same rebalance")
                .isEqualTo(first);
        assertThat(runtime.handoverDeadlineNs(7 + w + w / 2))
                .as("a task closed just after the window: no wait of its own")
                .isEqualTo(first);
        long later = 7 + 2 * w + 1;
        assertThat(runtime.handoverDeadlineNs(later)).as("a later rebalance").isEqualTo(later + w);
    }
}
