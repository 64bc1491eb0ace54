package io.harborai.worker.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.harborai.worker.avro.BatchControl;
import io.harborai.worker.avro.BatchProgress;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.PendingRequest;
import io.harborai.worker.avro.ResultStatus;
import io.harborai.worker.cache.CacheRuntime;
import io.harborai.worker.cache.L1Cache;
import io.harborai.worker.cache.TwoTierCache;
import io.harborai.worker.dispatch.DispatchRuntime;
import io.harborai.worker.dispatch.EngineFixtures;
import io.harborai.worker.dispatch.ratelimit.RateLimiter;
import io.harborai.worker.metrics.MetricsCatalog;
import io.harborai.worker.schema.AvroSerde;
import io.harborai.worker.testinfra.InProcessRegistry;
import io.harborai.worker.testinfra.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parking: at an in-flight cap of 2 that stays full for {@code dispatch.max-block-ms}, records go
 * to the on-disk {@code parked} store in arrival order instead of being held over the cap, and are
 * admitted oldest first as calls finish, also after a restart.
 */
class ParkingTopologyTest {
    private static final int CAP = 2;

    @RegisterExtension
    static final InProcessRegistry REGISTRY = new InProcessRegistry();

    @TempDir
    Path stateDir;

    private final MutableClock clock = new MutableClock(1_000_000);
    private final EngineFixtures.FakeCaller caller = new EngineFixtures.FakeCaller(clock);
    private final List<String> resultIds = new ArrayList<>();
    /** Highest in-flight count seen after any step. */
    private int maxInFlight;

    private SimpleMeterRegistry meters;
    private DispatchRuntime runtime;
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> requests;
    private TestOutputTopic<String, ChatResult> results;
    private AvroSerde<ChatRequest> requestSerde;

    @AfterEach
    void tearDown() {
        if (driver != null) {
            driver.close();
        }
    }

    /** A driver (a fresh worker: own runtime and meters) over {@code stateDir}. */
    private void open() {
        meters = new SimpleMeterRegistry();
        runtime = new DispatchRuntime(
                EngineFixtures.router("test=*"),
                EngineFixtures.settings(
                        Map.of("dispatch.linger-ms", 0, "dispatch.max-in-flight", CAP, "dispatch.max-block-ms", 20)),
                caller,
                RateLimiter.unlimited(),
                clock,
                () -> 0.5,
                meters);
        requestSerde = new AvroSerde<>(REGISTRY.client(), ChatRequest.class, true);
        AvroSerde<ChatResult> resultSerde = new AvroSerde<>(REGISTRY.client(), ChatResult.class, true);
        var topology = TopologyFactory.build(
                new TopologyFactory.Settings(
                        List.of("req"), "res", "dlq", "progress", 4096, 86_400_000L, "replies", "control"),
                requestSerde.deserializer(),
                resultSerde,
                new AvroSerde<>(REGISTRY.client(), BatchProgress.class, true),
                new AvroSerde<>(REGISTRY.client(), BatchControl.class, true),
                runtime,
                CacheRuntime.disabled());
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "parking-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(topology, props);
        requests = driver.createInputTopic(
                "req", Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer());
        results = driver.createOutputTopic("res", Serdes.String().deserializer(), resultSerde.deserializer());
    }

    private void send(String... ids) {
        for (String id : ids) {
            requests.pipeInput(requestSerde.serializer().serialize("req", EngineFixtures.request(id, "m", "q " + id)));
            observe();
        }
    }

    /** Completes the oldest open call and lets the punctuator forward it and admit parked records. */
    private void completeOldest() {
        caller.open().get(0).complete(EngineFixtures.success("ok"));
        driver.advanceWallClockTime(Duration.ofMillis(10));
        observe();
    }

    private void observe() {
        maxInFlight = Math.max(maxInFlight, runtime.inFlight().count());
        for (KeyValue<String, ChatResult> kv : results.readKeyValuesToList()) {
            assertThat(kv.value.getStatus()).isEqualTo(ResultStatus.SUCCEEDED);
            resultIds.add(kv.key);
        }
    }

    private List<String> called() {
        return caller.calls.stream().map(c -> c.request().getId()).toList();
    }

    private KeyValueStore<Long, byte[]> parkedStore() {
        return driver.getKeyValueStore(TopologyFactory.PARKED_STORE);
    }

    private double parkedGauge() {
        return meters.get(MetricsCatalog.PARKED)
                .tag("traffic", "online")
                .gauge()
                .value();
    }

