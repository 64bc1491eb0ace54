package io.harborai.worker.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.harborai.worker.HarborWorker;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.Message;
import io.harborai.worker.avro.Params;
import io.harborai.worker.config.HarborConfig;
import io.harborai.worker.schema.AvroSerde;
import io.harborai.worker.schema.SchemaRegistryClient;
import io.harborai.worker.testinfra.HarborIntegrationTest;
import io.harborai.worker.testinfra.Infra;
import io.harborai.worker.testinfra.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * A provider that fails often, over real HTTP (a MockWebServer injecting faults: the simulator's
 * own fault knobs had not landed on main when this was written): 30% 429 with Retry-After 1 s,
 * 10% 500, 5% answers slower than the worker's timeout, 2% malformed bodies. Every request still
 * gets exactly one terminal result, calls stay within max-attempts, and no retry of a request is
 * sent before the Retry-After its 429 asked for (call times recorded per Idempotency-Key).
 */
@HarborIntegrationTest
class FaultyProviderIT {
    private static final int REQUESTS = 300;
    private static final int MAX_ATTEMPTS = 4;
    private static final String OK_BODY = "{\"id\":\"c\",\"object\":\"chat.completion\",\"model\":\"faulty-chat\","
        + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},\"finish_reason\":\"stop\"}],"
        + "\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}";

    private record Served(long atMs, int status) {}

    @Test
    void shouldGiveEveryRequestOneTerminalResultWithinAttemptsAndRetryAfter(Infra infra) throws Exception {
        Map<String, List<Served>> calls = new ConcurrentHashMap<>();
        Random random = new Random(42);
        try (MockWebServer server = new MockWebServer()) {
            server.setDispatcher(new Dispatcher() {
                @Override
                public MockResponse dispatch(RecordedRequest request) {
                    double r;
                    synchronized (random) {
                        r = random.nextDouble();
                    }
                    MockResponse.Builder b = new MockResponse.Builder();
                    int status;
                    if (r < 0.30) {
                        status = 429;
                        b.code(429).setHeader("Retry-After", "1").body("{\"error\":{\"message\":\"slow down\"}}");
                    } else if (r < 0.40) {
                        status = 500;
                        b.code(500).body("{\"error\":{\"message\":\"boom\"}}");
                    } else if (r < 0.45) {
                        status = -1;
                        b.code(200).body(OK_BODY).headersDelay(3, TimeUnit.SECONDS);
                    } else if (r < 0.47) {
                        status = 200;
                        b.code(200).body("{\"choices\": [ this is not json");
                    } else {
                        status = 200;
                        b.code(200).body(OK_BODY);
                    }
                    calls.computeIfAbsent(request.getHeaders().get("Idempotency-Key"), k -> new ArrayList<>())
                        .add(new Served(System.currentTimeMillis(), status));
                    return b.build();
                }
            });
            server.start();
            String bootstrap = infra.kafkaBootstrap();
            SchemaRegistryClient registry = SchemaRegistryClient.create(infra.schemaRegistryUrl());
            String requests = Topics.unique("faulty-req");
            String results = Topics.unique("faulty-res");
            Map<String, Object> cfg = new HashMap<>();
            cfg.put("kafka.bootstrap.servers", bootstrap);
            cfg.put("schema-registry.url", infra.schemaRegistryUrl());
            cfg.put("topics.requests", requests);
            cfg.put("topics.requests-batch", Topics.unique("faulty-req-batch"));
            cfg.put("topics.results", results);
            cfg.put("topics.dlq", Topics.unique("faulty-dlq"));
            cfg.put("topics.metrics", Topics.unique("faulty-met"));
            cfg.put("topics.partitions", 2);
            cfg.put("worker.application-id", Topics.unique("faulty-it"));
            cfg.put("providers.faulty.base-url", server.url("/v1").toString());
            cfg.put("providers.faulty.models", List.of("*"));
            cfg.put("providers.faulty.read-timeout-ms", 1_000);
            cfg.put("providers.faulty.call-timeout-ms", 2_000);
            cfg.put("dispatch.max-attempts", MAX_ATTEMPTS);
            cfg.put("dispatch.backoff-base-ms", 50);
            cfg.put("dispatch.retry-budget-ratio", 1.0);
            try (HarborWorker worker = HarborWorker.start(HarborConfig.fromMap(cfg))) {
                assertThat(worker.awaitRunning(Duration.ofSeconds(60))).isTrue();
                try (var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", bootstrap),
                    new StringSerializer(), new AvroSerde<>(registry, ChatRequest.class, true).serializer())) {
                    for (int i = 0; i < REQUESTS; i++) {
                        ChatRequest r = ChatRequest.newBuilder().setId("f-" + i).setModel("faulty-chat")
                            .setMessages(List.of(Message.newBuilder().setRole("user").setContent("q" + i).build()))
                            .setParams(Params.newBuilder().build()).build();
                        producer.send(new ProducerRecord<>(requests, r.getId(), r));
                    }
                }
                Set<String> ids = IntStream.range(0, REQUESTS).mapToObj(i -> "f-" + i).collect(Collectors.toSet());
                List<ConsumerRecord<String, ChatResult>> got = ResultsReader.results(bootstrap, registry, results,
                    Duration.ofSeconds(120), recs -> recs.size() >= REQUESTS
                        && recs.stream().map(ConsumerRecord::key).collect(Collectors.toSet()).containsAll(ids));
                Map<String, Long> perId = got.stream().collect(Collectors.groupingBy(ConsumerRecord::key, Collectors.counting()));
                assertThat(perId.keySet()).containsExactlyInAnyOrderElementsOf(ids);
                assertThat(perId.values()).as("exactly one result per request").containsOnly(1L);
                long succeeded = got.stream().filter(r -> r.value().getStatus().name().equals("SUCCEEDED")).count();
                assertThat(succeeded).as("most requests succeed within %d attempts", MAX_ATTEMPTS)
                    .isGreaterThan(REQUESTS * 8L / 10);
                assertThat(got).allSatisfy(r -> assertThat(r.value().getAttempts()).isBetween(1, MAX_ATTEMPTS));
            }
        }
        int total = calls.values().stream().mapToInt(List::size).sum();
        assertThat(total).isGreaterThan(REQUESTS).isLessThanOrEqualTo(REQUESTS * MAX_ATTEMPTS);
        int checkedRetryAfters = 0;
        for (var e : calls.entrySet()) {
            List<Served> served = e.getValue();
            for (int i = 0; i + 1 < served.size(); i++) {
                if (served.get(i).status() == 429) {
                    assertThat(served.get(i + 1).atMs() - served.get(i).atMs())
                        .as("retry of %s after a 429 with Retry-After: 1", e.getKey()).isGreaterThanOrEqualTo(1_000);
                    checkedRetryAfters++;
                }
            }
        }
        assertThat(checkedRetryAfters).as("the fault mix produced retries after 429s").isGreaterThan(REQUESTS / 10);
    }
}
