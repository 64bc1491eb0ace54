package io.harborai.worker.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.harborai.worker.config.HarborConfig;
import io.harborai.worker.config.HarborConfigDef;
import io.harborai.worker.topology.TopicSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pure parts of the bench's per-request cost figures and of the separate worker's config. */
class BenchCostTest {
    private static final TopicSettings TOPICS = new TopicSettings(
            "r1.requests",
            "r1.requests.batch",
            "r1.results",
            "r1.dlq",
            "r1.metrics",
            null,
            "harbor.batches",
            "harbor.batch-progress",
            "harbor.replies",
            "harbor.batches.control",
            "harbor.files",
            60_000L,
            true,
            2,
            (short) 1);

    @TempDir
    Path dir;

    @Test
    void shouldGroupTheWorkersTopicsByRoleAndSkipOthers() {
        assertThat(TopicCounts.role("r1.results", "r1", TOPICS)).isEqualTo("results");
        assertThat(TopicCounts.role("r1-by-cache-key-repartition", "r1", TOPICS))
                .isEqualTo("repartition");
        assertThat(TopicCounts.role("r1-pending-changelog", "r1", TOPICS)).isEqualTo("changelog");
        assertThat(TopicCounts.role("r1.dlq", "r1", TOPICS)).isEqualTo("dlq");
        assertThat(TopicCounts.role("r1.metrics", "r1", TOPICS)).isEqualTo("metrics");
        assertThat(TopicCounts.role("harbor.batch-progress", "r1", TOPICS)).isEqualTo("progress");
        assertThat(TopicCounts.role("r1.naive.results", "r1", TOPICS)).isEqualTo("other");
        assertThat(TopicCounts.role("r2.results", "r1", TOPICS)).isNull();
    }

    @Test
    void shouldCountRedisCallsPerCommandBetweenSnapshots() {
        assertThat(RedisCommandCount.calls("calls=12,usec=34,usec_per_call=2.83"))
                .isEqualTo(12);
        assertThat(RedisCommandCount.between(Map.of("get", 10L, "set", 5L), Map.of("get", 25L, "set", 5L, "eval", 3L)))
                .containsExactlyInAnyOrderEntriesOf(Map.of("get", 15L, "eval", 3L));
        assertThat(RedisCommandCount.between(null, Map.of("get", 1L))).isNull();
    }

    @Test
    void shouldReportEveryFigurePerRequestAndTheWorkerCpuOnlyWhenSeparate() {
        List<TopicCounts.Count> topics = List.of(
                new TopicCounts.Count("r1.results", "results", 200, 210),
                new TopicCounts.Count("r1-by-cache-key-repartition", "repartition", 200, 205),
                new TopicCounts.Count("r1-pending-changelog", "changelog", 300, 320),
                new TopicCounts.Count("r1-request-ids-changelog", "changelog", 200, 205));
        LevelCost separate =
                new LevelCost("separate", List.of(42L), 100.0, 30.0, 50.0, 200, 200, topics, Map.of("get", 400L), 200);
        ObjectNode json = new ObjectMapper().createObjectNode();
        separate.write(json);

        assertThat(json.path("worker_cpu_ms_per_result").asDouble()).isEqualTo(0.5);
        assertThat(json.path("bench_process_cpu_ms_per_result").asDouble()).isEqualTo(0.25);
        assertThat(json.path("records_per_request").path("results").asDouble()).isEqualTo(1.0);
        assertThat(json.path("records_per_request").path("changelog").asDouble())
                .isEqualTo(2.5);
        assertThat(json.path("records_per_request").path("dlq").asDouble()).isZero();
        assertThat(json.path("records_per_request").path("total").asDouble()).isEqualTo(4.5);
        assertThat(json.path("offsets_per_request").path("total").asDouble()).isEqualTo(4.7);
        assertThat(json.path("redis_commands_per_request").asDouble()).isEqualTo(2.0);
        assertThat(json.path("provider_calls_per_request").asDouble()).isEqualTo(1.0);
        assertThat(json.path("worker_jit_cpu_ms_per_result").asDouble()).isEqualTo(0.15);
        assertThat(separate.summary(16).get(0))
                .contains("worker JVM (pid 42) 0.500 ms (JIT compiler threads 0.150, the rest 0.350)");

        LevelCost embedded = new LevelCost("embedded", List.of(), null, null, 50.0, 200, 200, null, null, 200);
        ObjectNode e = new ObjectMapper().createObjectNode();
        embedded.write(e);
        assertThat(e.path("worker_cpu_ms_per_result").isNull()).isTrue();
        assertThat(e.path("worker_jit_cpu_ms_per_result").isNull()).isTrue();
        assertThat(e.path("records_per_request").isNull()).isTrue();
        assertThat(e.path("redis_commands_per_request").isNull()).isTrue();
        assertThat(embedded.summary(16).get(0)).contains("whole bench JVM").contains("no worker-only figure");
    }

    @Test
    void shouldGiveTheSeparateWorkerWhatTheBenchsOwnLoadWouldSee() throws Exception {
        Path user = dir.resolve("user.yaml");
        Files.writeString(user, """
            kafka:
              bootstrap.servers: from-file:9092
              linger.ms: 5
            topics:
              partitions: 3
            """);
        Map<String, Object> overrides = new LinkedHashMap<>();
        overrides.put(HarborConfigDef.TOPIC_RESULTS, "r1.results");
        overrides.put(HarborConfigDef.APPLICATION_ID, "r1");
        Map<String, Object> yaml = WorkerProcess.configFor(
                user, Map.of("HARBOR_KAFKA_BOOTSTRAP", "stack:1234", "HOME", "/x"), overrides, 4711);
        Path generated = dir.resolve("generated.yaml");
        Files.writeString(generated, new ObjectMapper(new YAMLFactory()).writeValueAsString(yaml));

        HarborConfig cfg = HarborConfig.load(generated, Map.of(), Map.of());
        assertThat(cfg.kafka()).containsEntry("bootstrap.servers", "stack:1234").containsEntry("linger.ms", 5);
        assertThat(cfg.intValue(HarborConfigDef.TOPICS_PARTITIONS)).isEqualTo(3);
        assertThat(cfg.string(HarborConfigDef.TOPIC_RESULTS)).isEqualTo("r1.results");
        assertThat(cfg.intValue(HarborConfigDef.METRICS_PORT)).isEqualTo(4711);
    }

    @Test
    void shouldReadAThreadsCpuFromItsStatLineWhateverItsName() {
        String c2 = "4242 (C2 CompilerThre) S 1 4242 4242 0 -1 4194368 120 0 0 0 350 25 0 0 20 0 1 0 99 0 0";
        String stream = "4243 (bench-1-StreamThread-1) R 1 4242 4242 0 -1 4194368 120 0 0 0 999 1 0 0 20 0 1 0 99 0";
        assertThat(ThreadCpu.ticks(c2, n -> n.startsWith("C2 CompilerThre"))).isEqualTo(375);
        assertThat(ThreadCpu.ticks(stream, n -> n.startsWith("C2 CompilerThre")))
                .isZero();
        assertThat(ThreadCpu.compiler(ProcessHandle.current().pid()))
                .as("this JVM has compiled something by now")
                .isPositive();
    }
}
