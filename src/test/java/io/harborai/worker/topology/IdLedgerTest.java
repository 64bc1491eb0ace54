package io.harborai.worker.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.Message;
import io.harborai.worker.avro.Params;
import io.harborai.worker.avro.ResultStatus;
import io.harborai.worker.dispatch.EngineFixtures;
import io.harborai.worker.metrics.MetricsCatalog;
import io.harborai.worker.testinfra.InProcessRegistry;
import io.harborai.worker.testinfra.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The per-id contract of the topology: one result per readable id (FAILED {@code INVALID_REQUEST}
 * for an invalid request, plus its DLQ record), a re-sent id within the retention goes to the DLQ
 * as {@code DUPLICATE_ID} with no call and no result, an id is forgotten after the retention, and
 * records not keyed by their id reach the same ledger through the repartition by id.
 */
class IdLedgerTest {
    private static final long RETENTION_MS = Duration.ofHours(24).toMillis();
    private static final String REKEY_TOPIC = "ledger-test-" + TopologyFactory.BY_REQUEST_ID + "-repartition";

    @RegisterExtension
    static final InProcessRegistry REGISTRY = new InProcessRegistry();

    private final MutableClock clock = new MutableClock(1_700_000_000_000L);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final EngineFixtures.FakeCaller caller = new EngineFixtures.FakeCaller(clock);
    private TopologyDriver t;

    @BeforeEach
    void setUp() {
        caller.auto = call -> EngineFixtures.success(
                "echo " + call.request().getMessages().get(0).getContent());
        t = new TopologyDriver(REGISTRY.client(), "ledger-test", List.of("req"), RETENTION_MS, clock, caller, meters);
    }

    @AfterEach
    void tearDown() {
        t.driver.close();
    }

    private static ChatRequest request(String id, String model, String text) {
        return ChatRequest.newBuilder()
                .setId(id)
                .setModel(model)
                .setMessages(
                        text == null
                                ? List.of()
                                : List.of(Message.newBuilder()
                                        .setRole("user")
                                        .setContent(text)
                                        .build()))
                .setParams(Params.newBuilder().build())
                .build();
    }

    /** Keyed by its id, as every producer of this project keys t.requests. */
    private void send(ChatRequest r) {
        send(r, r.getId().getBytes(StandardCharsets.UTF_8));
    }

    private void send(ChatRequest r, byte[] key) {
        t.requests.pipeInput(key, t.requestSerde.serializer().serialize("req", r));
    }

    /** Completions are forwarded by the wall-clock punctuator. */
    private void punctuate() {
        t.driver.advanceWallClockTime(Duration.ofMillis(10));
    }

    private double duplicates() {
        return meters.get(MetricsCatalog.REQUEST_DUPLICATES)
                .tag("traffic", "online")
                .counter()
                .count();
    }

    @Test
    void shouldAnswerAnInvalidRequestOnceFailedAndDeadLetterIt() {
        var progress =
                t.driver.createOutputTopic("progress", Serdes.String().deserializer(), t.progressSerde.deserializer());
        ChatRequest bad = ChatRequest.newBuilder(request("b1:7", "", null))
                .setTenant("acme")
                .setBatchId("b1")
                .setCustomId("line-7")
                .build();
        send(bad);
        punctuate();

        ChatResult r = t.results.readValue();
        assertThat(t.results.isEmpty()).isTrue();
        assertThat(r.getStatus()).isEqualTo(ResultStatus.FAILED);
        assertThat(r.getError().getCode()).isEqualTo("INVALID_REQUEST");
        assertThat(r.getError().getRetryable()).isFalse();
        assertThat(r.getError().getMessage()).isEqualTo("model is empty; messages is empty");
        assertThat(List.of(r.getId(), r.getTenant(), r.getBatchId(), r.getCustomId()))
                .containsExactly("b1:7", "acme", "b1", "line-7");
        TestRecord<byte[], byte[]> dead = t.dlq.readRecord();
        assertThat(t.dlq.isEmpty()).isTrue();
        assertThat(DlqHeaders.get(dead.headers(), DlqHeaders.REASON)).isEqualTo("INVALID_REQUEST");
        assertThat(DlqHeaders.get(dead.headers(), DlqHeaders.DETAIL)).isEqualTo("model is empty; messages is empty");
        assertThat(caller.calls).isEmpty();
        assertThat(meters.get(MetricsCatalog.RESULTS)
                        .tags("status", "FAILED", "code", "INVALID_REQUEST")
                        .counter()
                        .count())
                .isEqualTo(1);

        t.driver.advanceWallClockTime(Duration.ofSeconds(1));
        assertThat(progress.readValuesToList())
                .as("the batch's progress counts the FAILED line")
                .singleElement()
                .satisfies(p -> {
                    assertThat(p.getBatchId()).isEqualTo("b1");
                    assertThat(p.getFailed()).isEqualTo(1);
                    assertThat(p.getCompleted()).isZero();
                });
    }

