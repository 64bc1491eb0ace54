package io.harborai.worker.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.harborai.worker.HarborWorker;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.Message;
import io.harborai.worker.avro.Params;
import io.harborai.worker.avro.ResultStatus;
import io.harborai.worker.config.HarborConfig;
import io.harborai.worker.schema.AvroSerde;
import io.harborai.worker.schema.SchemaRegistryClient;
import io.harborai.worker.simulator.SimulatorOptions;
import io.harborai.worker.simulator.SimulatorServer;
import io.harborai.worker.testinfra.HarborIntegrationTest;
import io.harborai.worker.testinfra.Infra;
import io.harborai.worker.testinfra.WorkerConfigs;
import io.harborai.worker.topology.DlqHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The walking skeleton end to end on the real broker and registry, with real HTTP providers: the
 * simulator and a MockWebServer that always answers 500.
 */
@HarborIntegrationTest
class WorkerIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static String bootstrap;
    private static SchemaRegistryClient registry;
    private static SimulatorServer simulator;
    private static MockWebServer broken;
    private static HarborWorker worker;
    private static String requests;
    private static String results;
    private static String dlq;

    @BeforeAll
    static void start(Infra infra) throws Exception {
        bootstrap = infra.kafkaBootstrap();
        registry = SchemaRegistryClient.create(infra.schemaRegistryUrl());
        simulator = SimulatorServer.start(new SimulatorOptions("127.0.0.1", 0, Duration.ZERO));
        broken = new MockWebServer();
        broken.setDispatcher(new mockwebserver3.Dispatcher() {
            @Override
            public MockResponse dispatch(mockwebserver3.RecordedRequest request) {
                return new MockResponse.Builder()
                        .code(500)
                        .body("{\"error\":{\"message\":\"upstream exploded\",\"type\":\"server_error\"}}")
                        .build();
            }
        });
        broken.start();
        Map<String, Object> cfg = new HashMap<>(WorkerConfigs.base(infra, "worker-it"));
        requests = (String) cfg.get("topics.requests");
        results = (String) cfg.get("topics.results");
        dlq = (String) cfg.get("topics.dlq");
        cfg.put("providers.sim.base-url", simulator.baseUrl());
        cfg.put("providers.sim.models", List.of("sim-*"));
        cfg.put("providers.broken.base-url", broken.url("/v1").toString());
        cfg.put("providers.broken.models", List.of("broken-model"));
        worker = HarborWorker.start(HarborConfig.fromMap(cfg));
        assertThat(worker.awaitRunning(WAIT)).as("worker reaches RUNNING").isTrue();
    }

    @AfterAll
    static void stop() throws Exception {
        if (worker != null) {
            worker.close();
        }
        if (simulator != null) {
            simulator.close();
        }
        if (broken != null) {
            broken.close();
        }
    }

    private static ChatRequest request(String id, String model, String text) {
        return ChatRequest.newBuilder()
                .setId(id)
                .setModel(model)
                .setMessages(List.of(
                        Message.newBuilder().setRole("user").setContent(text).build()))
                .setParams(Params.newBuilder().build())
                .build();
    }

    private static void send(List<ChatRequest> batch) {
        try (var producer = new KafkaProducer<>(
                Map.<String, Object>of("bootstrap.servers", bootstrap),
                new StringSerializer(),
                new AvroSerde<>(registry, ChatRequest.class, true).serializer())) {
            batch.forEach(r -> producer.send(new ProducerRecord<>(requests, r.getId(), r)));
        }
    }

    private static Map<String, ChatResult> awaitResults(List<String> ids) {
        List<ConsumerRecord<String, ChatResult>> got = ResultsReader.results(
                bootstrap,
                registry,
                results,
                WAIT,
                recs -> recs.stream()
                        .map(ConsumerRecord::key)
                        .collect(Collectors.toSet())
                        .containsAll(ids));
        return got.stream()
                .filter(r -> ids.contains(r.key()))
                .collect(Collectors.toMap(ConsumerRecord::key, ConsumerRecord::value, (a, b) -> {
                    throw new AssertionError("two results for request " + a.getId());
                }));
    }

    @Test
    void shouldAnswerEveryRequestExactlyOnceIncludingChineseText() {
        long callsBefore = simulator.calls();
        List<ChatRequest> batch = IntStream.range(0, 60)
                .mapToObj(i -> request("n-" + i, "sim-chat", i % 2 == 0 ? "第" + i + "个问题：什么是卡夫卡？" : "Question " + i))
                .toList();
        send(batch);
        Map<String, ChatResult> byId =
                awaitResults(batch.stream().map(ChatRequest::getId).toList());

        assertThat(byId).hasSize(60);
        assertThat(byId.values()).allSatisfy(r -> {
            assertThat(r.getStatus()).isEqualTo(ResultStatus.SUCCEEDED);
            assertThat(r.getProvider()).isEqualTo("sim");
            assertThat(r.getUsage().getTotalTokens()).isPositive();
        });
        assertThat(byId.get("n-4").getResponse().getContent()).contains("第4个问题");
        assertThat(simulator.calls() - callsBefore).isEqualTo(60);
    }

    @Test
    void shouldSendPoisonToDlqAndKeepServing() {
        byte[] poison = "{\"not\":\"avro\"}".getBytes(StandardCharsets.UTF_8);
        try (var producer = new KafkaProducer<>(
                Map.<String, Object>of("bootstrap.servers", bootstrap),
                new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(requests, "poison".getBytes(StandardCharsets.UTF_8), poison));
        }
        send(List.of(request("after-poison", "sim-chat", "still there?")));

        var dead = ResultsReader.raw(
                bootstrap,
                dlq,
                WAIT,
                recs -> recs.stream()
                        .anyMatch(
                                r -> r.key() != null && new String(r.key(), StandardCharsets.UTF_8).equals("poison")));
        var rec = dead.stream()
                .filter(r -> new String(r.key(), StandardCharsets.UTF_8).equals("poison"))
                .findFirst()
                .orElseThrow();
        assertThat(rec.value()).isEqualTo(poison);
        assertThat(DlqHeaders.get(rec.headers(), DlqHeaders.REASON)).isEqualTo("BAD_MAGIC_BYTE");
        assertThat(DlqHeaders.get(rec.headers(), DlqHeaders.SOURCE_TOPIC)).isEqualTo(requests);
        assertThat(DlqHeaders.get(rec.headers(), DlqHeaders.SOURCE_OFFSET)).matches("\\d+");
        assertThat(awaitResults(List.of("after-poison")).get("after-poison").getStatus())
                .isEqualTo(ResultStatus.SUCCEEDED);
    }

    @Test
    void shouldTurnProvider500IntoAFailedResultWithStatus() {
        send(List.of(request("boom-1", "broken-model", "hello")));
        ChatResult r = awaitResults(List.of("boom-1")).get("boom-1");
        assertThat(r.getStatus()).isEqualTo(ResultStatus.FAILED);
        assertThat(r.getProvider()).isEqualTo("broken");
        assertThat(r.getError().getCode()).isEqualTo("PROVIDER_ERROR");
        assertThat(r.getError().getHttpStatus()).isEqualTo(500);
        assertThat(r.getError().getMessage()).contains("upstream exploded");
    }

    @Test
    void shouldNameAnUnknownModelInsteadOfGuessing() {
        send(List.of(request("who-1", "gpt-unknown", "hello")));
        ChatResult r = awaitResults(List.of("who-1")).get("who-1");
        assertThat(r.getStatus()).isEqualTo(ResultStatus.FAILED);
        assertThat(r.getError().getCode()).isEqualTo("UNKNOWN_MODEL");
        assertThat(r.getError().getMessage()).contains("gpt-unknown");
    }
}
