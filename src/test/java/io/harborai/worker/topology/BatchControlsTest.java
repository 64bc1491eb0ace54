package io.harborai.worker.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.harborai.worker.avro.BatchControl;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.PendingRequest;
import io.harborai.worker.avro.ReplyTo;
import io.harborai.worker.avro.ResultStatus;
import io.harborai.worker.cache.CacheRuntime;
import io.harborai.worker.client.ReplyHeaders;
import io.harborai.worker.dispatch.DispatchRuntime;
import io.harborai.worker.dispatch.EngineFixtures;
import io.harborai.worker.dispatch.PendingCodec;
import io.harborai.worker.dispatch.ratelimit.RateLimiter;
import io.harborai.worker.provider.ErrorCode;
import io.harborai.worker.testinfra.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link BatchControls} on its own (which line is refused, with what), and in the dispatch
 * processor on the paths the topology tests cannot reach: entries restored from the pending store
 * and records leaving the parked queue.
 */
class BatchControlsTest {
    private static final long NOW = 1_700_000_000_000L;

    private final MutableClock clock = new MutableClock(NOW);
    private final Map<String, BatchControl> table = new HashMap<>();
    private final BatchControls controls = new BatchControls(table::get, clock);

    private final EngineFixtures.FakeCaller caller = new EngineFixtures.FakeCaller(clock);
    private final MockProcessorContext<String, ChatResult> context = new MockProcessorContext<>();
    private final KeyValueStore<String, byte[]> pending = Stores.keyValueStoreBuilder(
                    Stores.inMemoryKeyValueStore(TopologyFactory.PENDING_STORE), Serdes.String(), Serdes.ByteArray())
            .withLoggingDisabled()
            .build();
    private final KeyValueStore<Long, byte[]> parked = Stores.keyValueStoreBuilder(
                    Stores.inMemoryKeyValueStore(TopologyFactory.PARKED_STORE), Serdes.Long(), Serdes.ByteArray())
            .withLoggingDisabled()
            .build();
    private final TimestampedKeyValueStore<String, BatchControl> global = Stores.timestampedKeyValueStoreBuilder(
                    Stores.inMemoryKeyValueStore(TopologyFactory.BATCH_CONTROL_STORE),
                    Serdes.String(),
                    Serdes.serdeFrom(
                            (topic, c) -> c == null ? null : encode(c), (topic, b) -> b == null ? null : decode(b)))
            .withLoggingDisabled()
            .build();
    private DispatchRuntime runtime;
    private AsyncDispatchProcessor processor;

    @BeforeEach
    void setUp() {
        for (var store : List.of(pending, parked, global)) {
            store.init(context.getStateStoreContext(), store);
            context.addStateStore(store);
        }
    }

    @AfterEach
    void tearDown() {
        if (processor != null) {
            processor.close();
        }
    }

