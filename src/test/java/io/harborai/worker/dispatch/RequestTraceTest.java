package io.harborai.worker.dispatch;

import static io.harborai.worker.dispatch.EngineFixtures.failure;
import static io.harborai.worker.dispatch.EngineFixtures.request;
import static io.harborai.worker.dispatch.EngineFixtures.success;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.ResultStatus;
import io.harborai.worker.dispatch.EngineFixtures.FakeCaller;
import io.harborai.worker.dispatch.ratelimit.RateLimiter;
import io.harborai.worker.provider.ErrorCode;
import io.harborai.worker.testinfra.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** What metrics.mode full records and balanced does not: the timing breakdown and trace events. */
class RequestTraceTest {
    private final MutableClock clock = new MutableClock(1_700_000_000_000L);
    private final FakeCaller caller = new FakeCaller(clock);
    private final List<ChatResult> results = new ArrayList<>();
    private final ListAppender<ILoggingEvent> traces = new ListAppender<>();
    private final Logger traceLogger = (Logger) LoggerFactory.getLogger(RequestTrace.LOGGER);

    @BeforeEach
    void captureTraces() {
        traces.start();
        traceLogger.addAppender(traces);
    }

    @AfterEach
    void release() {
        traceLogger.detachAppender(traces);
    }

    /** One request taken 30 ms after it arrived, answered 429 (Retry-After 1 s) and then 200. */
    private ChatResult runWithOneRetry(String mode) {
        DispatchRuntime rt = new DispatchRuntime(
                EngineFixtures.router("p=*"),
                EngineFixtures.settings(Map.of("dispatch.linger-ms", 0, "metrics.mode", mode)),
                caller,
                RateLimiter.unlimited(),
                clock,
                () -> 0.5,
                new SimpleMeterRegistry());
        DispatchEngine engine = new DispatchEngine(rt, results::add);
        engine.submit(request("a", "m", "hi"), clock.millis() - 30, 100, false);
        engine.pump();
        caller.last().complete(failure(ErrorCode.RATE_LIMITED, 429, Duration.ofSeconds(1)));
        engine.pump();
        clock.advance(1_000);
        engine.pump();
        caller.last().complete(success("hello"));
        engine.pump();
        assertThat(caller.calls).hasSize(2);
        assertThat(results).hasSize(1);
        return results.get(0);
    }

    @Test
    void shouldRecordTheBreakdownAndTraceEveryStepInFullMode() {
        ChatResult r = runWithOneRetry("full");
        assertThat(r.getStatus()).isEqualTo(ResultStatus.SUCCEEDED);
        assertThat(r.getTimings().getCacheLookupMs()).isEqualTo(30);
        assertThat(r.getTimings().getAttemptMs()).containsExactly(5L, 5L);
        assertThat(r.getTimings().getProviderTotalMs()).isEqualTo(10);
        assertThat(r.getTimings().getRetryWaitMs()).isGreaterThanOrEqualTo(1_000);
        List<String> events =
                traces.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(events).allSatisfy(e -> assertThat(e).contains("\"id\":\"a\""));
        assertThat(events.stream()
                        .map(e -> e.replaceAll(".*\"event\":\"([a-z.]+)\".*", "$1"))
                        .toList())
                .containsExactly("submitted", "call.start", "call.end", "retry", "call.start", "call.end", "result");
        assertThat(events.get(2)).contains("\"outcome\":\"RATE_LIMITED\"");
        assertThat(events.get(6)).contains("\"status\":\"SUCCEEDED\"", "\"provider_total_ms\":10");
    }

    @Test
    void shouldKeepOnlyTheBasicTimingsAndTraceNothingInBalancedMode() {
        ChatResult r = runWithOneRetry("balanced");
        assertThat(r.getTimings().getTotalMs()).isEqualTo(1_030);
        assertThat(r.getTimings().getProviderMs()).isEqualTo(5);
        assertThat(r.getTimings().getAttemptMs()).isEmpty();
        assertThat(r.getTimings().getProviderTotalMs()).isZero();
        assertThat(r.getTimings().getCacheLookupMs()).isZero();
        assertThat(traces.list).isEmpty();
    }
}
