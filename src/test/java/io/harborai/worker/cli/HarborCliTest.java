package io.harborai.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class HarborCliTest {
    @TempDir
    Path dir;

    @Test
    void shouldRefuseToStartWithOneMessageNamingEveryBadKey() throws Exception {
        Path config = dir.resolve("bad.yaml");
        Files.writeString(config, """
            worker:
              stream-threads: 0
            topics:
              partitons: 3
            providers:
              openai:
                models: ["gpt-*"]
            """);
        CommandLine cl = HarborCli.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute("run", "--config", config.toString());
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString())
                .contains(
                        "Invalid configuration (3 problems)",
                        "worker.stream-threads",
                        "topics.partitons: unknown key",
                        "providers.openai.base-url: required");
    }

    @Test
    void shouldRefuseToRunWithoutAProviderUnlessTheSimulatorIsAskedFor() throws Exception {
        Path config = dir.resolve("empty.yaml");
        Files.writeString(config, "topics:\n  partitions: 3\n");
        CommandLine cl = HarborCli.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute("run", "--config", config.toString());
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString())
                .contains(
                        "Invalid configuration (1 problem)",
                        "no provider is configured",
                        "--simulator",
                        "HARBOR_SIMULATOR_URL");
    }

    @Test
    void shouldTakeTheMetricsPortFromTheCommandLineOverTheFile() throws Exception {
        Path config = dir.resolve("metrics.yaml");
        Files.writeString(config, "metrics.port: 9464\n");
        CommandLine cl = HarborCli.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute("run", "--config", config.toString(), "--metrics-port", "70000");
        assertThat(exit).as("the option reached validation").isEqualTo(2);
        assertThat(err.toString()).contains("metrics.port");
    }

    @Test
    void shouldRejectAMissingBatchInputWithoutStartingAnything() {
        int exit = HarborCli.commandLine()
                .execute(
                        "batch",
                        dir.resolve("nope.jsonl").toString(),
                        "-o",
                        dir.resolve("out.jsonl").toString());
        assertThat(exit).isEqualTo(2);
    }

    @Test
    void shouldRejectOneFileForOutputAndErrorsWithoutStartingAnything() throws Exception {
        Path input = Files.writeString(dir.resolve("in.jsonl"), "{}\n");
        Path out = dir.resolve("out.jsonl");
        int exit = HarborCli.commandLine()
                .execute(
                        "batch",
                        input.toString(),
                        "-o",
                        out.toString(),
                        "--errors",
                        dir.resolve(".").resolve("out.jsonl").toString());
        assertThat(exit).isEqualTo(2);
        assertThat(out).doesNotExist();
    }

    @Test
    void shouldRefuseToCollectWithoutAConfiguredCluster() {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("HARBOR_KAFKA_BOOTSTRAP") == null);
        int exit = HarborCli.commandLine()
                .execute(
                        "collect",
                        "--batch-id",
                        "b1",
                        "-o",
                        dir.resolve("out.jsonl").toString());
        assertThat(exit).isEqualTo(2);
        assertThat(dir.resolve("out.jsonl")).doesNotExist();
    }

    @Test
    void shouldListEverySubcommandInHelp() {
        CommandLine cl = HarborCli.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        assertThat(cl.execute("--help")).isZero();
        assertThat(out.toString()).contains("run", "dev", "batch", "collect", "simulator", "top");
    }

    @Test
    void shouldRefuseTopWithoutAConfiguredCluster() {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("HARBOR_KAFKA_BOOTSTRAP") == null);
        CommandLine cl = HarborCli.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        assertThat(cl.execute("top", "--once")).isEqualTo(2);
        assertThat(err.toString()).contains("harbor top needs a Kafka cluster");
    }
}
