package io.harborai.worker.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.harborai.worker.HarborWorker;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.Message;
import io.harborai.worker.avro.Params;
import io.harborai.worker.avro.ResponseFormat;
import io.harborai.worker.avro.ResultStatus;
import io.harborai.worker.provider.ErrorCode;
import io.harborai.worker.schema.AvroSerde;
import io.harborai.worker.schema.SchemaRegistryClient;
import io.harborai.worker.simulator.SimulatorOptions;
import io.harborai.worker.simulator.SimulatorServer;
import io.harborai.worker.testinfra.HarborIntegrationTest;
import io.harborai.worker.testinfra.Infra;
import io.harborai.worker.testinfra.WorkerConfigs;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Structured output on a real broker against the simulator over HTTP, which answers invalid JSON
 * (prose, schema violations, truncated JSON) 30% of the time. Three models cover the three ways a
 * schema reaches a model: natively (json_schema), as an instruction plus json_object, and as an
 * instruction alone (the answer then comes as prose around a fenced block). Every result must be
 * valid against its schema, checked here with the library directly, or FAILED with
 * SCHEMA_VALIDATION after the configured attempts; the simulator's call count must equal the
 * attempts the results record.
 */
@HarborIntegrationTest
class StructuredOutputIT {
    private static final int REQUESTS = 1_000;
    private static final int MAX_ATTEMPTS = 3;
    private static final List<String> MODELS = List.of("sim-schema", "sim-object", "sim-plain");
    private static final String SCHEMA = """
        {"type": "object", "additionalProperties": false,
         "required": ["name", "age", "tags"],
         "properties": {"name": {"type": "string"}, "age": {"type": "integer", "minimum": 0},
                        "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1}}}""";

