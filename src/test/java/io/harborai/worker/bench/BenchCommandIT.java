package io.harborai.worker.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harborai.worker.cli.HarborCli;
import io.harborai.worker.testinfra.HarborIntegrationTest;
import io.harborai.worker.testinfra.Infra;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code harbor bench} end to end on the shared test broker, registry and Redis (named in a config
 * file), the workers in this JVM and in one of their own, each run small enough to stay well under
 * a minute.
 */
@HarborIntegrationTest
class BenchCommandIT {
    @TempDir
    Path dir;

    @Test
    void shouldWriteEveryFigureWithSaneValues(Infra infra) throws Exception {
        Path json = dir.resolve("bench.json");

        int exit = bench(infra, json, "--requests", "300", "--distinct-ratio", "0.5");

        assertThat(exit).isZero();
        JsonNode r = new ObjectMapper().readTree(json.toFile());
        assertThat(r.path("requests").asLong()).isEqualTo(300);
        assertThat(r.path("results").asLong()).isEqualTo(300);
        assertThat(r.path("duplicates").asLong()).isZero();
        assertThat(r.path("failed").asLong()).isZero();
        assertThat(r.path("provider_calls").asLong())
                .as("at least the distinct bodies")
                .isGreaterThanOrEqualTo(150);
        assertThat(r.path("throughput_rps").asDouble()).isPositive();
        assertThat(r.path("limit_rps").asDouble()).isPositive();
        assertThat(r.path("naive_rps").asDouble()).isPositive();
        for (String name : new String[] {"naive_rounds", "limit_rounds"}) {
            assertThat(r.path(name).path("rounds").asInt()).as(name).isBetween(1, 3);
            assertThat(r.path(name).has("steady")).as(name).isTrue();
        }
        JsonNode warm = r.path("warmup");
        assertThat(warm.path("requests").asLong()).isGreaterThanOrEqualTo(30);
        assertThat(warm.path("seconds").asDouble()).isPositive();
        assertThat(warm.path("window_rps").size())
                .isEqualTo(warm.path("requests").asInt() / 30);
        assertThat(warm.has("steady")).isTrue();
        assertThat(r.path("heap_after_gc_mb").asDouble()).isPositive();
        assertThat(r.has("heap_after_gc_mb_at_100k")).isFalse();
        for (String name : new String[] {"e2e_ms", "overhead_ms"}) {
            JsonNode p = r.path(name);
            assertThat(p.path("p50").asDouble()).as(name).isPositive();
            assertThat(p.path("p50").asDouble())
                    .as(name)
                    .isLessThanOrEqualTo(p.path("p95").asDouble());
            assertThat(p.path("p95").asDouble())
                    .as(name)
                    .isLessThanOrEqualTo(p.path("p99").asDouble());
        }
        assertThat(r.path("overhead_ms").path("p50").asDouble())
                .isLessThanOrEqualTo(r.path("e2e_ms").path("p50").asDouble());
        JsonNode split = r.path("overhead_split_ms");
        for (String part : new String[] {"to_worker", "in_worker", "to_reader"}) {
            assertThat(split.path(part).path("max").asDouble())
                    .as(part)
                    .isPositive()
                    .isLessThanOrEqualTo(r.path("overhead_ms").path("max").asDouble() + 1);
        }
        assertThat(r.path("sweep")).hasSize(1);
        assertThat(r.path("config").path("mode").asText()).isEqualTo("cluster");

        assertThat(r.path("worker_jvm").asText()).isEqualTo("embedded");
        assertThat(r.path("worker_pids")).isEmpty();
        assertThat(r.path("worker_cpu_ms_per_result").isNull())
                .as("no worker-only CPU in one JVM")
                .isTrue();
        assertThat(r.path("bench_process_cpu_ms_per_result").asDouble()).isPositive();
        JsonNode records = r.path("records_per_request");
        // Half the bodies repeat: each request still gets exactly one result and one repartition hop.
        assertThat(records.path("results").asDouble()).isEqualTo(1.0);
        assertThat(records.path("repartition").asDouble()).isEqualTo(1.0);
        assertThat(records.path("changelog").asDouble()).isPositive();
        assertThat(records.path("total").asDouble()).isGreaterThan(2.0);
        assertThat(r.path("offsets_per_request").path("total").asDouble())
                .as("offsets add transaction markers under exactly-once")
                .isGreaterThan(records.path("total").asDouble());
        assertThat(r.path("redis_commands_per_request").asDouble()).isBetween(0.5, 20.0);
        assertThat(r.path("provider_calls_per_request").asDouble())
                .isEqualTo(r.path("provider_calls").asDouble() / 300, within(0.001));
    }