    @Test
    void shouldDeadLetterAReSentIdAsDuplicateWithoutACallOrASecondResult() {
        send(request("r1", "m", "hello"));
        send(request("bad", "m", null));
        punctuate();
        assertThat(t.results.readKeyValuesToMap()).containsOnlyKeys("r1", "bad");
        t.dlq.readRecordsToList();
        long firstSeen = clock.millis();

        clock.advance(Duration.ofMinutes(5));
        send(request("r1", "m", "hello"));
        send(request("r1", "m", "other content, same id"));
        send(request("bad", "m", null));
        punctuate();

        assertThat(t.results.isEmpty()).as("no second result").isTrue();
        assertThat(caller.calls).as("no second call").hasSize(1);
        List<TestRecord<byte[], byte[]>> dead = t.dlq.readRecordsToList();
        assertThat(dead)
                .extracting(d -> DlqHeaders.get(d.headers(), DlqHeaders.REASON))
                .containsExactly("DUPLICATE_ID", "DUPLICATE_ID", "DUPLICATE_ID");
        assertThat(DlqHeaders.get(dead.get(0).headers(), DlqHeaders.DETAIL))
                .contains(java.time.Instant.ofEpochMilli(firstSeen).toString(), "partition 0, offset 0");
        assertThat(DlqHeaders.get(dead.get(0).headers(), DlqHeaders.SOURCE_OFFSET))
                .isEqualTo("2");
        assertThat(new String(dead.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("r1");
        assertThat(duplicates()).isEqualTo(3);
        assertThat(meters.get(MetricsCatalog.DLQ_RECORDS)
                        .tag("reason", "DUPLICATE_ID")
                        .counter()
                        .count())
                .isEqualTo(3);
    }

    @Test
    void shouldForgetAnIdAfterTheRetention() {
        send(request("r1", "m", "hello"));
        punctuate();
        assertThat(t.results.readValuesToList()).hasSize(1);

        clock.advance(RETENTION_MS - 1);
        send(request("r1", "m", "hello"));
        punctuate();
        assertThat(t.results.isEmpty())
                .as("still remembered just inside the retention")
                .isTrue();
        assertThat(duplicates()).isEqualTo(1);

        clock.advance(1);
        send(request("r1", "m", "hello"));
        punctuate();
        assertThat(t.results.readValuesToList())
                .as("served as a new request once the retention passed")
                .singleElement()
                .satisfies(r -> assertThat(r.getStatus()).isEqualTo(ResultStatus.SUCCEEDED));
        assertThat(caller.calls).as("the cached answer expired too (ttl 1 h)").hasSize(2);
        assertThat(duplicates()).isEqualTo(1);

        send(request("r1", "m", "hello"));
        punctuate();
        assertThat(t.results.isEmpty())
                .as("and remembered again from its new first sighting")
                .isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not-the-id"})
    void shouldBringMisKeyedRecordsToTheSameLedgerThroughTheRepartitionById(String otherKey) {
        byte[] misKey = otherKey.isEmpty() ? null : otherKey.getBytes(StandardCharsets.UTF_8);
        send(request("k1", "m", "keyed by id"));
        punctuate();
        assertThat(t.driver.producedTopicNames())
                .as("a record keyed by its id takes no extra hop")
                .doesNotContain(REKEY_TOPIC);

        var headers = new RecordHeaders().add("trace", "t-9".getBytes(StandardCharsets.UTF_8));
        t.requests.pipeInput(new TestRecord<>(
                misKey, t.requestSerde.serializer().serialize("req", request("k1", "m", "x")), headers));
        send(request("n1", "m", "first mis-keyed"), misKey);
        send(request("n1", "m", "then keyed by id"));
        send(request("bad", "", "mis-keyed and invalid"), misKey);
        punctuate();

        assertThat(t.driver.producedTopicNames()).contains(REKEY_TOPIC);
        assertThat(t.results.readKeyValuesToList())
                .extracting(kv -> kv.key + " " + kv.value.getStatus())
                .containsExactlyInAnyOrder("k1 SUCCEEDED", "n1 SUCCEEDED", "bad FAILED");
        assertThat(caller.calls).extracting(c -> c.request().getId()).containsExactlyInAnyOrder("k1", "n1");
        List<TestRecord<byte[], byte[]>> dead = t.dlq.readRecordsToList();
        assertThat(dead)
                .extracting(d -> DlqHeaders.get(d.headers(), DlqHeaders.REASON))
                .containsExactlyInAnyOrder("DUPLICATE_ID", "DUPLICATE_ID", "INVALID_REQUEST");
        TestRecord<byte[], byte[]> misKeyedDuplicate = dead.stream()
                .filter(d -> "1".equals(DlqHeaders.get(d.headers(), DlqHeaders.SOURCE_OFFSET)))
                .findFirst()
                .orElseThrow();
        assertThat(misKeyedDuplicate.key())
                .as("the DLQ record keeps the original key")
                .isEqualTo(misKey);
        assertThat(DlqHeaders.get(misKeyedDuplicate.headers(), DlqHeaders.REASON))
                .isEqualTo("DUPLICATE_ID");
        assertThat(DlqHeaders.get(misKeyedDuplicate.headers(), DlqHeaders.SOURCE_TOPIC))
                .isEqualTo("req");
        assertThat(DlqHeaders.get(misKeyedDuplicate.headers(), "trace")).isEqualTo("t-9");
        assertThat(misKeyedDuplicate.headers().lastHeader(Origin.TOPIC_HEADER))
                .as("internal headers removed")
                .isNull();
        assertThat(dead)
                .allSatisfy(d ->
                        assertThat(d.headers().lastHeader(Origin.KEY_HEADER)).isNull());
        assertThat(duplicates()).isEqualTo(2);
    }

    @Test
    void shouldCountDuplicatesPerTrafficClassFromTheStart() {
        assertThat(duplicates()).as("registered at zero").isZero();
    }
}
