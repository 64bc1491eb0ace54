package io.harborai.worker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.harborai.worker.HarborWorker;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.Message;
import io.harborai.worker.avro.Params;
import io.harborai.worker.avro.ResultStatus;
import io.harborai.worker.embedded.FreePorts;
import io.harborai.worker.metrics.MetricsCatalog;
import io.harborai.worker.metrics.endpoint.MetricsServer;
import io.harborai.worker.schema.AvroSerde;
import io.harborai.worker.schema.SchemaRegistryClient;
import io.harborai.worker.simulator.SimulatorOptions;
import io.harborai.worker.simulator.SimulatorServer;
import io.harborai.worker.testinfra.HarborIntegrationTest;
import io.harborai.worker.testinfra.Infra;
import io.harborai.worker.testinfra.Topics;
import io.harborai.worker.testinfra.WorkerConfigs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The worker's HTTP endpoint on a real broker, Redis and the built-in simulator: {@code /metrics}
 * lists every catalogued meter under its Prometheus name plus the JVM, Kafka Streams and OkHttp
 * families, the results counter agrees with the results topic, the DLQ counter moves, and
 * {@code /health} and {@code /ready} answer 200 once the worker is RUNNING.
 */
@HarborIntegrationTest
class MetricsEndpointIT {
    private static final int N = 6;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void shouldServeEveryCataloguedMeterAndHealthOverHttp(Infra infra) throws Exception {
        SchemaRegistryClient registry = SchemaRegistryClient.create(infra.schemaRegistryUrl());
        try (SimulatorServer simulator = SimulatorServer.start(SimulatorOptions.defaults())) {
            run(infra, registry, simulator);
        }
    }

    private void run(Infra infra, SchemaRegistryClient registry, SimulatorServer simulator) throws Exception {
        Map<String, Object> cfg = new HashMap<>(WorkerConfigs.base(infra, "metrics"));
        int port = FreePorts.find();
        cfg.put("metrics.port", port);
        // A configured provider naming its priced model, so harbor.cost has a series from start-up.
        cfg.put("providers.sim.base-url", simulator.baseUrl());
        cfg.put("providers.sim.models", List.of("priced-chat", "sim-*"));
        cfg.put("pricing", List.of(Map.of("match", "priced-*", "input", 1.0, "output", 2.0, "currency", "USD")));
        cfg.put("budget.daily.someone", 100.0);
        cfg.put("budget.key-prefix", Topics.unique("metrics-budget") + ":");
        String requests = (String) cfg.get("topics.requests");
        String results = (String) cfg.get("topics.results");
        try (HarborWorker worker = WorkerConfigs.running(cfg)) {
            assertThat(worker.metricsPort()).isEqualTo(port);
            String atStart = get(port, "/metrics").body();
            assertThat(missing(atStart))
                    .as("catalogued names missing right after start-up")
                    .isEmpty();

            try (var producer = new KafkaProducer<>(
                            Map.<String, Object>of("bootstrap.servers", infra.kafkaBootstrap()),
                            new StringSerializer(),
                            new AvroSerde<>(registry, ChatRequest.class, true).serializer());
                    var raw = new KafkaProducer<>(
                            Map.<String, Object>of("bootstrap.servers", infra.kafkaBootstrap()),
                            new ByteArraySerializer(),
                            new ByteArraySerializer())) {
                IntStream.range(0, N)
                        .forEach(i -> producer.send(new ProducerRecord<>(
                                requests, "m-" + i, request("m-" + i, "priced-chat", "question " + i))));
                producer.flush();
                raw.send(new ProducerRecord<>(
                        requests,
                        "junk".getBytes(StandardCharsets.UTF_8),
                        "not avro".getBytes(StandardCharsets.UTF_8)));
                raw.flush();
            }
            List<ConsumerRecord<String, ChatResult>> got = ResultsReader.results(
                    infra.kafkaBootstrap(), registry, results, Duration.ofSeconds(90), recs -> recs.size() >= N);
            long succeeded = got.stream()
                    .filter(r -> r.value().getStatus() == ResultStatus.SUCCEEDED)
                    .count();
            assertThat(succeeded).isEqualTo(N);

            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                String text = get(port, "/metrics").body();
                assertThat(missing(text)).isEmpty();
                assertThat(sum(text, "harbor_results_total", "status=\"SUCCEEDED\""))
                        .isEqualTo(succeeded);
                assertThat(sum(text, "harbor_requests_total", "traffic=\"online\""))
                        .isEqualTo(N);
                assertThat(sum(text, "harbor_dlq_records_total", "reason=\"BAD_MAGIC_BYTE\""))
                        .isEqualTo(1);
                assertThat(sum(text, "harbor_request_latency_seconds_count", "traffic=\"online\""))
                        .isEqualTo(N);
                assertThat(sum(text, "harbor_provider_calls_seconds_count", "outcome=\"ok\""))
                        .isEqualTo(N);
                assertThat(text).contains("model=\"priced-chat\"");
                assertThat(sum(text, "harbor_cost_total", "model=\"priced-chat\""))
                        .isPositive();
                assertThat(text)
                        .containsPattern("(?m)^jvm_memory_used_bytes\\{")
                        .containsPattern("(?m)^jvm_gc_")
                        .containsPattern("(?m)^jvm_threads_live_threads ")
                        .containsPattern("(?m)^process_uptime_seconds ")
                        .containsPattern("(?m)^kafka_stream_")
                        .containsPattern("(?m)^okhttp_requests_seconds_count\\{");
            });
            HttpResponse<String> metrics = get(port, "/metrics");
            assertThat(metrics.headers().firstValue("Content-Type")).contains(MetricsServer.PROMETHEUS_CONTENT_TYPE);

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                HttpResponse<String> ready = get(port, "/ready");
                assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
            });
            HttpResponse<String> health = get(port, "/health");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("\"status\":\"UP\"", "RUNNING");
        }
    }

    /** The catalogued meters whose Prometheus name is not in {@code text}. */
    private static List<String> missing(String text) {
        return MetricsCatalog.METERS.stream()
                .map(MetricsEndpointIT::prometheusName)
                .filter(name -> !text.contains("\n" + name + "{") && !text.contains("\n" + name + " "))
                .toList();
    }

    /** Micrometer's Prometheus names: dots become underscores, counters end in _total, timers in _seconds. */
    static String prometheusName(MetricsCatalog.Meter m) {
        String base = m.name().replace('.', '_');
        return switch (m.type()) {
            case COUNTER -> base + "_total";
            case TIMER -> base + "_seconds_count";
            case GAUGE -> base;
        };
    }

    /** Sum of the samples of {@code name} whose labels contain {@code label}. */
    private static double sum(String text, String name, String label) {
        return text.lines()
                .filter(l -> l.startsWith(name + "{") && l.contains(label))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
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
}
