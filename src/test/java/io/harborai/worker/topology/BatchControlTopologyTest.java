package io.harborai.worker.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.harborai.worker.avro.BatchControl;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.ResultStatus;
import io.harborai.worker.dispatch.EngineFixtures;
import io.harborai.worker.testinfra.InProcessRegistry;
import io.harborai.worker.testinfra.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Cancel and expiry in the topology: lines of a batch whose BatchControl (on the batch-control
 * topic, read as a global table) says cancelled or expired are answered FAILED without a provider
 * call when the dispatch step takes them; everything else, including identical requests of other
 * batches and online ones, is served as usual, and what was answered or dispatched before stays.
 */
class BatchControlTopologyTest {
    @RegisterExtension
    static final InProcessRegistry REGISTRY = new InProcessRegistry();

    private final MutableClock clock = new MutableClock(1_700_000_000_000L);
    private final EngineFixtures.FakeCaller caller = new EngineFixtures.FakeCaller(clock);
    /** Every result read so far, in order: lets a test check that no id is answered twice. */
    private final List<KeyValue<String, ChatResult>> seen = new java.util.ArrayList<>();

    private TopologyDriver t;

    @BeforeEach
    void setUp() {
        caller.auto = call -> EngineFixtures.success(
                "echo " + call.request().getMessages().get(0).getContent());
        t = new TopologyDriver(
                REGISTRY.client(),
                "batch-control-test",
                List.of("req"),
                Duration.ofHours(1).toMillis(),
                clock,
                caller,
                new SimpleMeterRegistry());
    }

    @AfterEach
    void tearDown() {
        t.driver.close();
    }

    private static ChatRequest line(String batch, String id, String text) {
        ChatRequest r = EngineFixtures.request(id, "m", text);
        return batch == null ? r : ChatRequest.newBuilder(r).setBatchId(batch).build();
    }

    private void send(ChatRequest... requests) {
        for (ChatRequest r : requests) {
            t.requests.pipeInput(
                    r.getId().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    t.requestSerde.serializer().serialize("req", r));
        }
    }

    private void cancel(String batch) {
        t.controls.pipeInput(
                batch,
                BatchControl.newBuilder()
                        .setBatchId(batch)
                        .setCreatedAtMs(clock.millis() - 1_000)
                        .setCancelRequestedAtMs(clock.millis())
                        .build());
    }

    private void expiresAt(String batch, long expiresAtMs) {
        t.controls.pipeInput(
                batch,
                BatchControl.newBuilder()
                        .setBatchId(batch)
                        .setCreatedAtMs(clock.millis() - 1_000)
                        .setExpiresAtMs(expiresAtMs)
                        .build());
    }

    private void punctuate() {
        t.driver.advanceWallClockTime(Duration.ofMillis(10));
    }

