package io.harborai.worker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.harborai.worker.HarborWorker;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.Message;
import io.harborai.worker.avro.Params;
import io.harborai.worker.avro.ResultStatus;
import io.harborai.worker.avro.Usage;
import io.harborai.worker.metrics.MetricsCatalog;
import io.harborai.worker.provider.ErrorCode;
import io.harborai.worker.schema.AvroSerde;
import io.harborai.worker.schema.SchemaRegistryClient;
import io.harborai.worker.testinfra.HarborIntegrationTest;
import io.harborai.worker.testinfra.Infra;
import io.harborai.worker.testinfra.Topics;
import io.harborai.worker.testinfra.WorkerConfigs;
import java.time.Duration;
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
 * Cost and budgets on a real broker, a real redis-server and the in-process simulator over HTTP:
 * each result's cost is the configured price of the usage it reports, the cost meter adds up to
 * the results, and a tenant past its daily budget gets BUDGET_EXCEEDED without a provider call
 * while another tenant goes on.
 */
@HarborIntegrationTest
class CostAndBudgetIT {
    private static final double INPUT = 2.0;
    private static final double CACHED = 0.5;
    private static final double OUTPUT = 8.0;

    @Test
    void shouldPriceEveryResultAndStopATenantPastItsBudget(Infra infra) throws Exception {
        SchemaRegistryClient registry = SchemaRegistryClient.create(infra.schemaRegistryUrl());
        Map<String, Object> cfg = new HashMap<>(WorkerConfigs.base(infra, "cost"));
        cfg.put(
                "pricing",
                List.of(Map.of(
                        "match",
                        "priced-*",
                        "input",
                        INPUT,
                        "cached-input",
                        CACHED,
                        "output",
                        OUTPUT,
                        "currency",
                        "USD")));
        cfg.put("budget.daily.broke", 0.000001);
        cfg.put("budget.key-prefix", Topics.unique("budget") + ":");
        cfg.put("cache.enabled", false);
        String requests = (String) cfg.get("topics.requests");
        String results = (String) cfg.get("topics.results");
        try (HarborWorker worker = WorkerConfigs.running(cfg);
                var producer = new KafkaProducer<>(
                        Map.<String, Object>of("bootstrap.servers", infra.kafkaBootstrap()),
                        new StringSerializer(),
                        new AvroSerde<>(registry, ChatRequest.class, true).serializer())) {
            // One call spends more than the broke tenant's whole budget.
            send(producer, requests, request("first", "broke", "priced-chat", "a question worth paying for"));
            await(registry, infra, results, 1);
            Thread.sleep(1_500); // past the budgets' refresh interval
            for (int i = 0; i < 5; i++) {
                send(producer, requests, request("broke-" + i, "broke", "priced-chat", "more " + i));
                send(producer, requests, request("rich-" + i, "rich", "priced-chat", "more " + i));
                send(producer, requests, request("free-" + i, "rich", "unpriced-chat", "free " + i));
            }
            Map<String, ChatResult> got = await(registry, infra, results, 16);

            assertThat(got.get("first").getStatus()).isEqualTo(ResultStatus.SUCCEEDED);
            for (int i = 0; i < 5; i++) {
                ChatResult broke = got.get("broke-" + i);
                assertThat(broke.getStatus()).isEqualTo(ResultStatus.FAILED);
                assertThat(broke.getError().getCode()).isEqualTo(ErrorCode.BUDGET_EXCEEDED.name());
                assertThat(broke.getAttempts()).as("no provider call").isZero();
                assertThat(got.get("rich-" + i).getStatus()).isEqualTo(ResultStatus.SUCCEEDED);
                assertThat(got.get("free-" + i).getCost())
                        .as("no price, no cost")
                        .isNull();
            }
            double total = 0;
            for (ChatResult r : got.values()) {
                if (r.getStatus() != ResultStatus.SUCCEEDED
                        || !r.getModelRequested().startsWith("priced-")) {
                    continue;
                }
                Usage u = r.getUsage();
                double expected = ((u.getPromptTokens() - u.getCachedTokens()) * INPUT
                                + u.getCachedTokens() * CACHED
                                + u.getCompletionTokens() * OUTPUT)
                        / 1e6;
                assertThat(u.getTotalTokens()).isPositive();
                assertThat(r.getCost().getCurrency()).isEqualTo("USD");
                assertThat(r.getCost().getAmount())
                        .as("cost of %s for %s", r.getId(), u)
                        .isCloseTo(expected, within(1e-12));
                total += expected;
            }
            double metered = worker.meters().find(MetricsCatalog.COST).counters().stream()
                    .mapToDouble(c -> c.count())
                    .sum();
            assertThat(metered).as("harbor.cost adds up to the results").isCloseTo(total, within(1e-9));
        }
    }

    private static void send(KafkaProducer<String, ChatRequest> producer, String topic, ChatRequest r) {
        producer.send(new ProducerRecord<>(topic, r.getId(), r));
        producer.flush();
    }

    private static Map<String, ChatResult> await(SchemaRegistryClient registry, Infra infra, String topic, int n) {
        return ResultsReader.results(
                        infra.kafkaBootstrap(), registry, topic, Duration.ofSeconds(90), recs -> recs.size() >= n)
                .stream()
                .collect(Collectors.toMap(ConsumerRecord::key, ConsumerRecord::value));
    }

    private static ChatRequest request(String id, String tenant, String model, String text) {
        return ChatRequest.newBuilder()
                .setId(id)
                .setTenant(tenant)
                .setModel(model)
                .setMessages(List.of(
                        Message.newBuilder().setRole("user").setContent(text).build()))
                .setParams(Params.newBuilder().build())
                .build();
    }
}