    @Test
    void shouldParkRecordsInArrivalOrderAtTheCapAndAdmitThemAsCallsFinish() {
        open();
        send("r0", "r1", "r2", "r3", "r4");
        assertThat(called()).as("only the cap is called").containsExactly("r0", "r1");
        assertThat(runtime.inFlight().count()).isEqualTo(CAP);
        assertThat(parkedStore().approximateNumEntries()).isEqualTo(3);
        assertThat(parkedGauge()).isEqualTo(3);
        assertThat(meters.get(MetricsCatalog.PARKS)
                        .tag("traffic", "online")
                        .counter()
                        .count())
                .isEqualTo(3);
        assertThat(driver.<String, byte[]>getKeyValueStore(TopologyFactory.PENDING_STORE)
                        .get("r2"))
                .as("a parked record is not pending yet")
                .isNull();

        completeOldest();
        assertThat(resultIds).containsExactly("r0");
        assertThat(called()).as("room for one: the oldest parked record").containsExactly("r0", "r1", "r2");

        send("r5");
        assertThat(called())
                .as("a record arriving while others are parked waits behind them")
                .hasSize(3);
        while (!caller.open().isEmpty()) {
            completeOldest();
        }
        assertThat(called()).containsExactly("r0", "r1", "r2", "r3", "r4", "r5");
        assertThat(resultIds).containsExactly("r0", "r1", "r2", "r3", "r4", "r5");
        assertThat(maxInFlight).as("the cap held at every step").isLessThanOrEqualTo(CAP);
        assertThat(parkedGauge()).isZero();
        try (var all = parkedStore().all()) {
            assertThat(all.hasNext())
                    .as("admitted records are deleted from the parked store")
                    .isFalse();
        }
    }

    @Test
    void shouldTakeRecordsDirectlyAgainOnceNothingIsParked() {
        open();
        send("a", "b", "c");
        completeOldest();
        completeOldest();
        assertThat(called()).containsExactly("a", "b", "c");
        send("d");
        assertThat(called()).as("room and nothing parked: taken at once").containsExactly("a", "b", "c", "d");
        assertThat(meters.get(MetricsCatalog.PARKS)
                        .tag("traffic", "online")
                        .counter()
                        .count())
                .isEqualTo(1);
    }

    /**
     * A crash and restart at the processor level: the TopologyTestDriver deletes its task
     * directories on close and never restores from changelogs, so the parked store (RocksDB) is
     * closed and reopened on the same state directory by hand, and the pending store is carried
     * over as its changelog would restore it.
     */
    @Test
    void shouldDrainParkedRecordsRestoredFromDiskAfterARestartAndAnswerNothingTwice() {
        KeyValueStore<String, byte[]> pending = Stores.keyValueStoreBuilder(
                        Stores.inMemoryKeyValueStore(TopologyFactory.PENDING_STORE),
                        Serdes.String(),
                        Serdes.ByteArray())
                .withLoggingDisabled()
                .build();
        var first = new MockProcessorContext<String, ChatResult>(new Properties(), new TaskId(0, 0), stateDir.toFile());
        KeyValueStore<Long, byte[]> parked = rocksParked(first);
        pending.init(first.getStateStoreContext(), pending);
        first.addStateStore(pending);
        AsyncDispatchProcessor processor = processor(first);
        for (String id : List.of("a", "b", "c", "d", "e")) {
            processor.process(record(id));
        }
        caller.open().get(0).complete(EngineFixtures.success("ok"));
        first.scheduledPunctuators().forEach(p -> p.getPunctuator().punctuate(clock.millis()));
        assertThat(called()).containsExactly("a", "b", "c");
        List<String> answered = new ArrayList<>(forwardedIds(first));
        assertThat(answered).containsExactly("a");

        // Crash after the last commit: b and c are pending (their calls die with the process), d and e parked.
        processor.close();
        parked.commit(Map.of());
        parked.close();
        caller.open().forEach(c -> c.complete(EngineFixtures.success("late")));
        caller.calls.clear();

        var second =
                new MockProcessorContext<String, ChatResult>(new Properties(), new TaskId(0, 0), stateDir.toFile());
        parked = rocksParked(second);
        second.addStateStore(pending);
        processor = processor(second);
        assertThat(parkedGauge()).as("restored entries counted").isEqualTo(2);
        processor.process(record("f"));
        while (!caller.open().isEmpty()) {
            caller.open().get(0).complete(EngineFixtures.success("ok"));
            second.scheduledPunctuators().forEach(p -> p.getPunctuator().punctuate(clock.millis()));
            maxInFlight = Math.max(maxInFlight, runtime.inFlight().count());
        }
        assertThat(called())
                .as("pending re-dispatched, then the parked ones in order, then the new one")
                .containsExactly("b", "c", "d", "e", "f");
        answered.addAll(forwardedIds(second));
        assertThat(answered).containsExactly("a", "b", "c", "d", "e", "f");
        assertThat(maxInFlight).isLessThanOrEqualTo(CAP);
        assertThat(parkedGauge()).isZero();
        try (var all = parked.all();
                var left = pending.all()) {
            assertThat(all.hasNext()).isFalse();
            assertThat(left.hasNext()).isFalse();
        }
        processor.close();
        parked.close();
    }

