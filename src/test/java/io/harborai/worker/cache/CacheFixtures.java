package io.harborai.worker.cache;

import io.harborai.worker.avro.CacheOutcome;
import io.harborai.worker.avro.ChatResponse;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.ResultStatus;
import io.harborai.worker.avro.Timings;
import io.harborai.worker.avro.Usage;
import java.util.concurrent.atomic.AtomicLong;

/** Answers and a settable clock for the cache tests. */
final class CacheFixtures {

    private CacheFixtures() {}

    /** A succeeded result whose content is {@code content}. */
    static ChatResult answer(String id, String content) {
        return ChatResult.newBuilder()
                .setId(id)
                .setTenant("acme")
                .setStatus(ResultStatus.SUCCEEDED)
                .setProvider("sim")
                .setModelRequested("sim-small")
                .setModelUsed("sim-small")
                .setResponse(ChatResponse.newBuilder()
                        .setResponseId("resp-" + id)
                        .setContent(content)
                        .setFinishReason("stop")
                        .setBodyJson("{\"choices\":[]}")
                        .build())
                .setUsage(Usage.newBuilder()
                        .setPromptTokens(12)
                        .setCompletionTokens(34)
                        .setTotalTokens(46)
                        .build())
                .setCache(CacheOutcome.MISS)
                .setAttempts(1)
                .setTimings(Timings.newBuilder()
                        .setQueueMs(1)
                        .setProviderMs(20)
                        .setTotalMs(21)
                        .build())
                .setCompletedAtMs(1_700_000_000_000L)
                .build();
    }

    /** A 64-hex-char key, like the real ones, distinct per {@code n}. */
    static String key(int n) {
        return String.format("%064x", n);
    }

    /** Wall-clock milliseconds and monotonic nanoseconds that tests move together by hand. */
    static final class ManualClock {
        private final AtomicLong millis = new AtomicLong(1_700_000_000_000L);
        private final AtomicLong nanos = new AtomicLong(5_000_000_000L);

        long millis() {
            return millis.get();
        }

        long nanos() {
            return nanos.get();
        }

        void advanceMillis(long ms) {
            millis.addAndGet(ms);
            nanos.addAndGet(ms * 1_000_000);
        }
    }
}