    /** Results read so far, by id (checks each id has exactly one). */
    private Map<String, ChatResult> results() {
        seen.addAll(t.results.readKeyValuesToList());
        Map<String, Long> perId = seen.stream().collect(Collectors.groupingBy(kv -> kv.key, Collectors.counting()));
        assertThat(perId)
                .as("one result per id")
                .allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1));
        Map<String, ChatResult> byId = new HashMap<>();
        seen.forEach(kv -> byId.put(kv.key, kv.value));
        return byId;
    }

    private static String outcome(ChatResult r) {
        return r.getStatus() == ResultStatus.SUCCEEDED
                ? "SUCCEEDED " + r.getResponse().getContent()
                : "FAILED " + r.getError().getCode();
    }

    private Map<String, String> outcomes() {
        return results().entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> outcome(e.getValue())));
    }

    private List<String> calledIds() {
        return caller.calls.stream().map(c -> c.request().getId()).toList();
    }

    private void assertNothingHeld(String... ids) {
        for (String id : ids) {
            assertThat(t.driver
                            .<String, byte[]>getKeyValueStore(TopologyFactory.PENDING_STORE)
                            .get(id))
                    .as("pending entry of " + id)
                    .isNull();
        }
        assertThat(t.runtime.inFlight().count()).as("in-flight count").isZero();
        assertThat(t.runtime.inFlight().bytes()).as("in-flight bytes").isZero();
    }

    @Test
    void shouldAnswerACancelledBatchsLinesWithoutACallAndServeTheSameRequestOfOthers() {
        cancel("B");
        // B's lines come first: had they been admitted, B:0 would lead the flight of "same".
        send(
                line("B", "B:0", "same"),
                line("B", "B:1", "same"),
                line("B", "B:2", "other"),
                line("C", "C:0", "same"),
                line(null, "online", "same"));
        punctuate();
        punctuate();

        assertThat(outcomes())
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "B:0", "FAILED BATCH_CANCELLED",
                        "B:1", "FAILED BATCH_CANCELLED",
                        "B:2", "FAILED BATCH_CANCELLED",
                        "C:0", "SUCCEEDED echo same",
                        "online", "SUCCEEDED echo same"));
        assertThat(calledIds()).as("one call, for C's line; none for B").containsExactly("C:0");
        ChatResult b0 = results().get("B:0");
        assertThat(b0.getBatchId()).isEqualTo("B");
        assertThat(b0.getAttempts()).isZero();
        assertThat(b0.getError().getMessage()).contains("batch B was cancelled");
        assertThat(b0.getError().getRetryable()).isFalse();
        assertNothingHeld("B:0", "B:1", "B:2", "C:0", "online");
    }

    @Test
    void shouldNotLetACancelledLineJoinAnotherBatchsFlightNorFailIt() {
        caller.auto = null; // calls stay open until completed here
        send(line("C", "C:0", "same"));
        punctuate();
        assertThat(calledIds()).containsExactly("C:0");

        cancel("B");
        send(line("B", "B:0", "same"), line(null, "online", "same"), line("D", "D:0", "same"));
        punctuate();
        assertThat(outcomes())
                .as("B's line answered at once; the others wait for C's call")
                .containsExactlyEntriesOf(Map.of("B:0", "FAILED BATCH_CANCELLED"));

        caller.calls.get(0).complete(EngineFixtures.success("answer"));
        punctuate();
        assertThat(outcomes())
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "B:0", "FAILED BATCH_CANCELLED",
                        "C:0", "SUCCEEDED answer",
                        "online", "SUCCEEDED answer",
                        "D:0", "SUCCEEDED answer"));
        assertThat(calledIds()).containsExactly("C:0");
        assertNothingHeld("B:0", "C:0", "online", "D:0");
    }

    @Test
    void shouldKeepLinesAnsweredOrDispatchedBeforeTheCancel() {
        caller.auto = null;
        send(line("B", "B:0", "q0"));
        punctuate();
        caller.calls.get(0).complete(EngineFixtures.success("a0"));
        punctuate();
        send(line("B", "B:1", "q1")); // dispatched: its call is open when the cancel comes
        punctuate();
        assertThat(calledIds()).containsExactly("B:0", "B:1");

        cancel("B");
        send(line("B", "B:2", "q2"), line("B", "B:3", "q0"));
        punctuate();
        caller.calls.get(1).complete(EngineFixtures.success("a1"));
        punctuate();
        punctuate();

        assertThat(outcomes())
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "B:0", "SUCCEEDED a0",
                        "B:1", "SUCCEEDED a1",
                        "B:2", "FAILED BATCH_CANCELLED",
                        "B:3", "FAILED BATCH_CANCELLED"));
        assertThat(calledIds()).as("no call after the cancel").containsExactly("B:0", "B:1");
        assertNothingHeld("B:0", "B:1", "B:2", "B:3");
    }

    @Test
    void shouldAnswerAnExpiredBatchsLinesExpiredAndServeABatchWithinItsWindow() {
        expiresAt("old", clock.millis() - 1);
        expiresAt("young", clock.millis() + 60_000);
        send(line("old", "old:0", "q"), line("young", "young:0", "q young"));
        punctuate();
        assertThat(outcomes())
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "old:0", "FAILED BATCH_EXPIRED",
                        "young:0", "SUCCEEDED echo q young"));
        assertThat(results().get("old:0").getError().getMessage()).contains("batch old expired");

        clock.advance(Duration.ofSeconds(60));
        send(line("young", "young:1", "q young later"));
        punctuate();
        assertThat(outcomes()).containsEntry("young:1", "FAILED BATCH_EXPIRED");
        assertThat(calledIds()).containsExactly("young:0");
        assertNothingHeld("old:0", "young:0", "young:1");
    }

    @Test
    void shouldCountCancelledLinesAsFailedInBatchProgress() {
        var progress =
                t.driver.createOutputTopic("progress", Serdes.String().deserializer(), t.progressSerde.deserializer());
        send(line("B", "B:0", "before"));
        punctuate();
        cancel("B");
        send(line("B", "B:1", "x"), line("B", "B:2", "y"), line("D", "D:0", "x"));
        punctuate();
        t.driver.advanceWallClockTime(BatchProgressProcessor.EMIT_INTERVAL);

        Map<String, String> counts = progress.readKeyValuesToMap().values().stream()
                .collect(Collectors.toMap(
                        p -> p.getBatchId(),
                        p -> p.getCompleted() + " ok, " + p.getFailed() + " failed",
                        (a, b) -> a + " | " + b));
        assertThat(counts).containsExactlyInAnyOrderEntriesOf(Map.of("B", "1 ok, 2 failed", "D", "1 ok, 0 failed"));
        assertThat(calledIds()).containsExactly("B:0", "D:0");
    }

    @Test
    void shouldServeABatchWhoseControlNamesNeitherCancelNorExpiry() {
        t.controls.pipeInput(
                "plain",
                BatchControl.newBuilder()
                        .setBatchId("plain")
                        .setCreatedAtMs(clock.millis())
                        .build());
        send(line("plain", "plain:0", "q"));
        punctuate();
        assertThat(outcomes()).containsExactlyEntriesOf(Map.of("plain:0", "SUCCEEDED echo q"));
        assertThat(calledIds()).containsExactly("plain:0");
    }
}
