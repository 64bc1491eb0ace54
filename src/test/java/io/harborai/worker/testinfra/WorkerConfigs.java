package io.harborai.worker.testinfra;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Worker configurations for integration tests: the shared infrastructure's addresses plus topic
 * names and an application id of the test's own, so tests sharing one broker never see each
 * other's records. Keys are {@code HarborConfig}'s dotted keys.
 */
public final class WorkerConfigs {
    private WorkerConfigs() {}

    /** Kafka, registry, Redis and unique topics/application id named after {@code name}. */
    public static Map<String, Object> base(Infra infra, String name) {
        return base(infra, name, infra.kafkaBootstrap());
    }

    /** As {@link #base(Infra, String)}, on the Kafka cluster at {@code kafkaBootstrap} (a broker of the test's own). */
    public static Map<String, Object> base(Infra infra, String name, String kafkaBootstrap) {
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("kafka.bootstrap.servers", kafkaBootstrap);
        cfg.put("schema-registry.url", infra.schemaRegistryUrl());
        cfg.put("redis.url", infra.redisUrl());
        cfg.put("cache.l2.key-prefix", Topics.unique(name + "-cache") + ":");
        cfg.put("topics.requests", Topics.unique(name + "-req"));
        cfg.put("topics.requests-batch", Topics.unique(name + "-req-batch"));
        cfg.put("topics.results", Topics.unique(name + "-res"));
        cfg.put("topics.dlq", Topics.unique(name + "-dlq"));
        cfg.put("topics.metrics", Topics.unique(name + "-met"));
        cfg.put("topics.replies", Topics.unique(name + "-replies"));
        cfg.put("topics.batch-control", Topics.unique(name + "-batch-control"));
        cfg.put("topics.files", Topics.unique(name + "-files"));
        cfg.put("topics.partitions", 3);
        cfg.put("worker.application-id", Topics.unique(name + "-app"));
        // Tests that configure no provider ask for the in-process simulator explicitly, as a user must.
        cfg.put("simulator.enabled", true);
        return cfg;
    }

    /** One worker instance of {@code cfg}, started and RUNNING (closed again if it does not get there). */
    public static io.harborai.worker.HarborWorker running(Map<String, Object> cfg) throws InterruptedException {
        var worker = io.harborai.worker.HarborWorker.start(io.harborai.worker.config.HarborConfig.fromMap(cfg));
        if (!worker.awaitRunning(java.time.Duration.ofSeconds(60))) {
            worker.close();
            throw new AssertionError("worker did not reach RUNNING within 60 s: " + worker.state());
        }
        return worker;
    }

    /** Writes {@code cfg} as a YAML file of dotted top-level keys (the loader reads both forms). */
    public static Path writeYaml(Path file, Map<String, Object> cfg) throws IOException {
        // Jackson quotes and escapes what needs it (a JAAS line's own quotes, say); values stay
        // strings, as a person would write them, and lists stay lists.
        Map<String, Object> asWritten = new LinkedHashMap<>();
        cfg.forEach((k, v) -> asWritten.put(
                k,
                v instanceof List<?> list ? list.stream().map(String::valueOf).toList() : String.valueOf(v)));
        YAML.writeValue(file.toFile(), asWritten);
        return file;
    }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
}
