package io.harborai.worker.it;

import static io.harborai.worker.top.TopFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.harborai.worker.avro.Alert;
import io.harborai.worker.avro.AlertState;
import io.harborai.worker.avro.MetricEvent;
import io.harborai.worker.avro.Severity;
import io.harborai.worker.cli.HarborCli;
import io.harborai.worker.metrics.topic.MetricsTopic;
import io.harborai.worker.schema.SchemaRegistryClient;
import io.harborai.worker.testinfra.HarborIntegrationTest;
import io.harborai.worker.testinfra.Infra;
import io.harborai.worker.testinfra.WorkerConfigs;
import io.harborai.worker.topology.TopicBootstrap;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code harbor top --once} as a client of the real broker and registry: MetricEvents of two
 * instances and a FIRING Alert written on a metrics topic of the test's own with the {@link
 * MetricsTopic} serdes and headers, as the worker writes them.
 */
@HarborIntegrationTest
class TopCommandIT {
    @TempDir
    Path dir;

    @Test
    void shouldPrintTheAggregatedViewOfTwoInstancesWithTheirProvidersAndTheFiringAlert(Infra infra) throws Exception {
        Map<String, Object> cfg = WorkerConfigs.base(infra, "top-it");
        String topic = (String) cfg.get("topics.metrics");
        createTopic(infra, topic);
        long now = System.currentTimeMillis();
        SchemaRegistryClient registry = SchemaRegistryClient.create(infra.schemaRegistryUrl());
        try (var producer = new KafkaProducer<>(
                Map.<String, Object>of("bootstrap.servers", infra.kafkaBootstrap()),
                new StringSerializer(),
                new ByteArraySerializer())) {
            var metricSer = MetricsTopic.metricSerde(registry, true).serializer();
            var alertSer = MetricsTopic.alertSerde(registry, true).serializer();
            for (MetricEvent e : List.of(
                    event("worker-a", now - 1_000, 1, List.of(provider("openai", "gpt-4o-mini", 40, 2, 300, 0.25))),
                    event("worker-b", now - 2_000, 2, List.of(provider("openai", "gpt-4o-mini", 60, 1, 500, 0.5))))) {
                var rec = new ProducerRecord<>(topic, e.getInstance(), metricSer.serialize(topic, e));
                MetricsTopic.mark(rec.headers(), MetricsTopic.METRIC);
                producer.send(rec).get();
            }
            Alert alert = alert("latency_p95", "worker-b", AlertState.FIRING, Severity.CRITICAL, now - 500);
            var rec = new ProducerRecord<>(topic, MetricsTopic.alertKey(alert), alertSer.serialize(topic, alert));
            MetricsTopic.mark(rec.headers(), MetricsTopic.ALERT);
            producer.send(rec).get();
        }
        Path config = WorkerConfigs.writeYaml(dir.resolve("harbor.yaml"), cfg);

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = run(out, err, "top", "--once", "--width", "200", "--config", config.toString());

        assertThat(exit).as("stderr: %s", err).isZero();
        assertThat(out.toString())
                .contains(
                        "2 instances (2 live)",
                        "throughput 30.0 req/s",
                        "p50 20  p95 80  p99 160 ms (max over instances)",
                        "worker-a",
                        "worker-b",
                        "FIRING ALERTS (1)")
                .containsPattern("openai/gpt-4o-mini\\s+100\\s+3\\s+500\\s+0.7500 USD")
                .containsPattern("CRITICAL\\s+latency_p95\\s+worker-b");
    }

    @Test
    void shouldExitThreeWhenNoMetricEventHasBeenWritten(Infra infra) throws Exception {
        Map<String, Object> cfg = WorkerConfigs.base(infra, "top-empty-it");
        createTopic(infra, (String) cfg.get("topics.metrics"));
        Path config = WorkerConfigs.writeYaml(dir.resolve("harbor.yaml"), cfg);

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = run(out, err, "top", "--once", "--config", config.toString());

        assertThat(exit).isEqualTo(3);
        assertThat(err.toString()).contains("no MetricEvent on " + cfg.get("topics.metrics"));
        assertThat(out.toString()).isEmpty();
    }

    private static void createTopic(Infra infra, String topic) {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", infra.kafkaBootstrap()))) {
            TopicBootstrap.ensure(admin, List.of(topic), 2, (short) 1);
        }
    }

    private static int run(StringWriter out, StringWriter err, String... args) {
        CommandLine cl = HarborCli.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }
}
