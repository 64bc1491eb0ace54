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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client library while its reply partitions move: an instance sends requests the provider
 * holds for a second, two more instances join its group meanwhile, and the rebalance takes
 * partitions from it, often the one its requests named for their replies. Every request is still
 * answered once, with its own result: from the partition when the instance kept it, else looked up
 * by id on the results topic.
 */
@HarborIntegrationTest
class ClientRebalanceIT {
    private static final Logger log = LoggerFactory.getLogger(ClientRebalanceIT.class);
    private static final Duration WAIT = Duration.ofSeconds(90);

    private static Infra infra;
    private static SchemaRegistryClient registry;
    private static SimulatorServer simulator;
    private static HarborWorker worker;
    private static Map<String, Object> cfg;

    @BeforeAll
    static void start(Infra shared) throws Exception {
        infra = shared;
        registry = SchemaRegistryClient.create(infra.schemaRegistryUrl());
        simulator = SimulatorServer.start(new SimulatorOptions("127.0.0.1", 0, Duration.ofSeconds(1)));
        cfg = new HashMap<>(WorkerConfigs.base(infra, "client-rebalance-it"));
        cfg.put("simulator.enabled", false);
        cfg.put("providers.sim.base-url", simulator.baseUrl());
        cfg.put("providers.sim.models", List.of("sim-*"));
        worker = WorkerConfigs.running(cfg);
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

    private static HarborClient client(String group) {
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

    private static ChatRequest request(String id) {
        return ChatRequest.newBuilder()
                .setId(id)
                .setModel("sim-chat")
                .setMessages(List.of(Message.newBuilder()
                        .setRole("user")
                        .setContent("question " + id)
                        .build()))
                .setParams(Params.newBuilder().build())
                .build();
    }

    @Test
    void shouldAnswerEveryRequestOnceWhileItsReplyPartitionMoves() throws Exception {
        boolean moved = false;
        int total = 0;
        // The assignor picks which partition leaves: up to four rounds, until one takes the one in use.
        for (int round = 0; round < 4 && !moved; round++) {
            String group = Topics.unique("client-rebalance-group");
            HarborClient first = client(group);
            try (HarborClient a = client(group)) {
                // Let the first instance leave once the second holds a partition: the second then owns
                // them all and keeps replying on the one it got, which is not the lowest, the one the
                // sticky assignor leaves it when two more join.
                Awaitility.await()
                        .atMost(WAIT)
                        .until(() -> a.replyPartition() >= 0 && a.replyPartition() != first.replyPartition());
                first.close();
                int before = a.replyPartition();
                List<ChatRequest> sent = IntStream.range(0, 150)
                        .mapToObj(i -> request(group + "-" + i))
                        .toList();
                List<CompletableFuture<ChatResult>> futures = a.submitAll(sent);
                total += sent.size();
                try (HarborClient b = client(group);
                        HarborClient c = client(group)) {
                    Awaitility.await()
                            .atMost(WAIT)
                            .until(() -> a.replyPartition() >= 0
                                    && b.replyPartition() >= 0
                                    && c.replyPartition() >= 0
                                    && a.replyPartition() != b.replyPartition()
                                    && b.replyPartition() != c.replyPartition()
                                    && a.replyPartition() != c.replyPartition());
                    moved = a.replyPartition() != before;
                    log.info(
                            "round {}: the instance's reply partition {} -> {} ({})",
                            round,
                            before,
                            a.replyPartition(),
                            moved ? "moved: its requests are looked up" : "kept");

                    CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                            .get(WAIT.toSeconds(), TimeUnit.SECONDS);
                    for (int i = 0; i < sent.size(); i++) {
                        ChatResult r = futures.get(i).join();
                        assertThat(r.getId()).isEqualTo(sent.get(i).getId());
                        assertThat(r.getStatus()).isEqualTo(ResultStatus.SUCCEEDED);
                    }
                }
            } finally {
                first.close();
            }
        }
        assertThat(moved)
                .as("a round where the rebalance took the partition in use")
                .isTrue();
        int expected = total;
        List<String> ids = ResultsReader.results(
                        infra.kafkaBootstrap(),
                        registry,
                        (String) cfg.get("topics.results"),
                        WAIT,
                        recs -> recs.size() >= expected)
                .stream()
                .map(org.apache.kafka.clients.consumer.ConsumerRecord::key)
                .toList();
        assertThat(ids).as("one result per id").hasSize(expected).doesNotHaveDuplicates();
    }
}