    @Test
    @SuppressWarnings("try") // the worker runs for the whole block; the test talks to it through Kafka
    void shouldAnswerEveryRequestWithSchemaValidJsonOrSchemaValidationFailure(Infra infra) throws Exception {
        Schema schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                .getSchema(SCHEMA, InputFormat.JSON);
        SimulatorOptions options = SimulatorOptions.defaults().withInvalidJsonRate(0.30);
        try (SimulatorServer sim = SimulatorServer.start(options)) {
            SchemaRegistryClient registry = SchemaRegistryClient.create(infra.schemaRegistryUrl());
            Map<String, Object> cfg = new HashMap<>(WorkerConfigs.base(infra, "structured"));
            cfg.put("providers.sim.base-url", sim.baseUrl());
            cfg.put("providers.sim.models", List.of("sim-*"));
            cfg.put(
                    "capabilities",
                    List.of(
                            Map.of("match", "sim-schema", "structured-output", "json_schema"),
                            Map.of("match", "sim-object", "structured-output", "json_object"),
                            Map.of("match", "sim-plain", "structured-output", "none")));
            cfg.put("structured.max-attempts", MAX_ATTEMPTS);
            cfg.put("cache.enabled", false);
            String results = (String) cfg.get("topics.results");
            try (HarborWorker worker = WorkerConfigs.running(cfg);
                    var producer = new KafkaProducer<>(
                            Map.<String, Object>of("bootstrap.servers", infra.kafkaBootstrap()),
                            new StringSerializer(),
                            new AvroSerde<>(registry, ChatRequest.class, true).serializer())) {
                for (int i = 0; i < REQUESTS; i++) {
                    ChatRequest r = request("s-" + i, MODELS.get(i % MODELS.size()), "person " + i);
                    producer.send(new ProducerRecord<>((String) cfg.get("topics.requests"), r.getId(), r));
                }
                producer.flush();
                Set<String> ids =
                        IntStream.range(0, REQUESTS).mapToObj(i -> "s-" + i).collect(Collectors.toSet());
                List<ChatResult> got = ResultsReader.results(
                                infra.kafkaBootstrap(),
                                registry,
                                results,
                                Duration.ofSeconds(180),
                                recs -> recs.stream()
                                        .map(ConsumerRecord::key)
                                        .collect(Collectors.toSet())
                                        .containsAll(ids))
                        .stream()
                        .map(ConsumerRecord::value)
                        .toList();

                assertThat(got).hasSize(REQUESTS);
                assertThat(got.stream().map(ChatResult::getId).collect(Collectors.toSet()))
                        .isEqualTo(ids);
                for (ChatResult r : got) {
                    assertThat(r.getStructured())
                            .as("structured output of %s", r.getId())
                            .isNotNull();
                    if (r.getStatus() == ResultStatus.SUCCEEDED) {
                        assertThat(r.getStructured().getValid()).isTrue();
                        assertThat(schema.validate(r.getStructured().getJson(), InputFormat.JSON))
                                .as(
                                        "%s (%s): %s",
                                        r.getId(),
                                        r.getModelRequested(),
                                        r.getStructured().getJson())
                                .isEmpty();
                        assertThat(r.getStructured().getAttempts()).isBetween(1, MAX_ATTEMPTS);
                    } else {
                        assertThat(r.getError().getCode())
                                .as(r.getError().getMessage())
                                .isEqualTo(ErrorCode.SCHEMA_VALIDATION.name());
                        assertThat(r.getStructured().getValid()).isFalse();
                        assertThat(r.getStructured().getAttempts()).isEqualTo(MAX_ATTEMPTS);
                    }
                }
                long calls = sim.calls();
                assertThat(got.stream().mapToLong(ChatResult::getAttempts).sum())
                        .as("provider calls = attempts recorded in results")
                        .isEqualTo(calls);
                assertThat(got.stream()
                                .mapToLong(r -> r.getStructured().getAttempts())
                                .sum())
                        .as("every call was an answer checked once")
                        .isEqualTo(calls);
                Map<Integer, Long> byAttempts = got.stream()
                        .collect(Collectors.groupingBy(r -> r.getStructured().getAttempts(), Collectors.counting()));
                long failed = got.stream()
                        .filter(r -> r.getStatus() == ResultStatus.FAILED)
                        .count();
                System.out.printf(
                        "structured: %d calls for %d requests, answers per request %s, %d FAILED,"
                                + " %d invalid answers served%n",
                        calls, REQUESTS, byAttempts, failed, sim.invalidJsonAnswers());
                assertThat(byAttempts.getOrDefault(1, 0L))
                        .as("most first answers are valid")
                        .isGreaterThan(550);
                assertThat(calls - REQUESTS)
                        .as("re-asks happened at about the invalid rate")
                        .isBetween(250L, 600L);
                assertThat(failed)
                        .as("three invalid answers in a row: about 2.7%")
                        .isBetween(3L, 80L);
                for (String model : MODELS) {
                    assertThat(got)
                            .filteredOn(r -> r.getModelRequested().equals(model))
                            .filteredOn(r -> r.getStatus() == ResultStatus.SUCCEEDED)
                            .hasSizeGreaterThan(250);
                }
                Map<String, Map<String, Long>> params = sim.paramCounts();
                assertThat(params.get("sim-schema")).containsKey("response_format");
                assertThat(params.get("sim-object")).containsKey("response_format");
                assertThat(params.get("sim-plain"))
                        .as("no response_format for a model without JSON modes")
                        .doesNotContainKey("response_format");
            }
        }
    }

    private static ChatRequest request(String id, String model, String prompt) {
        return ChatRequest.newBuilder()
                .setId(id)
                .setModel(model)
                .setMessages(List.of(Message.newBuilder()
                        .setRole("user")
                        .setContent("Describe " + prompt)
                        .build()))
                .setParams(Params.newBuilder()
                        .setResponseFormat(ResponseFormat.newBuilder()
                                .setType("json_schema")
                                .setJsonSchemaName("person")
                                .setJsonSchemaJson(SCHEMA)
                                .setStrict(true)
                                .build())
                        .build())
                .build();
    }
}