    @Test
    void shouldRunTheWorkerInAJvmOfItsOwnAndReportItsCpu(Infra infra) throws Exception {
        Path json = dir.resolve("separate.json");

        int exit = bench(infra, json, "--requests", "200", "--worker-jvm", "separate", "--worker-heap", "256m");

        assertThat(exit).isZero();
        JsonNode r = new ObjectMapper().readTree(json.toFile());
        assertThat(r.path("results").asLong()).isEqualTo(200);
        assertThat(r.path("worker_jvm").asText()).isEqualTo("separate");
        assertThat(r.path("config").path("worker_max_heap").asText()).isEqualTo("256m");
        assertThat(r.path("worker_pids")).hasSize(1);
        long pid = r.path("worker_pids").get(0).asLong();
        assertThat(pid).isNotEqualTo(ProcessHandle.current().pid());
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive))
                .as("the worker process is stopped at the end")
                .isNotEqualTo(Optional.of(true));
        assertThat(r.path("worker_cpu_ms_per_result").asDouble())
                .as("the worker process's own CPU")
                .isPositive();
        assertThat(r.path("records_per_request").path("results").asDouble()).isEqualTo(1.0);
        assertThat(r.path("provider_calls_per_request").asDouble()).isEqualTo(1.0);
        assertThat(r.path("redis_commands_per_request").asDouble()).isBetween(0.5, 20.0);
    }

    @Test
    void shouldMeasureThePipelineAndTheSameLoadThroughAGatewayOfItsOwn(Infra infra) throws Exception {
        Path json = dir.resolve("gateway.json");

        int exit = bench(
                infra, json, "--requests", "200", "--via-gateway", "--worker-jvm", "separate", "--worker-heap", "256m");

        assertThat(exit).isZero();
        JsonNode r = new ObjectMapper().readTree(json.toFile());
        assertThat(r.path("direct_results").asLong()).isEqualTo(200);
        assertThat(r.path("gateway_answered").asLong()).isEqualTo(200);
        assertThat(r.path("gateway_failed").asLong()).isZero();
        assertThat(r.path("gateway_jvm").asText()).isEqualTo("separate");
        assertThat(r.path("direct_rps").asDouble()).isPositive();
        assertThat(r.path("gateway_rps").asDouble()).isPositive();
        assertThat(r.path("gateway_e2e_ms").get(0).asDouble()).isPositive();
        assertThat(r.path("added_p99_ms").asDouble())
                .as("the gateway's own part, from its /metrics")
                .isPositive()
                .isLessThanOrEqualTo(r.path("gateway_e2e_ms").get(2).asDouble() * 2);
        assertThat(r.path("gateway_cpu_ms_per_request").asDouble())
                .as("the gateway process's own CPU")
                .isPositive();
    }

    /** A small bench run on the shared infrastructure, with {@code args} added. */
    private int bench(Infra infra, Path json, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(
                "bench",
                "--config",
                config(infra).toString(),
                "--warmup",
                "30",
                "--warmup-window",
                "30",
                "--warmup-max-s",
                "3",
                "--provider-latency-ms",
                "2",
                "--max-in-flight",
                "16",
                "--naive-sample",
                "50",
                "--json",
                json.toString()));
        all.addAll(List.of(args));
        return HarborCli.commandLine().execute(all.toArray(String[]::new));
    }

    private Path config(Infra infra) throws Exception {
        Path config = dir.resolve("harbor.yaml");
        Files.writeString(config, """
            kafka:
              bootstrap.servers: %s
            schema-registry:
              url: %s
            redis:
              url: %s
            topics:
              partitions: 2
            """.formatted(infra.kafkaBootstrap(), infra.schemaRegistryUrl(), infra.redisUrl()));
        return config;
    }
}
