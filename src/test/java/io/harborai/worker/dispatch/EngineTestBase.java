package io.harborai.worker.dispatch;

import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.dispatch.EngineFixtures.FakeCaller;
import io.harborai.worker.dispatch.ratelimit.RateLimiter;
import io.harborai.worker.testinfra.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What engine tests share: a hand-moved clock, a provider caller completed by hand (or at once by
 * {@link FakeCaller#auto}), the results emitted, and config overrides read when {@link #engine} builds
 * the runtime (linger 0 unless a test says otherwise).
 */
abstract class EngineTestBase {
    protected final MutableClock clock = new MutableClock(1_700_000_000_000L);
    protected final FakeCaller caller = new FakeCaller(clock);
    protected final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    protected final List<ChatResult> results = new ArrayList<>();
    protected final Map<String, Object> config = new HashMap<>(Map.of("dispatch.linger-ms", 0));
    protected RateLimiter rateLimiter = RateLimiter.unlimited();
    protected DispatchRuntime runtime;

    /** A new online runtime from {@link #config} and an engine over it; providers as "name=glob". */
    protected DispatchEngine engine(String... providers) {
        runtime = EngineFixtures.runtime(config, caller, rateLimiter, clock, meters, providers);
        return new DispatchEngine(runtime, results::add);
    }

    /** Submits a 100-byte request received at {@code receivedAt}. */
    protected static void submit(DispatchEngine engine, ChatRequest r, long receivedAt) {
        engine.submit(r, receivedAt, 100, false);
    }
}
