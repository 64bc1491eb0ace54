package io.harborai.worker.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.harborai.worker.HarborWorker;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.Message;
import io.harborai.worker.avro.Params;
import io.harborai.worker.avro.ResultStatus;
import io.harborai.worker.client.HarborClient;
import io.harborai.worker.schema.SchemaRegistryClient;
import io.harborai.worker.simulator.SimulatorOptions;
import io.harborai.worker.simulator.SimulatorServer;
import io.harborai.worker.testinfra.HarborIntegrationTest;
import io.harborai.worker.testinfra.Infra;
import io.harborai.worker.testinfra.Topics;
import io.harborai.worker.testinfra.WorkerConfigs;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The client library against the real broker, registry and worker: request-reply by partition,
 * two instances splitting the replies topic, and a retried id answered with its first answer.
 */
@HarborIntegrationTest
class ClientIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static Infra infra;
    private static SchemaRegistryClient registry;
    private static SimulatorServer simulator;
    private static HarborWorker worker;
    private static Map<String, Object> cfg;
    private static String group;

    @BeforeAll
    static void start(Infra shared) throws Exception {
        infra = shared;
        registry = SchemaRegistryClient.create(infra.schemaRegistryUrl());
        simulator = SimulatorServer.start(new SimulatorOptions("127.0.0.1", 0, Duration.ZERO));
        cfg = new HashMap<>(WorkerConfigs.base(infra, "client-it"));
        cfg.put("simulator.enabled", false);
        cfg.put("providers.sim.base-url", simulator.baseUrl());
        cfg.put("providers.sim.models", List.of("sim-*"));
        worker = WorkerConfigs.running(cfg);
        group = Topics.unique("client-it-group");
    }

    @AfterAll
    static void stop() {
        if (worker != null) {
            worker.close();
        }
        if (simulator != null) {
            simulator.close();
        }
    }

    private static HarborClient client() {
        return HarborClient.start(
                new HarborClient.Options(
                        Map.of("bootstrap.servers", infra.kafkaBootstrap()),
                        registry,
                        (String) cfg.get("topics.requests"),
                        (String) cfg.get("topics.results"),
                        (String) cfg.get("topics.replies"),
                        group,
                        WAIT),
                WAIT);
    }

    private static ChatRequest request(String id, String text) {
        return ChatRequest.newBuilder()
                .setId(id)
                .setModel("sim-chat")
                .setMessages(List.of(
                        Message.newBuilder().setRole("user").setContent(text).build()))
                .setParams(Params.newBuilder().build())
                .build();
    }

    private static Map<String, ChatResult> await(List<CompletableFuture<ChatResult>> futures) throws Exception {
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        return futures.stream().map(CompletableFuture::join).collect(Collectors.toMap(ChatResult::getId, r -> r));
    }

    @Test
    void shouldAnswerEachInstanceOnItsOwnPartitionExactlyOnce() throws Exception {
        try (HarborClient a = client();
                HarborClient b = client()) {
            // Both in the group: wait until the second join's rebalance has settled on distinct partitions.
            org.awaitility.Awaitility.await()
                    .atMost(WAIT)
                    .until(() -> a.replyPartition() >= 0
                            && b.replyPartition() >= 0
                            && a.replyPartition() != b.replyPartition());
            List<ChatRequest> forA = IntStream.range(0, 100)
                    .mapToObj(i -> request("a-" + i, "question a " + i))
                    .toList();
            List<ChatRequest> forB = IntStream.range(0, 100)
                    .mapToObj(i -> request("b-" + i, "question b " + i))
                    .toList();

            Map<String, ChatResult> gotA = await(a.submitAll(forA));
            Map<String, ChatResult> gotB = await(b.submitAll(forB));

            assertThat(gotA.keySet())
                    .isEqualTo(forA.stream().map(ChatRequest::getId).collect(Collectors.toSet()));
            assertThat(gotB.keySet())
                    .isEqualTo(forB.stream().map(ChatRequest::getId).collect(Collectors.toSet()));
            assertThat(gotA.values()).allSatisfy(r -> assertThat(r.getStatus()).isEqualTo(ResultStatus.SUCCEEDED));
            assertThat(gotB.values()).allSatisfy(r -> assertThat(r.getStatus()).isEqualTo(ResultStatus.SUCCEEDED));

            List<ConsumerRecord<String, ChatResult>> replies = ResultsReader.results(
                    infra.kafkaBootstrap(),
                    registry,
                    (String) cfg.get("topics.replies"),
                    WAIT,
                    recs -> recs.stream()
                                    .filter(r -> !r.key().startsWith("retry"))
                                    .count()
                            >= 200);
            Map<String, Set<Integer>> partitionsBySender = replies.stream()
                    .filter(r -> !r.key().startsWith("retry"))
                    .collect(Collectors.groupingBy(
                            r -> r.key().substring(0, 1),
                            Collectors.mapping(ConsumerRecord::partition, Collectors.toSet())));
            assertThat(partitionsBySender)
                    .as("each instance's replies on its own partition only")
                    .containsEntry("a", Set.of(a.replyPartition()))
                    .containsEntry("b", Set.of(b.replyPartition()));
            List<ConsumerRecord<String, ChatResult>> results = ResultsReader.results(
                    infra.kafkaBootstrap(),
                    registry,
                    (String) cfg.get("topics.results"),
                    WAIT,
                    recs -> recs.stream()
                                    .filter(r -> !r.key().startsWith("retry"))
                                    .count()
                            >= 200);
            List<String> ids = results.stream()
                    .map(ConsumerRecord::key)
                    .filter(k -> !k.startsWith("retry"))
                    .toList();
            assertThat(ids)
                    .as("one result per id on the results topic")
                    .hasSize(200)
                    .doesNotHaveDuplicates();
        }
    }

    @Test
    void shouldAnswerARetriedIdWithTheFirstAnswerAndNoSecondCall() throws Exception {
        ChatResult first;
        try (HarborClient a = client()) {
            first = a.submit(request("retry-1", "what is Kafka?")).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
        long callsAfterFirst = simulator.calls();

        // A new instance (the first one is gone, as after a gateway restart) sends the same id again.
        ChatResult again;
        try (HarborClient b = client()) {
            again = b.submit(request("retry-1", "what is Kafka?")).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }

        assertThat(again).isEqualTo(first);
        assertThat(simulator.calls()).as("no second provider call").isEqualTo(callsAfterFirst);
    }
}
