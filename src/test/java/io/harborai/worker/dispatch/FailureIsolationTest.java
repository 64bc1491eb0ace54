package io.harborai.worker.dispatch;

import static io.harborai.worker.dispatch.EngineFixtures.failure;
import static io.harborai.worker.dispatch.EngineFixtures.request;
import static io.harborai.worker.dispatch.EngineFixtures.success;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.ResultStatus;
import io.harborai.worker.provider.ErrorCode;
import io.harborai.worker.provider.ProviderOutcome;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A request fails only for its own reasons; provider-wide trouble (open circuit, retry budget, 429,
 * 502/503/504, connection failures) only delays it. The engine on a hand-moved clock, the provider
 * answering at once through {@link EngineFixtures.FakeCaller#auto}.
 */
class FailureIsolationTest extends EngineTestBase {
    /** Pumps every 10 ms of clock time for {@code ms}. */
    private void runFor(DispatchEngine engine, long ms) {
        for (long t = 0; t < ms; t += 10) {
            engine.pump();
            engine.pump();
            clock.advance(10);
        }
        engine.pump();
    }

    private static ProviderOutcome.Failure http(ErrorCode code, int status, String text) {
        return new ProviderOutcome.Failure(
                code, "provider 'p' model 'm': HTTP " + status + ": " + text, status, null, 5);
    }

    private long callsFor(String id) {
        return caller.calls.stream().filter(c -> c.request().getId().equals(id)).count();
    }

    private ChatResult resultOf(String id) {
        return results.stream().filter(r -> r.getId().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void shouldFailAPoisonedRequestAfterItsOwnAttemptsWithoutOpeningTheCircuitForOthers() {
        config.put("dispatch.max-attempts", 3);
        config.put("breaker.window-calls", 4);
        config.put("breaker.failure-rate-percent", 50);
        caller.auto = c -> c.request().getId().equals("bad")
                ? http(ErrorCode.PROVIDER_ERROR, 500, "this content breaks me")
                : success("ok");
        DispatchEngine engine = engine();
        submit(engine, request("bad", "m", "poison"), clock.millis());
        submit(engine, request("good-1", "m", "fine"), clock.millis());
        runFor(engine, 2_000);
        for (String id : List.of("good-2", "good-3", "good-4")) {
            submit(engine, request(id, "m", "fine"), clock.millis());
        }
        runFor(engine, 100);

        assertThat(results).hasSize(5);
        assertThat(resultOf("bad")).satisfies(r -> {
            assertThat(r.getStatus()).isEqualTo(ResultStatus.FAILED);
            assertThat(r.getError().getCode()).isEqualTo("PROVIDER_ERROR");
            assertThat(r.getError().getHttpStatus()).isEqualTo(500);
            assertThat(r.getError().getMessage()).contains("this content breaks me");
            assertThat(r.getAttempts()).isEqualTo(3);
        });
        assertThat(callsFor("bad")).isEqualTo(3);
        assertThat(results)
                .filteredOn(r -> !r.getId().equals("bad"))
                .allSatisfy(r -> assertThat(r.getStatus()).isEqualTo(ResultStatus.SUCCEEDED));
        assertThat(runtime.lane("p").breakerState())
                .as("the poison's retries were not recorded")
                .isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void shouldKeepRequestsQueuedWhileTheCircuitIsOpenAndAdmitThemThroughHalfOpenProbes() {
        config.put("dispatch.max-attempts", 1);
        config.put("breaker.window-calls", 2);
        config.put("breaker.open-ms", 10_000);
        config.put("breaker.half-open-calls", 1);
        AtomicReference<ProviderOutcome> answer = new AtomicReference<>(http(ErrorCode.PROVIDER_ERROR, 503, "down"));
        caller.auto = c -> answer.get();
        DispatchEngine engine = engine();
        submit(engine, request("a", "m", "x"), clock.millis());
        submit(engine, request("b", "m", "x"), clock.millis());
        engine.pump();
        assertThat(runtime.lane("p").breakerState()).isEqualTo(CircuitBreaker.State.OPEN);
        submit(engine, request("c", "m", "x"), clock.millis());
        runFor(engine, 9_900);
        assertThat(caller.calls).as("nothing is sent while the circuit is open").hasSize(2);
        assertThat(results).as("and nothing fails").isEmpty();

        answer.set(http(ErrorCode.PROVIDER_ERROR, 500, "still broken"));
        runFor(engine, 200);
        assertThat(caller.calls).as("one half-open probe").hasSize(3);
        assertThat(results)
                .as("a 500 while the breaker is not CLOSED uses no attempt")
                .isEmpty();

        answer.set(success("back"));
        runFor(engine, 10_000);
        assertThat(caller.calls)
                .as("one more probe, then the other two once closed")
                .hasSize(6);
        assertThat(results).extracting(ChatResult::getId).containsExactlyInAnyOrder("a", "b", "c");
        assertThat(results).allSatisfy(r -> assertThat(r.getStatus()).isEqualTo(ResultStatus.SUCCEEDED));
        assertThat(runtime.lane("p").breakerState()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void shouldNotUseAnAttemptOnRateLimitsGatewayErrorsOrConnectionFailures() {
        config.put("dispatch.max-attempts", 2);
        Map<String, Queue<ProviderOutcome>> script = Map.of(
                "survives",
                        new ArrayDeque<>(List.of(
                                failure(ErrorCode.RATE_LIMITED, 429, null),
                                http(ErrorCode.PROVIDER_ERROR, 502, "bad gateway"),
                                http(ErrorCode.PROVIDER_ERROR, 503, "unavailable"),
                                http(ErrorCode.PROVIDER_ERROR, 504, "gateway timeout"),
                                failure(ErrorCode.CONNECTION_FAILED, null, null),
                                http(ErrorCode.PROVIDER_ERROR, 500, "own"),
                                success("ok"))),
                "own-twice",
                        new ArrayDeque<>(List.of(
                                http(ErrorCode.PROVIDER_ERROR, 500, "first"),
                                http(ErrorCode.PROVIDER_ERROR, 503, "unavailable"),
                                http(ErrorCode.PROVIDER_ERROR, 500, "second"))));
        caller.auto = c -> script.get(c.request().getId()).poll();
        DispatchEngine engine = engine();
        submit(engine, request("survives", "m", "x"), clock.millis());
        submit(engine, request("own-twice", "m", "y"), clock.millis());
        runFor(engine, 60_000);

        assertThat(resultOf("survives")).satisfies(r -> {
            assertThat(r.getStatus()).isEqualTo(ResultStatus.SUCCEEDED);
            assertThat(r.getAttempts()).as("attempts counts every call").isEqualTo(7);
        });
        assertThat(resultOf("own-twice")).satisfies(r -> {
            assertThat(r.getError().getCode()).isEqualTo("PROVIDER_ERROR");
            assertThat(r.getError().getHttpStatus()).isEqualTo(500);
            assertThat(r.getError().getMessage()).contains("second");
            assertThat(r.getAttempts()).isEqualTo(3);
        });
    }

    @Test
    void shouldPostponeRetriesBeyondTheRetryBudgetInsteadOfFailingThem() {
        config.put("dispatch.retry-budget-ratio", 0.0);
        Map<String, Integer> callsById = new HashMap<>();
        caller.auto = c -> callsById.merge(c.request().getId(), 1, Integer::sum) <= 2
                ? http(ErrorCode.PROVIDER_ERROR, 500, "twice")
                : success("ok");
        DispatchEngine engine = engine();
        int n = RetryBudget.MIN_RETRIES_PER_WINDOW + 1;
        for (int i = 0; i < n; i++) {
            submit(engine, request("r" + i, "m", "x" + i), clock.millis());
        }
        runFor(engine, 5_000);
        assertThat(caller.calls)
                .as("first calls, then only the retries the budget holds")
                .hasSize(n + n - 1);
        assertThat(results).as("nothing fails for the budget").isEmpty();
        runFor(engine, 3 * RetryBudget.BUCKETS * RetryBudget.BUCKET_MS);
        assertThat(results).hasSize(n).allSatisfy(r -> {
            assertThat(r.getStatus()).isEqualTo(ResultStatus.SUCCEEDED);
            assertThat(r.getAttempts()).isEqualTo(3);
        });
    }

    @Test
    void shouldAnswerDeadlineExceededWithTheLastProviderErrorDuringAnOutage() {
        caller.auto = c -> http(ErrorCode.PROVIDER_ERROR, 503, "service unavailable");
        DispatchEngine engine = engine();
        ChatRequest r = request("a", "m", "x");
        r.setDeadlineMs(clock.millis() + 5_000);
        submit(engine, r, clock.millis());
        runFor(engine, 6_000);
        assertThat(results).singleElement().satisfies(res -> {
            assertThat(res.getError().getCode()).isEqualTo("DEADLINE_EXCEEDED");
            assertThat(res.getError().getHttpStatus()).isEqualTo(503);
            assertThat(res.getError().getMessage()).contains("PROVIDER_ERROR", "service unavailable");
        });
        assertThat(caller.calls.size())
                .as("more calls than max-attempts: provider-wide failures use none")
                .isGreaterThan(4);
    }

    @Test
    void shouldGiveBatchLinesTheCompletionWindowAndOnlineRequestsMaxQueueMs() {
        assertThat(EngineFixtures.settings(Map.of()).batchCompletionWindowMs()).isEqualTo(86_400_000L);
        config.put("dispatch.max-queue-ms", 5_000);
        config.put("dispatch.batch-completion-window-ms", 3_600_000);
        rateLimiter = (provider, tokens) -> false;
        DispatchEngine online = engine();
        DispatchEngine batch = new DispatchEngine(runtime.forBatch(0.25, meters), results::add);
        submit(online, request("o", "m", "x"), clock.millis());
        submit(batch, request("b", "m", "x"), clock.millis());
        clock.advance(5_000);
        online.pump();
        batch.pump();
        assertThat(results).extracting(ChatResult::getId).containsExactly("o");
        clock.advance(3_600_000 - 5_000);
        batch.pump();
        assertThat(results).extracting(ChatResult::getId).containsExactly("o", "b");
        assertThat(results).allSatisfy(r -> assertThat(r.getError().getCode()).isEqualTo("DEADLINE_EXCEEDED"));
    }

    @Test
    void shouldBoundCallsDuringAnOutageToTheWindowAndHalfOpenProbesThenServeEveryRequest() {
        int requests = 40;
        int window = 10;
        int probes = 2;
        long openMs = 1_000;
        long outageMs = 20_000;
        config.put("dispatch.max-attempts", 1);
        config.put("dispatch.backoff-max-ms", 2_000);
        config.put("breaker.window-calls", window);
        config.put("breaker.open-ms", openMs);
        config.put("breaker.half-open-calls", probes);
        AtomicReference<ProviderOutcome> answer = new AtomicReference<>(http(ErrorCode.PROVIDER_ERROR, 503, "down"));
        caller.auto = c -> answer.get();
        DispatchEngine engine = engine();
        for (int i = 0; i < requests; i++) {
            submit(engine, request("r" + i, "m", "x" + i), clock.millis());
        }
        runFor(engine, outageMs);
        int duringOutage = caller.calls.size();
        assertThat(duringOutage)
                .as("the window, then probes per open period")
                .isLessThanOrEqualTo(window + probes * (int) (outageMs / openMs + 1));
        assertThat(results).isEmpty();

        answer.set(success("back"));
        runFor(engine, 10_000);
        assertThat(results)
                .hasSize(requests)
                .allSatisfy(r -> assertThat(r.getStatus()).isEqualTo(ResultStatus.SUCCEEDED));
        assertThat(caller.calls.size() - duringOutage)
                .as("one successful call each after it")
                .isEqualTo(requests);
    }

    @Test
    void shouldMoveToAFallbackModelWhileTheCircuitIsOpen() {
        config.put("breaker.window-calls", 2);
        caller.auto = c -> c.provider().equals("pa") ? http(ErrorCode.PROVIDER_ERROR, 503, "down") : success("from b");
        DispatchEngine engine = engine("pa=a-*", "pb=b-*");
        submit(engine, request("o1", "a-1", "x"), clock.millis());
        submit(engine, request("o2", "a-1", "y"), clock.millis());
        engine.pump();
        ChatRequest r = request("x", "a-1", "z");
        r.setFallbackModels(List.of("b-1"));
        submit(engine, r, clock.millis());
        runFor(engine, 100);
        assertThat(resultOf("x")).satisfies(res -> {
            assertThat(res.getStatus()).isEqualTo(ResultStatus.SUCCEEDED);
            assertThat(res.getModelUsed()).isEqualTo("b-1");
            assertThat(res.getFallbackReason()).contains("CIRCUIT_OPEN");
        });
        assertThat(results)
                .extracting(ChatResult::getId)
                .as("the others wait for pa")
                .containsExactly("x");
    }

    @Test
    void shouldTellOwnFailuresFromProviderWideOnes() {
        var closed = CircuitBreaker.State.CLOSED;
        for (int status : List.of(502, 503, 504)) {
            assertThat(FailureScope.of(http(ErrorCode.PROVIDER_ERROR, status, "x"), closed))
                    .isEqualTo(FailureScope.PROVIDER_WIDE);
        }
        assertThat(FailureScope.of(failure(ErrorCode.RATE_LIMITED, 429, null), closed))
                .isEqualTo(FailureScope.PROVIDER_WIDE);
        assertThat(FailureScope.of(failure(ErrorCode.CONNECTION_FAILED, null, null), closed))
                .isEqualTo(FailureScope.PROVIDER_WIDE);
        assertThat(FailureScope.of(http(ErrorCode.PROVIDER_ERROR, 500, "x"), closed))
                .isEqualTo(FailureScope.OWN);
        assertThat(FailureScope.of(failure(ErrorCode.TIMEOUT, null, null), closed))
                .isEqualTo(FailureScope.OWN);
        for (var notClosed : List.of(CircuitBreaker.State.OPEN, CircuitBreaker.State.HALF_OPEN)) {
            assertThat(FailureScope.of(http(ErrorCode.PROVIDER_ERROR, 500, "x"), notClosed))
                    .isEqualTo(FailureScope.PROVIDER_WIDE);
            assertThat(FailureScope.of(http(ErrorCode.PROVIDER_REJECTED, 400, "x"), notClosed))
                    .as("permanent errors are always the request's own")
                    .isEqualTo(FailureScope.OWN);
        }
    }

    @Test
    void shouldRecordARequestsRepeatedFaultsOnceWhileClosedButEveryFaultOtherwise() {
        DispatchSettings s = EngineFixtures.settings(Map.of(
                "breaker.window-calls",
                4,
                "breaker.failure-rate-percent",
                50,
                "breaker.open-ms",
                1_000,
                "breaker.half-open-calls",
                1));
        ProviderLane lane = new ProviderLane("p", s, clock);
        ProviderOutcome poison = http(ErrorCode.PROVIDER_ERROR, 500, "poison");
        lane.tryAdmit();
        assertThat(lane.onOutcome(poison, 1.0, false)).as("first fault counts").isTrue();
        for (int i = 0; i < 3; i++) {
            lane.tryAdmit();
            assertThat(lane.onOutcome(poison, 1.0, true)).as("repeats do not").isFalse();
        }
        lane.tryAdmit();
        assertThat(lane.onOutcome(http(ErrorCode.PROVIDER_ERROR, 503, "down"), 1.0, true))
                .as("a provider-wide fault always counts")
                .isTrue();
        assertThat(lane.breakerState()).isEqualTo(CircuitBreaker.State.CLOSED);
        for (int i = 0; i < 2; i++) {
            lane.tryAdmit();
            lane.onOutcome(poison, 1.0, false);
        }
        assertThat(lane.breakerState()).isEqualTo(CircuitBreaker.State.OPEN);
        clock.advance(1_001);
        assertThat(lane.tryAdmit()).isEqualTo(ProviderLane.Admission.ADMITTED);
        assertThat(lane.onOutcome(poison, 1.0, true))
                .as("a failing probe counts, repeat or not")
                .isTrue();
        assertThat(lane.breakerState()).isEqualTo(CircuitBreaker.State.OPEN);
    }
}