    @Test
    void shouldCountCacheLookupsInProgressAgainstTheCap() {
        var context =
                new MockProcessorContext<String, ChatResult>(new Properties(), new TaskId(0, 0), stateDir.toFile());
        KeyValueStore<String, byte[]> pending = Stores.keyValueStoreBuilder(
                        Stores.inMemoryKeyValueStore(TopologyFactory.PENDING_STORE),
                        Serdes.String(),
                        Serdes.ByteArray())
                .withLoggingDisabled()
                .build();
        pending.init(context.getStateStoreContext(), pending);
        context.addStateStore(pending);
        KeyValueStore<Long, byte[]> parked = rocksParked(context);
        CacheRuntime cache = new CacheRuntime(
                true,
                true,
                Duration.ofHours(1),
                new TwoTierCache(new L1Cache(1 << 20, clock::millis), null, clock::millis, new SimpleMeterRegistry()));
        AsyncDispatchProcessor processor = processor(context, cache);
        for (String id : List.of("a", "b", "c")) {
            ChatRequest r = EngineFixtures.request(id, "m", "q " + id);
            processor.process(new Record<>(cache.key(r), new PendingRequest(r, clock.millis(), 0, 1, null), 0L));
            maxInFlight = Math.max(maxInFlight, runtime.inFlight().count());
        }
        assertThat(runtime.inFlight().count())
                .as("two lookups in progress hold the two slots")
                .isEqualTo(CAP);
        assertThat(parkedGauge())
                .as("the third waits on disk, not in a third lookup")
                .isEqualTo(1);
        while (called().size() < 3) {
            context.scheduledPunctuators().forEach(p -> p.getPunctuator().punctuate(clock.millis()));
            maxInFlight = Math.max(maxInFlight, runtime.inFlight().count());
            caller.open().forEach(c -> c.complete(EngineFixtures.success("ok")));
        }
        assertThat(called()).containsExactly("a", "b", "c");
        assertThat(maxInFlight).isLessThanOrEqualTo(CAP);
        processor.close();
        parked.close();
    }

    private KeyValueStore<Long, byte[]> rocksParked(MockProcessorContext<String, ChatResult> context) {
        KeyValueStore<Long, byte[]> store = Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(TopologyFactory.PARKED_STORE), Serdes.Long(), Serdes.ByteArray())
                .withLoggingDisabled()
                .build();
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        return store;
    }

    /** A processor of a fresh worker (own runtime and meters) over {@code context}'s stores. */
    private AsyncDispatchProcessor processor(MockProcessorContext<String, ChatResult> context) {
        return processor(context, CacheRuntime.disabled());
    }

    private AsyncDispatchProcessor processor(MockProcessorContext<String, ChatResult> context, CacheRuntime cache) {
        meters = new SimpleMeterRegistry();
        runtime = new DispatchRuntime(
                EngineFixtures.router("test=*"),
                EngineFixtures.settings(
                        Map.of("dispatch.linger-ms", 0, "dispatch.max-in-flight", CAP, "dispatch.max-block-ms", 20)),
                caller,
                RateLimiter.unlimited(),
                clock,
                () -> 0.5,
                meters);
        AsyncDispatchProcessor processor = new AsyncDispatchProcessor(runtime, cache);
        processor.init(context);
        return processor;
    }

    private Record<String, PendingRequest> record(String id) {
        return new Record<>(
                id, new PendingRequest(EngineFixtures.request(id, "m", "q " + id), clock.millis(), 0, 1, null), 0L);
    }

    private static List<String> forwardedIds(MockProcessorContext<String, ChatResult> context) {
        return context.forwarded().stream().map(f -> (String) f.record().key()).toList();
    }
}
