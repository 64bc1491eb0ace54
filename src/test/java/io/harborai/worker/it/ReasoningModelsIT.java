package io.harborai.worker.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.harborai.worker.HarborWorker;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.Message;
import io.harborai.worker.avro.Params;
import io.harborai.worker.avro.ResultStatus;
import io.harborai.worker.schema.AvroSerde;
import io.harborai.worker.schema.SchemaRegistryClient;
import io.harborai.worker.simulator.SimulatorDialect;
import io.harborai.worker.simulator.SimulatorOptions;
import io.harborai.worker.simulator.SimulatorServer;
import io.harborai.worker.testinfra.HarborIntegrationTest;
import io.harborai.worker.testinfra.Infra;
import io.harborai.worker.testinfra.WorkerConfigs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Reasoning models through their dialects, on a real broker, against two simulators over HTTP:
 * one answering like DeepSeek (streamed, with reasoning_content) and one like OpenAI. Both reject,
 * with a 400 as the real endpoints do, the parameters those models do not take, so every request
 * succeeding shows the worker adapted it; the simulators' logs of received parameters show the
 * unsupported ones never arrived.
 */
@HarborIntegrationTest
class ReasoningModelsIT {
    private static final int PER_MODEL = 20;

    @Test
    @SuppressWarnings("try") // the worker runs for the whole block; the test talks to it through Kafka
    void shouldKeepReasoningContentAndNeverSendUnsupportedParameters(Infra infra) throws Exception {
        try (SimulatorServer deepseek =
                        SimulatorServer.start(SimulatorOptions.defaults().withDialect(SimulatorDialect.DEEPSEEK));
                SimulatorServer openai = SimulatorServer.start(SimulatorOptions.defaults())) {
            SchemaRegistryClient registry = SchemaRegistryClient.create(infra.schemaRegistryUrl());
            Map<String, Object> cfg = new HashMap<>(WorkerConfigs.base(infra, "reasoning"));
            cfg.put("providers.ds.dialect", "deepseek");
            cfg.put("providers.ds.base-url", deepseek.baseUrl());
            cfg.put("providers.ds.api-key-env", null); // the simulator is keyless
            cfg.put("providers.ds.models", List.of("deepseek-chat", "deepseek-reasoner"));
            cfg.put("providers.ds.stream", true);
            cfg.put("providers.oa.dialect", "openai");
            cfg.put("providers.oa.base-url", openai.baseUrl());
            cfg.put("providers.oa.api-key-env", null);
            cfg.put("providers.oa.models", List.of("o3-mini", "gpt-4o*"));
            cfg.put("cache.enabled", false);
            List<ChatRequest> sent = new ArrayList<>();
            for (int i = 0; i < PER_MODEL; i++) {
                sent.add(request("ds-" + i, "deepseek-reasoner", i));
                sent.add(request("o3-" + i, "o3-mini", i));
            }
            try (HarborWorker worker = WorkerConfigs.running(cfg);
                    var producer = new KafkaProducer<>(
                            Map.<String, Object>of("bootstrap.servers", infra.kafkaBootstrap()),
                            new StringSerializer(),
                            new AvroSerde<>(registry, ChatRequest.class, true).serializer())) {
                for (ChatRequest r : sent) {
                    producer.send(new ProducerRecord<>((String) cfg.get("topics.requests"), r.getId(), r));
                }
                producer.flush();
                Map<String, ChatResult> got = ResultsReader.results(
                                infra.kafkaBootstrap(),
                                registry,
                                (String) cfg.get("topics.results"),
                                Duration.ofSeconds(120),
                                recs -> recs.size() >= sent.size())
                        .stream()
                        .collect(Collectors.toMap(ConsumerRecord::key, ConsumerRecord::value));
                assertThat(got).hasSize(sent.size());
                assertThat(got.values()).allSatisfy(r -> {
                    assertThat(r.getStatus())
                            .as("%s: %s", r.getId(), r.getError())
                            .isEqualTo(ResultStatus.SUCCEEDED);
                    assertThat(r.getUsage().getReasoningTokens())
                            .as("reasoning tokens of %s", r.getId())
                            .isPositive();
                });
                assertThat(got.values())
                        .filteredOn(r -> r.getId().startsWith("ds-"))
                        .allSatisfy(r -> {
                            assertThat(r.getProvider()).isEqualTo("ds");
                            assertThat(r.getResponse().getReasoningContent())
                                    .as("reasoning_content kept")
                                    .isNotBlank();
                            assertThat(r.getResponse().getContent()).isNotBlank();
                        });
                assertThat(got.values())
                        .filteredOn(r -> r.getId().startsWith("o3-"))
                        .allSatisfy(r -> assertThat(r.getProvider()).isEqualTo("oa"));
            }
            Map<String, Long> ds = deepseek.paramCounts().get("deepseek-reasoner");
            assertThat(ds)
                    .as("parameters DeepSeek received for deepseek-reasoner")
                    .containsEntry("stream", (long) PER_MODEL)
                    .doesNotContainKeys("logprobs", "top_logprobs", "temperature", "top_p", "presence_penalty");
            Map<String, Long> o3 = openai.paramCounts().get("o3-mini");
            assertThat(o3)
                    .as("parameters OpenAI received for o3-mini")
                    .containsEntry("max_completion_tokens", (long) PER_MODEL)
                    .doesNotContainKeys(
                            "max_tokens",
                            "temperature",
                            "top_p",
                            "logprobs",
                            "top_logprobs",
                            "presence_penalty",
                            "frequency_penalty");
            assertThat(deepseek.paramRejections() + openai.paramRejections()).isZero();
        }
    }

    /** A second turn carrying the first turn's reasoning_content, with every sampling knob set. */
    private static ChatRequest request(String id, String model, int i) {
        return ChatRequest.newBuilder()
                .setId(id)
                .setModel(model)
                .setMessages(List.of(
                        Message.newBuilder()
                                .setRole("system")
                                .setContent("You are terse.")
                                .build(),
                        Message.newBuilder()
                                .setRole("user")
                                .setContent("What is " + i + " + 1?")
                                .build(),
                        Message.newBuilder()
                                .setRole("assistant")
                                .setContent(String.valueOf(i + 1))
                                .setReasoningContent("Adding one to " + i + ".")
                                .build(),
                        Message.newBuilder()
                                .setRole("user")
                                .setContent("And times two?")
                                .build()))
                .setParams(Params.newBuilder()
                        .setTemperature(0.7)
                        .setTopP(0.9)
                        .setPresencePenalty(0.1)
                        .setFrequencyPenalty(0.1)
                        .setLogprobs(true)
                        .setTopLogprobs(3)
                        .setMaxTokens(512)
                        .build())
                .build();
    }
}
