package io.harborai.worker.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.Message;
import io.harborai.worker.avro.Params;
import io.harborai.worker.avro.ResultStatus;
import io.harborai.worker.client.ReplyHeaders;
import io.harborai.worker.dispatch.EngineFixtures;
import io.harborai.worker.schema.AvroSerde;
import io.harborai.worker.testinfra.InProcessRegistry;
import io.harborai.worker.testinfra.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Request-reply in the topology: a request naming the replies topic gets its one result there as
 * well as on the results topic; a retried id gets a notice with its first-seen time; a request
 * naming another topic, or a bad partition, is invalid (FAILED and DLQ, nothing sent there).
 */
class ReplyTopologyTest {
    @RegisterExtension
    static final InProcessRegistry REGISTRY = new InProcessRegistry();

    private final MutableClock clock = new MutableClock(1_700_000_000_000L);
    private final EngineFixtures.FakeCaller caller = new EngineFixtures.FakeCaller(clock);
    private TopologyDriver t;
    private TestOutputTopic<String, ChatResult> replies;

    @BeforeEach
    void setUp() {
        caller.auto = call -> EngineFixtures.success(
                "echo " + call.request().getMessages().get(0).getContent());
        t = new TopologyDriver(
                REGISTRY.client(),
                "reply-test",
                List.of("req"),
                Duration.ofHours(1).toMillis(),
                clock,
                caller,
                new SimpleMeterRegistry());
        AvroSerde<ChatResult> serde = new AvroSerde<>(REGISTRY.client(), ChatResult.class, false);
        replies = t.driver.createOutputTopic(
                "replies",
                Serdes.String().deserializer(),
                (topic, bytes) -> bytes == null ? null : serde.deserializer().deserialize(topic, bytes));
    }

    @AfterEach
    void tearDown() {
        t.driver.close();
    }

    private static ChatRequest request(String id, String text) {
        return ChatRequest.newBuilder()
                .setId(id)
                .setModel("m")
                .setMessages(List.of(
                        Message.newBuilder().setRole("user").setContent(text).build()))
                .setParams(Params.newBuilder().build())
                .build();
    }

    private void send(ChatRequest r, String topic, String partition) {
        RecordHeaders h = new RecordHeaders();
        if (topic != null) {
            h.add(ReplyHeaders.TOPIC, topic.getBytes(StandardCharsets.UTF_8));
        }
        if (partition != null) {
            h.add(ReplyHeaders.PARTITION, partition.getBytes(StandardCharsets.UTF_8));
        }
        t.requests.pipeInput(new TestRecord<>(
                r.getId().getBytes(StandardCharsets.UTF_8),
                t.requestSerde.serializer().serialize("req", r),
                h));
        t.driver.advanceWallClockTime(Duration.ofMillis(10));
    }

    @Test
    void shouldWriteTheResultToTheRepliesTopicToo() {
        // The test driver models every topic with one partition; partition routing: ClientIT.
        send(request("r1", "hello"), "replies", "0");
        send(request("r2", "no reply asked"), null, null);

        List<ChatResult> onResults = t.results.readValuesToList();
        TestRecord<String, ChatResult> reply = replies.readRecord();

        assertThat(onResults).extracting(ChatResult::getId).containsExactlyInAnyOrder("r1", "r2");
        assertThat(replies.isEmpty())
                .as("no reply for a request that asked none")
                .isTrue();
        assertThat(reply.key()).isEqualTo("r1");
        assertThat(reply.value().getResponse().getContent()).isEqualTo("echo hello");
        assertThat(reply.value())
                .isEqualTo(onResults.stream()
                        .filter(r -> r.getId().equals("r1"))
                        .findFirst()
                        .orElseThrow());
        assertThat(caller.calls).hasSize(2);
    }

    @Test
    void shouldSendANoticeWithTheFirstSeenTimeForARetriedId() {
        long firstTaken = clock.millis();
        send(request("r1", "hello"), "replies", "0");
        replies.readRecord();
        clock.advance(Duration.ofSeconds(30));

        send(request("r1", "hello"), "replies", "0");

        TestRecord<String, ChatResult> notice = replies.readRecord();
        assertThat(notice.key()).isEqualTo("r1");
        assertThat(notice.value()).isNull();
        assertThat(ReplyHeaders.firstSeenMs(notice.headers())).isEqualTo(firstTaken);
        assertThat(t.results.readValuesToList()).hasSize(1);
        assertThat(caller.calls).hasSize(1);
    }

    @Test
    void shouldDropAReplyToAPartitionTheTopicDoesNotHaveButKeepTheResult() {
        send(request("r1", "hello"), "replies", "7");

        assertThat(t.results.readValue().getStatus()).isEqualTo(ResultStatus.SUCCEEDED);
        assertThat(replies.isEmpty()).isTrue();
    }

    @Test
    void shouldAnswerARequestNamingAnotherTopicOrABadPartitionFailedAndDeadLetterIt() {
        send(request("r1", "a"), "someone-elses-topic", "0");
        send(request("r2", "b"), "replies", "minus one");
        send(request("r3", "c"), "replies", null);

        List<ChatResult> failed = t.results.readValuesToList();
        assertThat(failed).extracting(ChatResult::getId).containsExactly("r1", "r2", "r3");
        assertThat(failed).allSatisfy(r -> {
            assertThat(r.getStatus()).isEqualTo(ResultStatus.FAILED);
            assertThat(r.getError().getCode()).isEqualTo("INVALID_REQUEST");
        });
        assertThat(failed.get(0).getError().getMessage()).contains("someone-elses-topic", "topics.replies");
        assertThat(failed.get(1).getError().getMessage()).contains(ReplyHeaders.PARTITION, "minus one");
        assertThat(failed.get(2).getError().getMessage()).contains("needs both headers");
        assertThat(t.dlq.readRecordsToList())
                .hasSize(3)
                .allSatisfy(d -> assertThat(DlqHeaders.get(d.headers(), DlqHeaders.REASON))
                        .isEqualTo("INVALID_REQUEST"));
        assertThat(replies.isEmpty()).isTrue();
        assertThat(caller.calls).isEmpty();
    }
}
