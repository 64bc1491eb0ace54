package io.harborai.worker.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harborai.worker.cli.HarborCli;
import io.harborai.worker.testinfra.HarborIntegrationTest;
import io.harborai.worker.testinfra.Infra;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code harbor bench} end to end on the shared test broker and registry (the cluster is named
 * in a config file), small enough to stay well under a minute.
 */
@HarborIntegrationTest
class BenchCommandIT {
    @TempDir
    Path dir;

    @Test
    void shouldWriteEveryFigureWithSaneValues(Infra infra) throws Exception {
        Path config = dir.resolve("harbor.yaml");
        Files.writeString(config, """
            kafka:
              bootstrap.servers: %s
            schema-registry:
              url: %s
            topics:
              partitions: 2
            """.formatted(infra.kafkaBootstrap(), infra.schemaRegistryUrl()));
        Path json = dir.resolve("bench.json");

        int exit = HarborCli.commandLine()
                .execute(
                        "bench",
                        "--config",
                        config.toString(),
                        "--requests",
                        "300",
                        "--warmup",
                        "30",
                        "--warmup-window",
                        "30",
                        "--warmup-max-s",
                        "3",
                        "--distinct-ratio",
                        "0.5",
                        "--provider-latency-ms",
                        "2",
                        "--max-in-flight",
                        "16",
                        "--naive-sample",
                        "50",
                        "--json",
                        json.toString());

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
        assertThat(r.path("sweep")).hasSize(1);
        assertThat(r.path("config").path("mode").asText()).isEqualTo("cluster");
    }
}
