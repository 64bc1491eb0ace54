package io.harborai.worker.it;

import io.harborai.worker.avro.BatchStatus;
import io.harborai.worker.avro.ChatResponse;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.ErrorInfo;
import io.harborai.worker.avro.ResultStatus;
import io.harborai.worker.schema.AvroSerde;
import io.harborai.worker.schema.SchemaRegistryClient;
import io.harborai.worker.testinfra.Infra;
import io.harborai.worker.testinfra.Topics;
import io.harborai.worker.testinfra.WorkerConfigs;
import io.harborai.worker.topology.TopicBootstrap;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Plays {@code harbor submit} and the worker for collect tests: its own results topic (3
 * partitions) and compacted batches topic, BatchStatus records and ChatResults written with plain
 * producers through the registry serde, so collect can be tested without either of them.
 */
final class CollectFixtures {
    final Infra infra;
    final SchemaRegistryClient registry;
    final String resultsTopic = Topics.unique("collect-res");
    final String batchesTopic = Topics.unique("collect-batches");

    CollectFixtures(Infra infra) {
        this.infra = infra;
        this.registry = SchemaRegistryClient.create(infra.schemaRegistryUrl());
        try (Admin admin = admin()) {
            TopicBootstrap.ensure(admin, List.of(resultsTopic), 3, (short) 1);
            TopicBootstrap.ensureCompacted(admin, List.of(batchesTopic), 3, (short) 1);
        }
    }

    Admin admin() {
        return Admin.create(Map.of("bootstrap.servers", infra.kafkaBootstrap()));
    }

    /** Result {@code batch:n}; a failure alternates a provider error (HTTP 400) and a timeout. */
    ChatResult result(String batch, int n, String customId, boolean ok) {
        ChatResult.Builder b = ChatResult.newBuilder()
                .setId(batch + ":" + n)
                .setBatchId(batch)
                .setCustomId(customId)
                .setStatus(ok ? ResultStatus.SUCCEEDED : ResultStatus.FAILED)
                .setModelRequested("deepseek-chat")
                .setModelUsed("deepseek-chat")
                .setCompletedAtMs(System.currentTimeMillis());
        if (ok) {
            b.setResponse(ChatResponse.newBuilder().setContent("answer " + n).build());
        } else {
            b.setError(
                    n % 2 == 0
                            ? new ErrorInfo("PROVIDER_REJECTED", "bad request", 400, false)
                            : new ErrorInfo("TIMEOUT", "no answer", null, true));
        }
        return b.build();
    }

    ProducerRecord<String, ChatResult> record(ChatResult r) {
        return new ProducerRecord<>(resultsTopic, r.getId(), r);
    }

    /** A results producer; transactional when {@code transactionalId} is not null. */
    KafkaProducer<String, ChatResult> resultProducer(String transactionalId) {
        Map<String, Object> p = new HashMap<>();
        p.put("bootstrap.servers", infra.kafkaBootstrap());
        p.put("acks", "all");
        p.put("linger.ms", 5);
        if (transactionalId != null) {
            p.put("transactional.id", transactionalId);
        }
        return new KafkaProducer<>(
                p, new StringSerializer(), new AvroSerde<>(registry, ChatResult.class, true).serializer());
    }

    void writeStatus(String batch, long total, boolean complete, Map<String, Long> starts) throws Exception {
        long now = System.currentTimeMillis();
        BatchStatus s = BatchStatus.newBuilder()
                .setBatchId(batch)
                .setTotalLines(total)
                .setLinesDone(total)
                .setSubmitted(total)
                .setInvalid(0)
                .setSubmitComplete(complete)
                .setResultsStartOffsets(starts)
                .setCreatedAtMs(now)
                .setUpdatedAtMs(now)
                .build();
        try (var p = new KafkaProducer<>(
                Map.<String, Object>of("bootstrap.servers", infra.kafkaBootstrap()),
                new StringSerializer(),
                new AvroSerde<>(registry, BatchStatus.class, true).serializer())) {
            p.send(new ProducerRecord<>(batchesTopic, batch, s)).get(30, TimeUnit.SECONDS);
        }
    }

    /** The results topic's end offsets, as submit records them in {@code results_start_offsets}. */
    Map<String, Long> endOffsets() {
        Map<String, Object> c = Map.of("bootstrap.servers", infra.kafkaBootstrap());
        try (var consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> parts = List.of(0, 1, 2).stream()
                    .map(p -> new TopicPartition(resultsTopic, p))
                    .toList();
            Map<String, Long> starts = new LinkedHashMap<>();
            consumer.endOffsets(parts, Duration.ofSeconds(30))
                    .forEach((tp, o) -> starts.put(Integer.toString(tp.partition()), o));
            return starts;
        }
    }

    /** A config file naming the cluster, the registry and these topics, for the CLI. */
    Path config(Path dir) throws IOException {
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("kafka.bootstrap.servers", infra.kafkaBootstrap());
        cfg.put("schema-registry.url", infra.schemaRegistryUrl());
        cfg.put("topics.results", resultsTopic);
        cfg.put("topics.batches", batchesTopic);
        return WorkerConfigs.writeYaml(dir.resolve("harbor.yaml"), cfg);
    }
}
