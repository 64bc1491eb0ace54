package io.harborai.worker.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.harborai.worker.avro.CacheControl;
import io.harborai.worker.avro.CacheMode;
import io.harborai.worker.avro.CacheOutcome;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.PendingRequest;
import io.harborai.worker.cache.CacheRuntime;
import io.harborai.worker.cache.L1Cache;
import io.harborai.worker.cache.RedisL2Cache;
import io.harborai.worker.cache.TwoTierCache;
import io.harborai.worker.dispatch.DispatchRuntime;
import io.harborai.worker.dispatch.EngineFixtures;
import io.harborai.worker.dispatch.PendingCodec;
import io.harborai.worker.dispatch.ratelimit.RateLimiter;
import io.harborai.worker.metrics.MetricsCatalog;
import io.harborai.worker.provider.ErrorCode;
import io.harborai.worker.redis.RedisClients;
import io.harborai.worker.testinfra.MutableClock;
import io.harborai.worker.testinfra.SilentServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

class AsyncDispatchProcessorTest {
    private final MutableClock clock = new MutableClock(1_700_000_000_000L);
    private final EngineFixtures.FakeCaller caller = new EngineFixtures.FakeCaller(clock);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final MockProcessorContext<String, ChatResult> context = new MockProcessorContext<>();
    private final KeyValueStore<String, byte[]> store = Stores.keyValueStoreBuilder(
                    Stores.inMemoryKeyValueStore(TopologyFactory.PENDING_STORE), Serdes.String(), Serdes.ByteArray())
            .withLoggingDisabled()
            .build();
    private final KeyValueStore<Long, byte[]> parkedStore = Stores.keyValueStoreBuilder(
                    Stores.inMemoryKeyValueStore(TopologyFactory.PARKED_STORE), Serdes.Long(), Serdes.ByteArray())
            .withLoggingDisabled()
            .build();

    private final CacheRuntime cacheOn = new CacheRuntime(
            true,
            true,
            Duration.ofHours(1),
            new TwoTierCache(new L1Cache(1 << 20, clock::millis), null, clock::millis, meters));

    private AsyncDispatchProcessor processor() {
        return processor(CacheRuntime.disabled());
    }

    private AsyncDispatchProcessor processor(CacheRuntime cache) {
        return processor(cache, Map.of("dispatch.linger-ms", 0));
    }

    private AsyncDispatchProcessor processor(CacheRuntime cache, Map<String, ?> settings) {
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        parkedStore.init(context.getStateStoreContext(), parkedStore);
        context.addStateStore(parkedStore);
        DispatchRuntime runtime = new DispatchRuntime(
                EngineFixtures.router("p=*"),
                EngineFixtures.settings(settings),
                caller,
                RateLimiter.unlimited(),
                clock,
                () -> 0.5,
                meters);
        return new AsyncDispatchProcessor(runtime, cache);
    }

    /** A record as the topology delivers it: keyed by cache key when the cache is on. */
    private Record<String, PendingRequest> record(ChatRequest request, CacheRuntime cache) {
        String key = cache.enabled() ? cache.key(request) : request.getId();
        return new Record<>(key, new PendingRequest(request, clock.millis(), 0, 1, null), 0L);
    }

    private List<ChatResult> results() {
        return context.forwarded().stream()
                .map(f -> (ChatResult) f.record().value())
                .toList();
    }

    private static ChatRequest withMode(ChatRequest r, CacheMode mode) {
        return ChatRequest.newBuilder(r)
                .setCache(CacheControl.newBuilder().setMode(mode).build())
                .build();
    }

    private void punctuate() {
        context.scheduledPunctuators().forEach(p -> p.getPunctuator().punctuate(clock.millis()));
    }

    @Test
    void shouldRedispatchEveryPendingEntryOnInitAndCountIt() {
        AsyncDispatchProcessor processor = processor();
        for (String id : new String[] {"a", "b", "c"}) {
            store.put(
                    id,
                    PendingCodec.encode(
                            new PendingRequest(EngineFixtures.request(id, "m", "hi"), clock.millis(), 0, 1, null)));
        }
        processor.init(context);
        punctuate();
        assertThat(caller.calls).extracting(c -> c.request().getId()).containsExactlyInAnyOrder("a", "b", "c");
        assertThat(meters.counter(MetricsCatalog.REDISPATCHED, "traffic", "online")
                        .count())
                .isEqualTo(3);
        caller.calls.forEach(c -> c.complete(EngineFixtures.success("ok")));
        punctuate();
        assertThat(context.forwarded().stream()
                        .map(f -> (String) f.record().key())
                        .toList())
                .containsExactlyInAnyOrder("a", "b", "c");
        assertThat(store.approximateNumEntries()).isZero();
    }

