package io.harborai.worker.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.harborai.worker.avro.BatchProgress;
import io.harborai.worker.avro.CacheOutcome;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.Message;
import io.harborai.worker.avro.Params;
import io.harborai.worker.avro.ResultStatus;
import io.harborai.worker.dispatch.EngineFixtures;
import io.harborai.worker.metrics.MetricsCatalog;
import io.harborai.worker.schema.AvroSerde;
import io.harborai.worker.testinfra.InProcessRegistry;
import io.harborai.worker.testinfra.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TopologyFactoryTest {
    private static final long RETENTION_MS = Duration.ofHours(24).toMillis();

    @RegisterExtension
    static final InProcessRegistry REGISTRY = new InProcessRegistry();

    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> requests;
    private TestOutputTopic<String, ChatResult> results;
    private TestOutputTopic<byte[], byte[]> dlq;
    private AvroSerde<ChatRequest> requestSerde;
    private EngineFixtures.FakeCaller caller;
    private AvroSerde<BatchProgress> progressSerde;

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @BeforeEach
    void setUp() {
        var clock = new MutableClock(1_000_000);
        caller = new EngineFixtures.FakeCaller(clock);
        caller.auto = call -> {
            if (call.model().equals("explode")) {
                throw new IllegalStateException("boom");
            }
            return EngineFixtures.success(
                    "echo " + call.request().getMessages().get(0).getContent());
        };
        var fixture = new TopologyDriver(
                REGISTRY.client(), "topology-test", List.of("req", "req.batch"), RETENTION_MS, clock, caller, meters);
        driver = fixture.driver;
        requestSerde = fixture.requestSerde;
        progressSerde = fixture.progressSerde;
        requests = fixture.requests;
        results = fixture.results;
        dlq = fixture.dlq;
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    private static ChatRequest request(String id, String model, Message... messages) {
        return ChatRequest.newBuilder()
                .setId(id)
                .setModel(model)
                .setMessages(List.of(messages))
                .setParams(Params.newBuilder().build())
                .build();
    }

    private static Message user(String text) {
        return Message.newBuilder().setRole("user").setContent(text).build();
    }

    /** Completions are forwarded by the wall-clock punctuator. */
    private void punctuate() {
        driver.advanceWallClockTime(Duration.ofMillis(10));
    }

    private byte[] encode(ChatRequest r) {
        return requestSerde.serializer().serialize("req", r);
    }

    @Test
    void shouldWriteOneResultKeyedByRequestIdFromThePunctuator() {
        requests.pipeInput(encode(request("r1", "m", user("你好"))));
        assertThat(results.isEmpty())
                .as("nothing forwarded before the punctuator runs")
                .isTrue();
        punctuate();
        var out = results.readKeyValuesToList();
        assertThat(out).singleElement().satisfies(kv -> {
            assertThat(kv.key).isEqualTo("r1");
            assertThat(kv.value.getStatus()).isEqualTo(ResultStatus.SUCCEEDED);
            assertThat(kv.value.getResponse().getContent()).isEqualTo("echo 你好");
            assertThat(kv.value.getAttempts()).isEqualTo(1);
        });
        assertThat(driver.<String, byte[]>getKeyValueStore(TopologyFactory.PENDING_STORE)
                        .get("r1"))
                .as("pending entry deleted with the result")
                .isNull();
        punctuate();
        assertThat(results.isEmpty()).as("exactly one result").isTrue();
        assertThat(dlq.isEmpty()).isTrue();
    }

    @Test
    void shouldCountRequestsResultsLatencyAndDlqRecords() {
        requests.pipeInput("junk".getBytes(StandardCharsets.UTF_8));
        requests.pipeInput(encode(request("ok", "m", user("hi"))));
        requests.pipeInput(encode(request("boom", "explode", user("hi"))));
        punctuate();
        assertThat(results.readKeyValuesToList()).hasSize(2);

        assertThat(meters.get(MetricsCatalog.REQUESTS)
                        .tag("traffic", "online")
                        .counter()
                        .count())
                .isEqualTo(2);
        assertThat(meters.get(MetricsCatalog.DLQ_RECORDS)
                        .tag("reason", "BAD_MAGIC_BYTE")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(meters.get(MetricsCatalog.DLQ_RECORDS)
                        .tag("reason", "OVERSIZED")
                        .counter()
                        .count())
                .as("every reason registered up front")
                .isZero();
        assertThat(meters.get(MetricsCatalog.RESULTS)
                        .tags("traffic", "online", "status", "SUCCEEDED", "code", "none")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(meters.get(MetricsCatalog.RESULTS)
                        .tags("status", "FAILED", "code", "INTERNAL")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(meters.get(MetricsCatalog.RESULTS)
                        .tags("status", "FAILED", "code", "TIMEOUT")
                        .counter()
                        .count())
                .isZero();
        assertThat(meters.get(MetricsCatalog.REQUEST_LATENCY)
                        .tag("traffic", "online")
                        .timer()
                        .count())
                .isEqualTo(2);
        assertThat(meters.get(MetricsCatalog.PROVIDER_CALLS)
                        .tags("provider", "test", "model", "*", "outcome", "ok")
                        .timer()
                        .count())
                .as("model tagged with the configured glob")
                .isEqualTo(1);
        assertThat(meters.get(MetricsCatalog.PROVIDER_CALLS)
                        .tags("outcome", "INTERNAL")
                        .timer()
                        .count())
                .isEqualTo(1);
        assertThat(meters.get(MetricsCatalog.PROVIDER_CONCURRENCY_LIMIT)
                        .tag("provider", "test")
                        .gauge()
                        .value())
                .isPositive();
        assertThat(meters.get(MetricsCatalog.PROVIDER_CIRCUIT_OPEN)
                        .tag("provider", "test")
                        .gauge()
                        .value())
                .isZero();
        assertThat(meters.get(MetricsCatalog.RATELIMIT_WAITS)
                        .tag("provider", "test")
                        .counter()
                        .count())
                .isZero();
    }

    @Test
    void shouldSendBadMagicByteToDlqWithOriginalBytesAndSourcePosition() {
        byte[] poison = "not avro at all".getBytes(StandardCharsets.UTF_8);
        var headers = new RecordHeaders().add("trace", "t-1".getBytes(StandardCharsets.UTF_8));
        requests.pipeInput(new TestRecord<>("k".getBytes(StandardCharsets.UTF_8), poison, headers));
        requests.pipeInput(encode(request("after-poison", "m", user("still served"))));
        punctuate();

        TestRecord<byte[], byte[]> rec = dlq.readRecord();
        assertThat(rec.value()).isEqualTo(poison);
        assertThat(rec.key()).isEqualTo("k".getBytes(StandardCharsets.UTF_8));
        assertThat(DlqHeaders.get(rec.headers(), DlqHeaders.REASON)).isEqualTo("BAD_MAGIC_BYTE");
        assertThat(DlqHeaders.get(rec.headers(), DlqHeaders.SOURCE_TOPIC)).isEqualTo("req");
        assertThat(DlqHeaders.get(rec.headers(), DlqHeaders.SOURCE_PARTITION)).isEqualTo("0");
        assertThat(DlqHeaders.get(rec.headers(), DlqHeaders.SOURCE_OFFSET)).isEqualTo("0");
        assertThat(DlqHeaders.get(rec.headers(), "trace")).isEqualTo("t-1");
        assertThat(results.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("after-poison");
    }

    @Test
    void shouldSendUnknownSchemaIdToDlq() {
        byte[] framed = ByteBuffer.allocate(7)
                .put((byte) 0)
                .putInt(987_654)
                .put(new byte[] {2, 2})
                .array();
        requests.pipeInput(framed);
        assertThat(DlqHeaders.get(dlq.readRecord().headers(), DlqHeaders.REASON))
                .isEqualTo("UNKNOWN_SCHEMA_ID");
    }

    @Test
    void shouldSendTruncatedAvroToDlqAsUndecodable() {
        byte[] good = encode(request("r1", "m", user("hello")));
        byte[] cut = java.util.Arrays.copyOf(good, 8);
        requests.pipeInput(cut);
        assertThat(DlqHeaders.get(dlq.readRecord().headers(), DlqHeaders.REASON))
                .isEqualTo("UNDECODABLE");
    }

    @Test
    void shouldSendInvalidRequestsToDlqNamingEveryProblem() {
        ChatRequest bad = request(
                "r2", "", Message.newBuilder().setRole("wizard").setContent("x").build());
        requests.pipeInput(encode(bad));
        requests.pipeInput(encode(request("r3", "m")));
        var first = dlq.readRecord();
        assertThat(DlqHeaders.get(first.headers(), DlqHeaders.REASON)).isEqualTo("INVALID_REQUEST");
        assertThat(DlqHeaders.get(first.headers(), DlqHeaders.DETAIL))
                .contains("model is empty", "messages[0].role 'wizard'");
        assertThat(DlqHeaders.get(dlq.readRecord().headers(), DlqHeaders.DETAIL))
                .contains("messages is empty");
        assertThat(results.readValuesToList())
                .as("each readable id is answered FAILED")
                .extracting(r -> r.getId() + " " + r.getError().getCode())
                .containsExactly("r2 INVALID_REQUEST", "r3 INVALID_REQUEST");
    }

    @Test
    void shouldSendOversizedRecordsToDlq() {
        requests.pipeInput(encode(request("big", "m", user("x".repeat(5000)))));
        assertThat(DlqHeaders.get(dlq.readRecord().headers(), DlqHeaders.REASON))
                .isEqualTo("OVERSIZED");
        ChatResult r = results.readValue();
        assertThat(r.getId()).isEqualTo("big");
        assertThat(r.getError().getCode()).isEqualTo("INVALID_REQUEST");
        assertThat(r.getError().getMessage()).contains("exceeds worker.request-max-bytes=4096");
        assertThat(caller.calls).isEmpty();
    }

    @Test
    void shouldSendOversizedBytesThatDoNotDecodeOnlyToDlq() {
        byte[] junk = new byte[5000];
        junk[0] = 7;
        requests.pipeInput(junk);
        assertThat(DlqHeaders.get(dlq.readRecord().headers(), DlqHeaders.REASON))
                .isEqualTo("OVERSIZED");
        assertThat(results.isEmpty()).isTrue();
    }

    @Test
    void shouldTurnACallerCrashIntoAFailedInternalResult() {
        requests.pipeInput(encode(request("r4", "explode", user("hi"))));
        punctuate();
        ChatResult r = results.readValue();
        assertThat(r.getStatus()).isEqualTo(ResultStatus.FAILED);
        assertThat(r.getError().getCode()).isEqualTo("INTERNAL");
    }

    @Test
    void shouldCallTheProviderOnceForIdenticalRequestsFromBothTopics() {
        var batch = driver.createInputTopic(
                "req.batch", Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer());
        requests.pipeInput(encode(request("x1", "m", user("same"))));
        batch.pipeInput(encode(request("x2", "m", user("same"))));
        requests.pipeInput(encode(request("x3", "m", user("different"))));
        punctuate();
        requests.pipeInput(encode(request("x4", "m", user("same"))));
        punctuate();
        var out = results.readKeyValuesToMap();
        assertThat(out).containsOnlyKeys("x1", "x2", "x3", "x4");
        assertThat(caller.calls).extracting(c -> c.request().getId()).containsExactly("x1", "x3");
        assertThat(out.get("x4").getCache()).isEqualTo(CacheOutcome.L1);
        assertThat(out.get("x2").getResponse().getContent()).isEqualTo("echo same");
    }

    @Test
    void shouldCountEachBatchsResultsPerTaskForHarborStatus() {
        var progress =
                driver.createOutputTopic("progress", Serdes.String().deserializer(), progressSerde.deserializer());
        for (int i = 0; i < 3; i++) {
            ChatRequest r = ChatRequest.newBuilder(request("b1:" + i, i == 2 ? "explode" : "m", user("q" + i)))
                    .setBatchId("b1")
                    .build();
            requests.pipeInput(encode(r));
        }
        requests.pipeInput(encode(request("online", "m", user("no batch"))));
        punctuate();
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        var latest = progress.readKeyValuesToMap();
        assertThat(latest).hasSize(1);
        assertThat(latest.keySet().iterator().next()).startsWith("b1|");
        assertThat(latest.values().iterator().next()).satisfies(p -> {
            assertThat(p.getCompleted()).isEqualTo(2);
            assertThat(p.getFailed()).isEqualTo(1);
        });
    }

    @Test
    void shouldServeTheBatchTopicToo() {
        var batch = driver.createInputTopic(
                "req.batch", Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer());
        batch.pipeInput(encode(request("b1", "m", user("offline"))));
        punctuate();
        assertThat(results.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("b1");
    }
}
