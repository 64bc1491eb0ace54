package io.harborai.worker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code harbor run} in a JVM of its own, from the packaged jar as a user starts it: with no
 * provider and no simulator asked for it must refuse to start (non-zero exit, one message saying
 * how to configure a provider) instead of answering every model from the simulator.
 */
class RunWithoutProviderIT {
    @TempDir
    Path dir;

    @Test
    void shouldRefuseToRunWithNoProviderAndNoSimulatorFlag() throws Exception {
        Path config = Files.writeString(dir.resolve("harbor.yaml"), "topics:\n  partitions: 3\n");
        Path jar = Path.of("target", "harbor.jar");
        assertThat(jar).as("failsafe runs after package").exists();
        ProcessBuilder pb = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-jar",
                jar.toString(),
                "run",
                "--config",
                config.toString()));
        pb.environment().keySet().removeIf(k -> k.startsWith("HARBOR_"));
        pb.redirectOutput(dir.resolve("out.txt").toFile());
        pb.redirectError(dir.resolve("err.txt").toFile());
        Process p = pb.start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS))
                .as("refused at once, no hang")
                .isTrue();
        String err = Files.readString(dir.resolve("err.txt"), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("exit code; stderr: %s", err).isEqualTo(2);
        assertThat(err)
                .contains(
                        "Invalid configuration (1 problem)",
                        "no provider is configured",
                        "providers.openai.base-url",
                        "--simulator",
                        "HARBOR_SIMULATOR_URL");
        assertThat(err.lines().filter(l -> l.startsWith("  - ")).count())
                .as("one message")
                .isEqualTo(1);
        assertThat(err).doesNotContain("Kafka Streams", "RUNNING", "simulated answers,");
        assertThat(Files.readString(dir.resolve("out.txt"))).isEmpty();
    }
}
