package io.harborai.worker.dispatch;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.Timings;
import io.harborai.worker.provider.ProviderOutcome;
import java.util.ArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code metrics.mode: full} records per request: the timing breakdown written into each
 * result's {@code timings} (cache lookup, every call's latency and their sum, retry backoff) and
 * trace events, one JSON line per step on the logger {@value #LOGGER} at INFO: {@code submitted},
 * {@code call.start}, {@code call.end}, {@code retry}, {@code result}. In the other modes every
 * method returns at once and results keep the basic timings (queue, provider, total).
 *
 * <p>Threading: called on the stream thread that owns the entries; stateless apart from them.
 */
final class RequestTrace {
    static final String LOGGER = "harbor.trace";
    private static final Logger TRACE = LoggerFactory.getLogger(LOGGER);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final boolean on;

    RequestTrace(boolean on) {
        this.on = on;
    }

    boolean on() {
        return on;
    }

    void submitted(PendingEntry e, long nowMs) {
        e.submittedAtMs = nowMs;
        if (on) {
            e.attemptMs = new ArrayList<>(2);
            log(event("submitted", e)
                    .put("cache_lookup_ms", nowMs - e.receivedAtMs)
                    .put("model", e.model()));
        }
    }

    void callStarted(PendingEntry e) {
        if (on) {
            log(event("call.start", e)
                    .put("attempt", e.totalAttempts)
                    .put("provider", e.provider())
                    .put("model", e.model()));
        }
    }

    void callEnded(PendingEntry e, ProviderOutcome outcome) {
        if (on) {
            e.attemptMs.add(outcome.latencyMs());
            log(event("call.end", e)
                    .put("attempt", e.totalAttempts)
                    .put("provider", e.provider())
                    .put("model", e.model())
                    .put("ms", outcome.latencyMs())
                    .put(
                            "outcome",
                            outcome instanceof ProviderOutcome.Failure f
                                    ? f.code().name()
                                    : "ok"));
        }
    }

    void retryScheduled(PendingEntry e, long delayMs) {
        e.retryWaitMs += delayMs;
        if (on) {
            log(event("retry", e).put("attempt", e.totalAttempts).put("delay_ms", delayMs));
        }
    }

    /** Adds the breakdown to {@code result}'s timings (full mode) and traces it. */
    ChatResult finished(PendingEntry e, ChatResult result) {
        if (!on) {
            return result;
        }
        Timings t = result.getTimings();
        t.setCacheLookupMs(Math.max(0, e.submittedAtMs - e.receivedAtMs));
        t.setAttemptMs(e.attemptMs == null ? java.util.List.of() : e.attemptMs);
        t.setProviderTotalMs(
                e.attemptMs == null
                        ? 0
                        : e.attemptMs.stream().mapToLong(Long::longValue).sum());
        t.setRetryWaitMs(e.retryWaitMs);
        log(event("result", e)
                .put("status", result.getStatus().name())
                .put(
                        "code",
                        result.getError() == null ? null : result.getError().getCode())
                .put("attempts", result.getAttempts())
                .put("total_ms", t.getTotalMs())
                .put("provider_total_ms", t.getProviderTotalMs())
                .put("retry_wait_ms", t.getRetryWaitMs()));
        return result;
    }

    private static ObjectNode event(String name, PendingEntry e) {
        return JSON.createObjectNode().put("event", name).put("id", e.id);
    }

    private static void log(ObjectNode event) {
        TRACE.info("{}", event);
    }
}