    private static byte[] encode(BatchControl c) {
        try {
            java.nio.ByteBuffer buf = c.toByteBuffer();
            byte[] bytes = new byte[buf.remaining()];
            buf.get(bytes);
            return bytes;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static BatchControl decode(byte[] bytes) {
        try {
            return BatchControl.fromByteBuffer(java.nio.ByteBuffer.wrap(bytes));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static BatchControl control(String batch, Long cancelAt, Long expiresAt) {
        return BatchControl.newBuilder()
                .setBatchId(batch)
                .setCreatedAtMs(NOW - 60_000)
                .setCancelRequestedAtMs(cancelAt)
                .setExpiresAtMs(expiresAt)
                .build();
    }

    private static PendingRequest line(String batch, String id) {
        ChatRequest r = EngineFixtures.request(id, "m", "q " + id);
        if (batch != null) {
            r = ChatRequest.newBuilder(r).setBatchId(batch).build();
        }
        return new PendingRequest(r, NOW - 5_000, 0, 1, null);
    }

    @Test
    void shouldRefuseOnlyLinesOfACancelledOrExpiredBatch() {
        table.put("cancelled", control("cancelled", NOW - 1, null));
        table.put("expired", control("expired", null, NOW - 1));
        table.put("expiring-now", control("expiring-now", null, NOW));
        table.put("open", control("open", null, NOW + 1));
        table.put("plain", control("plain", null, null));
        table.put("cancelled-and-open", control("cancelled-and-open", NOW, NOW + 60_000));

        assertThat(controls.verdict(line("cancelled", "a"))).isEqualTo(ErrorCode.BATCH_CANCELLED);
        assertThat(controls.verdict(line("expired", "b"))).isEqualTo(ErrorCode.BATCH_EXPIRED);
        assertThat(controls.verdict(line("expiring-now", "c"))).isEqualTo(ErrorCode.BATCH_EXPIRED);
        assertThat(controls.verdict(line("open", "d"))).isNull();
        assertThat(controls.verdict(line("plain", "e"))).isNull();
        assertThat(controls.verdict(line("cancelled-and-open", "f"))).isEqualTo(ErrorCode.BATCH_CANCELLED);
        assertThat(controls.verdict(line("unknown", "g")))
                .as("no control record")
                .isNull();
        assertThat(controls.verdict(line(null, "h"))).as("online").isNull();

        clock.advance(1);
        assertThat(controls.verdict(line("open", "d2"))).isEqualTo(ErrorCode.BATCH_EXPIRED);
    }

    @Test
    void shouldNotLookUpAnythingForOnlineRequests() {
        BatchControls failing = new BatchControls(
                batch -> {
                    throw new AssertionError("looked up " + batch);
                },
                clock);
        assertThat(failing.refusal(line(null, "online"))).isNull();
    }

    @Test
    void shouldBuildTheFailedResultOfARefusedLine() {
        table.put("B", control("B", NOW - 1, null));
        table.put("E", control("E", null, NOW - 1));
        ChatResult r = controls.refusal(line("B", "B:7"));
        assertThat(r.getId()).isEqualTo("B:7");
        assertThat(r.getBatchId()).isEqualTo("B");
        assertThat(r.getStatus()).isEqualTo(ResultStatus.FAILED);
        assertThat(r.getAttempts()).isZero();
        assertThat(r.getError().getCode()).isEqualTo("BATCH_CANCELLED");
        assertThat(r.getError().getRetryable()).isFalse();
        assertThat(r.getError().getMessage()).isEqualTo("batch B was cancelled before this line was dispatched");
        assertThat(r.getCompletedAtMs()).isEqualTo(NOW);
        assertThat(r.getTimings().getTotalMs()).isEqualTo(5_000);
        assertThat(controls.refusal(line("E", "E:1")).getError().getCode()).isEqualTo("BATCH_EXPIRED");
        assertThat(controls.refusal(line("open", "o:1"))).isNull();
    }

    @Test
    void shouldReadTheGlobalStoresTimestampedValuesAndTreatNoStoreAsNoControls() {
        global.put("B", ValueAndTimestamp.make(control("B", NOW, null), NOW));
        assertThat(BatchControls.of(global, clock).verdict(line("B", "B:0"))).isEqualTo(ErrorCode.BATCH_CANCELLED);
        assertThat(BatchControls.of(global, clock).verdict(line("C", "C:0"))).isNull();
        assertThat(BatchControls.of(null, clock).verdict(line("B", "B:0"))).isNull();
    }

    /** A processor over the pending, parked and batch-control stores, with {@code maxInFlight}. */
    private void open(int maxInFlight) {
        runtime = new DispatchRuntime(
                EngineFixtures.router("p=*"),
                EngineFixtures.settings(Map.of(
                        "dispatch.linger-ms", 0, "dispatch.max-in-flight", maxInFlight, "dispatch.max-block-ms", 20)),
                caller,
                RateLimiter.unlimited(),
                clock,
                () -> 0.5,
                new SimpleMeterRegistry());
        processor = new AsyncDispatchProcessor(runtime, CacheRuntime.disabled());
        processor.init(context);
    }

    private void punctuate() {
        context.scheduledPunctuators().forEach(p -> p.getPunctuator().punctuate(clock.millis()));
    }

    private Map<String, String> forwarded() {
        Map<String, String> out = new HashMap<>();
        for (var f : context.forwarded()) {
            ChatResult r = (ChatResult) f.record().value();
            String previous = out.put(
                    r.getId(),
                    r.getStatus() == ResultStatus.SUCCEEDED
                            ? "SUCCEEDED"
                            : r.getError().getCode());
            assertThat(previous).as("one result for " + r.getId()).isNull();
        }
        return out;
    }

    @Test
    void shouldAnswerRestoredLinesOfACancelledBatchAndDeleteTheirEntries() {
        PendingRequest withReply = line("B", "B:0");
        withReply.setReplyTo(new ReplyTo("replies", 3));
        pending.put("B:0", PendingCodec.encode(withReply));
        pending.put("B:1", PendingCodec.encode(line("B", "B:1")));
        pending.put("C:0", PendingCodec.encode(line("C", "C:0")));
        global.put("B", ValueAndTimestamp.make(control("B", NOW, null), NOW));
        open(8);
        punctuate();

        assertThat(caller.calls).extracting(c -> c.request().getId()).containsExactly("C:0");
        assertThat(forwarded())
                .containsExactlyInAnyOrderEntriesOf(Map.of("B:0", "BATCH_CANCELLED", "B:1", "BATCH_CANCELLED"));
        assertThat(pending.get("B:0")).isNull();
        assertThat(pending.get("B:1")).isNull();
        assertThat(pending.get("C:0")).as("still pending: its call is open").isNotNull();
        var b0 = context.forwarded().stream()
                .filter(f -> f.record().key().equals("B:0"))
                .findFirst()
                .orElseThrow();
        assertThat(ReplyHeaders.read(b0.record().headers()))
                .as("the requester waiting for B:0 gets its answer")
                .isEqualTo(new ReplyHeaders.Target("replies", 3));

        caller.last().complete(EngineFixtures.success("ok"));
        punctuate();
        assertThat(forwarded()).containsEntry("C:0", "SUCCEEDED").hasSize(3);
        assertThat(pending.approximateNumEntries()).isZero();
        assertThat(runtime.inFlight().count()).isZero();
        assertThat(runtime.inFlight().bytes()).isZero();
    }

    @Test
    void shouldAnswerAParkedLineOfABatchCancelledWhileItWaited() {
        open(1);
        processor.process(new Record<>("C:0", line("C", "C:0"), 0L));
        processor.process(new Record<>("B:0", line("B", "B:0"), 0L));
        assertThat(parked.approximateNumEntries())
                .as("B:0 parked behind the full cap")
                .isEqualTo(1);

        global.put("B", ValueAndTimestamp.make(control("B", NOW, null), NOW));
        caller.last().complete(EngineFixtures.success("ok"));
        punctuate();
        punctuate();

        assertThat(forwarded())
                .containsExactlyInAnyOrderEntriesOf(Map.of("C:0", "SUCCEEDED", "B:0", "BATCH_CANCELLED"));
        assertThat(caller.calls).extracting(c -> c.request().getId()).containsExactly("C:0");
        assertThat(parked.approximateNumEntries()).isZero();
        assertThat(pending.approximateNumEntries()).isZero();
        assertThat(runtime.inFlight().count()).isZero();
    }
}
