package io.harborai.worker.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.PendingRequest;
import io.harborai.worker.dispatch.DispatchMetrics;
import io.harborai.worker.dispatch.DispatchRuntime;
import io.harborai.worker.dispatch.EngineFixtures;
import io.harborai.worker.dispatch.PendingCodec;
import io.harborai.worker.dispatch.ratelimit.RateLimiter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

class AsyncDispatchProcessorTest {
    private final EngineFixtures.MutableClock clock = new EngineFixtures.MutableClock(1_700_000_000_000L);
    private final EngineFixtures.FakeCaller caller = new EngineFixtures.FakeCaller(clock);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final MockProcessorContext<String, ChatResult> context = new MockProcessorContext<>();
    private final KeyValueStore<String, byte[]> store = Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(TopologyFactory.PENDING_STORE), Serdes.String(), Serdes.ByteArray())
        .withLoggingDisabled().build();

    private AsyncDispatchProcessor processor() {
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        DispatchRuntime runtime = new DispatchRuntime(EngineFixtures.router("p=*"),
            EngineFixtures.settings(Map.of("dispatch.linger-ms", 0)), caller, RateLimiter.unlimited(), clock,
            () -> 0.5, meters);
        return new AsyncDispatchProcessor(runtime);
    }

    private void punctuate() {
        context.scheduledPunctuators().forEach(p -> p.getPunctuator().punctuate(clock.millis()));
    }

    @Test
    void shouldRedispatchEveryPendingEntryOnInitAndCountIt() {
        AsyncDispatchProcessor processor = processor();
        for (String id : new String[] {"a", "b", "c"}) {
            store.put(id, PendingCodec.encode(new PendingRequest(EngineFixtures.request(id, "m", "hi"), clock.millis(), 0, 1)));
        }
        processor.init(context);
        punctuate();
        assertThat(caller.calls).extracting(c -> c.request().getId()).containsExactlyInAnyOrder("a", "b", "c");
        assertThat(meters.counter(DispatchMetrics.REDISPATCHED).count()).isEqualTo(3);
        caller.calls.forEach(c -> c.complete(EngineFixtures.success("ok")));
        punctuate();
        assertThat(context.forwarded().stream().map(f -> (String) f.record().key()).toList()).containsExactlyInAnyOrder("a", "b", "c");
        assertThat(store.approximateNumEntries()).isZero();
    }

    @Test
    void shouldStoreEachRequestBeforeItsCallAndDeleteItWithTheResult() {
        AsyncDispatchProcessor processor = processor();
        processor.init(context);
        processor.process(new Record<>("a", EngineFixtures.request("a", "m", "hi"), 0L));
        assertThat(store.get("a")).isNotNull();
        assertThat(PendingCodec.decode(store.get("a")).getRequest().getId()).isEqualTo("a");
        processor.process(new Record<>("a", EngineFixtures.request("a", "m", "again"), 0L));
        assertThat(caller.calls).as("a duplicate of a pending id is not taken").hasSize(1);
        caller.last().complete(EngineFixtures.success("ok"));
        punctuate();
        assertThat(context.forwarded()).singleElement().satisfies(f -> assertThat(f.record().key()).isEqualTo("a"));
        assertThat(store.get("a")).isNull();
    }

    @Test
    void shouldCountRestoresInTheStoreAndGiveUpPastTheLimit() {
        AsyncDispatchProcessor processor = processor();
        store.put("again", PendingCodec.encode(
            new PendingRequest(EngineFixtures.request("again", "m", "hi"), clock.millis(), 0, 3)));
        store.put("doomed", PendingCodec.encode(
            new PendingRequest(EngineFixtures.request("doomed", "m", "hi"), clock.millis(), 0, 11)));
        processor.init(context);
        punctuate();
        assertThat(PendingCodec.decode(store.get("again")).getDispatches()).as("round recorded before the call").isEqualTo(4);
        assertThat(caller.calls).extracting(c -> c.request().getId()).containsExactly("again");
        assertThat(context.forwarded()).singleElement().satisfies(f -> {
            ChatResult r = (ChatResult) f.record().value();
            assertThat(r.getId()).isEqualTo("doomed");
            assertThat(r.getStatus().name()).isEqualTo("FAILED");
            assertThat(r.getError().getCode()).isEqualTo("INTERNAL");
            assertThat(r.getError().getMessage()).contains("re-dispatched 11 times");
        });
        assertThat(store.get("doomed")).isNull();
    }
}