    @Test
    void shouldStoreEachRequestBeforeItsCallAndDeleteItWithTheResult() {
        AsyncDispatchProcessor processor = processor();
        processor.init(context);
        processor.process(record(EngineFixtures.request("a", "m", "hi"), CacheRuntime.disabled()));
        assertThat(store.get("a")).isNotNull();
        assertThat(PendingCodec.decode(store.get("a")).getRequest().getId()).isEqualTo("a");
        assertThat(caller.calls).hasSize(1);
        caller.last().complete(EngineFixtures.success("ok"));
        punctuate();
        assertThat(context.forwarded())
                .singleElement()
                .satisfies(f -> assertThat(f.record().key()).isEqualTo("a"));
        assertThat(store.get("a")).isNull();
    }

    @Test
    void shouldCountRestoresInTheStoreAndGiveUpPastTheLimit() {
        AsyncDispatchProcessor processor = processor();
        store.put(
                "again",
                PendingCodec.encode(
                        new PendingRequest(EngineFixtures.request("again", "m", "hi"), clock.millis(), 0, 3, null)));
        store.put(
                "doomed",
                PendingCodec.encode(
                        new PendingRequest(EngineFixtures.request("doomed", "m", "hi"), clock.millis(), 0, 11, null)));
        processor.init(context);
        punctuate();
        assertThat(PendingCodec.decode(store.get("again")).getDispatches())
                .as("round recorded before the call")
                .isEqualTo(4);
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

    @Test
    void shouldLetIdenticalRequestsWaitForOneCallAndAnswerLaterOnesFromL1() {
        AsyncDispatchProcessor processor = processor(cacheOn);
        processor.init(context);
        for (String id : new String[] {"a", "b", "c"}) {
            processor.process(record(EngineFixtures.request(id, "m", "same question"), cacheOn));
        }
        processor.process(record(EngineFixtures.request("other", "m", "another question"), cacheOn));
        assertThat(caller.calls).extracting(c -> c.request().getId()).containsExactly("a", "other");
        assertThat(store.get("b")).as("a waiter is pending like any request").isNotNull();

        caller.calls.get(0).complete(EngineFixtures.success("the answer"));
        punctuate();
        assertThat(results())
                .extracting(r ->
                        r.getId() + ":" + r.getCache() + ":" + r.getResponse().getContent())
                .containsExactly("a:MISS:the answer", "b:COALESCED:the answer", "c:COALESCED:the answer");
        assertThat(results().get(1).getAttempts()).isZero();
        assertThat(meters.counter(MetricsCatalog.CACHE_COALESCED).count()).isEqualTo(2);
        assertThat(store.get("b")).isNull();

        processor.process(record(EngineFixtures.request("d", "m", "same question"), cacheOn));
        assertThat(caller.calls).hasSize(2);
        assertThat(results().get(3)).satisfies(r -> {
            assertThat(r.getId()).isEqualTo("d");
            assertThat(r.getCache()).isEqualTo(CacheOutcome.L1);
            assertThat(r.getResponse().getContent()).isEqualTo("the answer");
        });
        assertThat(store.get("d"))
                .as("an L1 hit is answered without a pending entry")
                .isNull();
    }

    @Test
    void shouldNeitherCacheNorShareAFailureBeyondItsWaiters() {
        AsyncDispatchProcessor processor = processor(cacheOn);
        processor.init(context);
        processor.process(record(EngineFixtures.request("a", "m", "q"), cacheOn));
        processor.process(record(EngineFixtures.request("b", "m", "q"), cacheOn));
        caller.calls.get(0).complete(EngineFixtures.failure(ErrorCode.INVALID_REQUEST, 400, null));
        punctuate();
        assertThat(results())
                .extracting(r -> r.getId() + ":" + r.getStatus() + ":" + r.getCache())
                .containsExactly("a:FAILED:MISS", "b:FAILED:COALESCED");
        processor.process(record(EngineFixtures.request("c", "m", "q"), cacheOn));
        assertThat(caller.calls).as("a failure is not cached").hasSize(2);
    }

    @Test
    void shouldHonourNoCacheAndNoStore() {
        AsyncDispatchProcessor processor = processor(cacheOn);
        processor.init(context);
        processor.process(record(withMode(EngineFixtures.request("nostore", "m", "q"), CacheMode.NO_STORE), cacheOn));
        caller.last().complete(EngineFixtures.success("x"));
        punctuate();
        processor.process(record(EngineFixtures.request("plain", "m", "q"), cacheOn));
        assertThat(caller.calls).as("NO_STORE left nothing in the cache").hasSize(2);
        caller.last().complete(EngineFixtures.success("y"));
        punctuate();
        processor.process(record(withMode(EngineFixtures.request("nocache", "m", "q"), CacheMode.NO_CACHE), cacheOn));
        assertThat(caller.calls).as("NO_CACHE skips the lookup").hasSize(3);
        caller.last().complete(EngineFixtures.success("z"));
        punctuate();
        processor.process(record(EngineFixtures.request("later", "m", "q"), cacheOn));
        assertThat(results())
                .extracting(r ->
                        r.getId() + ":" + r.getCache() + ":" + r.getResponse().getContent())
                .containsExactly("nostore:MISS:x", "plain:MISS:y", "nocache:BYPASS:z", "later:L1:z");
    }

    @Test
    void shouldServeOnlyAnswersYoungerThanTheRequestsMaxAge() {
        AsyncDispatchProcessor processor = processor(cacheOn);
        processor.init(context);
        processor.process(record(EngineFixtures.request("a", "m", "q"), cacheOn));
        caller.last().complete(EngineFixtures.success("old"));
        punctuate();
        clock.advance(30_000);
        ChatRequest picky = ChatRequest.newBuilder(EngineFixtures.request("b", "m", "q"))
                .setCache(CacheControl.newBuilder().setMaxAgeSeconds(10).build())
                .build();
        processor.process(record(picky, cacheOn));
        assertThat(caller.calls)
                .as("a 30 s old answer is too old for max_age 10 s")
                .hasSize(2);
        ChatRequest relaxed = ChatRequest.newBuilder(EngineFixtures.request("c", "m", "q"))
                .setCache(CacheControl.newBuilder().setMaxAgeSeconds(60).build())
                .build();
        processor.process(record(relaxed, cacheOn));
        assertThat(results()).extracting(r -> r.getId() + ":" + r.getCache()).contains("c:L1");
    }

    @Test
    void shouldCoalesceRestoredIdenticalRequestsIntoOneCall() {
        AsyncDispatchProcessor processor = processor(cacheOn);
        for (String id : new String[] {"a", "b", "c"}) {
            store.put(
                    id,
                    PendingCodec.encode(
                            new PendingRequest(EngineFixtures.request(id, "m", "same"), clock.millis(), 0, 1, null)));
        }
        processor.init(context);
        punctuate();
        assertThat(caller.calls).hasSize(1);
        assertThat(meters.counter(MetricsCatalog.REDISPATCHED, "traffic", "online")
                        .count())
                .as("only the call is a re-dispatch")
                .isEqualTo(1);
        caller.last().complete(EngineFixtures.success("ok"));
        punctuate();
        assertThat(results())
                .hasSize(3)
                .allSatisfy(r -> assertThat(r.getResponse().getContent()).isEqualTo("ok"));
        assertThat(store.approximateNumEntries()).isZero();
    }

    @Test
    void shouldNotCacheAFallbackModelsAnswer() {
        AsyncDispatchProcessor processor = processor(cacheOn);
        processor.init(context);
        ChatRequest withFallback = ChatRequest.newBuilder(EngineFixtures.request("a", "m", "q"))
                .setFallbackModels(List.of("m2"))
                .build();
        processor.process(record(withFallback, cacheOn));
        caller.last().complete(EngineFixtures.failure(ErrorCode.AUTH_FAILED, 401, null));
        punctuate();
        assertThat(caller.last().model()).isEqualTo("m2");
        caller.last().complete(EngineFixtures.success("from m2"));
        punctuate();
        assertThat(results())
                .singleElement()
                .satisfies(r -> assertThat(r.getFallbackReason()).isNotNull());
        processor.process(record(EngineFixtures.request("b", "m", "q"), cacheOn));
        assertThat(caller.calls).as("the next identical request asks m again").hasSize(3);
        assertThat(caller.last().model()).isEqualTo("m");
    }

    /**
     * The in-flight cap is full of this task's own L2 lookups: when they answer (on a Redisson or
     * timer thread), the wait for capacity must take their answers and go on, not wait out {@code
     * dispatch.max-block-ms} and park the next record. Measured before the fix: the bench at C=256
     * and 0 ms fell from 1,225 to about 100 results/s, requests stalled for max-block-ms each time
     * the cap filled with lookups.
     */
    @Test
    void shouldTakeTheNextRecordAsSoonAsItsOwnCacheLookupsAnswerAtTheCap() throws Exception {
        Duration lookupTimeout = Duration.ofMillis(200);
        try (SilentServer silent = new SilentServer()) {
            Config config =
                    RedisClients.redissonConfig(RedisClients.RedisUrl.parse("redis://127.0.0.1:" + silent.port()));
            config.useSingleServer()
                    .setTimeout(10_000)
                    .setConnectTimeout(10_000)
                    .setRetryAttempts(0);
            RedissonClient client = Redisson.create(config);
            try (RedisL2Cache l2 =
                    new RedisL2Cache(client, "harbor:test:", lookupTimeout, System::nanoTime, Duration.ofMillis(1))) {
                // The lookups time out on the JDK's delay thread: each answers "miss" after 200 ms.
                CacheRuntime cache = new CacheRuntime(
                        true,
                        true,
                        Duration.ofHours(1),
                        new TwoTierCache(new L1Cache(1 << 20, clock::millis), l2, clock::millis, meters));
                AsyncDispatchProcessor processor = processor(
                        cache,
                        Map.of(
                                "dispatch.linger-ms", 0,
                                "dispatch.max-in-flight", 1,
                                "dispatch.max-block-ms", 10_000));
                caller.auto =
                        c -> EngineFixtures.success("answer to " + c.request().getId());
                processor.init(context);

                processor.process(record(EngineFixtures.request("a", "m", "first"), cache));
                long start = System.nanoTime();
                processor.process(record(EngineFixtures.request("b", "m", "second"), cache));
                long waitedMs = (System.nanoTime() - start) / 1_000_000;

                assertThat(parkedStore.approximateNumEntries())
                        .as(
                                "b was taken once a's lookup answered, not parked after max-block-ms (waited %d ms)",
                                waitedMs)
                        .isZero();
                assertThat(results()).extracting(ChatResult::getId).contains("a");
                assertThat(store.get("b")).as("b is pending: taken").isNotNull();
            } finally {
                client.shutdown(0, 1, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * A provider that holds the cap (its calls never answer, as in an outage with the circuit open):
     * the stream thread may wait out {@code dispatch.max-block-ms} once between two punctuations,
     * not once per record. Before the fix each record waited its own max-block-ms, so a run of
     * records held the EOS transaction open past {@code transaction.timeout.ms} and the thread was
     * fenced (FailureIsolationIT, 30 s outage).
     */
    @Test
    void shouldWaitOutMaxBlockOncePerPunctuationNotOncePerRecordWhileTheCapStaysFull() {
        long maxBlockMs = 1_000;
        AsyncDispatchProcessor processor = processor(
                CacheRuntime.disabled(),
                Map.of("dispatch.linger-ms", 0, "dispatch.max-in-flight", 1, "dispatch.max-block-ms", maxBlockMs));
        processor.init(context);
        processor.process(record(EngineFixtures.request("a", "m", "holds the cap"), CacheRuntime.disabled()));
        assertThat(caller.calls).as("a's call is in flight and never answers").hasSize(1);

        long start = System.nanoTime();
        for (String id : List.of("b", "c", "d", "e")) {
            processor.process(record(EngineFixtures.request(id, "m", "question " + id), CacheRuntime.disabled()));
        }
        long runMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(parkedStore.approximateNumEntries()).as("b..e are parked").isEqualTo(4);
        assertThat(runMs)
                .as("four records at a full cap wait max-block-ms (%d ms) once in all", maxBlockMs)
                .isBetween(maxBlockMs, 2 * maxBlockMs);

        punctuate();
        start = System.nanoTime();
        processor.process(record(EngineFixtures.request("f", "m", "question f"), CacheRuntime.disabled()));
        long afterPunctuationMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(afterPunctuationMs)
                .as("a punctuation (Kafka Streams may commit next) gives the thread its wait again")
                .isGreaterThanOrEqualTo(maxBlockMs);
        assertThat(parkedStore.approximateNumEntries()).isEqualTo(5);
        assertThat(caller.calls).as("nothing was called over the cap").hasSize(1);
    }
}
