package io.harborai.worker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The main job ({@code harbor batch} on the embedded default) in a JVM of its own, from the packaged
 * jar with its own logback.xml, as a user starts it: the terminal shows the job and one line naming
 * the log file, which holds Kafka's and the worker's lines; {@code --verbose} puts them back on
 * the console; a bad configuration is still said plainly on stderr.
 */
class QuietConsoleIT {
    /** A logback line of the shipped pattern: {@code 20:23:08.334 WARN  [main] o.a.k.s.StreamsConfig - ...}. */
    private static final Pattern LOGGER_LINE =
            Pattern.compile("(?m)^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} +(TRACE|DEBUG|INFO|WARN|ERROR) ");

    private static final Pattern LOG_FILE_LINE =
            Pattern.compile("(?m)^logs: (\\S+\\.log) \\(--verbose shows them here\\)$");

    @TempDir
    Path dir;

    @Test
    void shouldShowTheJobAndNameTheLogFileWhichHoldsKafkasLines() throws Exception {
        Run run = batch("quiet");
        assertThat(run.exit).as("exit code; stderr: %s", run.err).isZero();
        assertThat(run.err)
                .contains(
                        "submit ",
                        "collect ",
                        "3 of 3 lines (3 succeeded, 0 failed",
                        "answers come from the built-in simulator");
        assertThat(LOGGER_LINE.matcher(run.err).find())
                .as("no logger line on stderr: %s", run.err)
                .isFalse();
        assertThat(run.err).doesNotContain("StreamsConfig", "Bootstrap metadata", "org.apache.kafka");
        assertThat(LOGGER_LINE.matcher(run.out).find())
                .as("no logger line on stdout: %s", run.out)
                .isFalse();
        assertThat(run.out).contains("3 lines, 3 submitted");

        Matcher m = LOG_FILE_LINE.matcher(run.err);
        assertThat(m.find()).as("one line names the log file: %s", run.err).isTrue();
        Path logFile = Path.of(m.group(1));
        assertThat(m.find()).as("only one such line").isFalse();
        assertThat(logFile).startsWith(dir);
        String logged = Files.readString(logFile, StandardCharsets.UTF_8);
        assertThat(LOGGER_LINE.matcher(logged).find()).isTrue();
        assertThat(logged)
                .contains(
                        "o.apache.kafka.streams.StreamsConfig",
                        "Bootstrap metadata",
                        "Embedded Kafka ready",
                        "HarborAI worker started");
    }

    @Test
    void shouldShowTheLogsOnTheConsoleWithVerbose() throws Exception {
        Run run = batch("verbose", "--verbose");
        assertThat(run.exit).as("exit code; stderr: %s", run.err).isZero();
        assertThat(run.err)
                .contains(
                        "3 of 3 lines",
                        "o.apache.kafka.streams.StreamsConfig",
                        "Embedded Kafka ready",
                        "HarborAI worker started");
        assertThat(LOG_FILE_LINE.matcher(run.err).find())
                .as("no log file with --verbose")
                .isFalse();
    }

    @Test
    void shouldStillPrintAnErrorAPersonMustActOnPlainly() throws Exception {
        Path config = Files.writeString(dir.resolve("bad.yaml"), "worker:\n  stream-threads: 0\n");
        Run run = batch("bad-config", "--config", config.toString());
        assertThat(run.exit).as("exit code; stderr: %s", run.err).isEqualTo(2);
        assertThat(run.err).contains("Invalid configuration (1 problem)", "worker.stream-threads");
        assertThat(LOG_FILE_LINE.matcher(run.err).find()).isTrue();
    }

    private record Run(int exit, String out, String err) {}

    /** {@code java -jar target/harbor.jar batch IN -o OUT [extra]} on the first 3 lines of the example job. */
    private Run batch(String name, String... extra) throws Exception {
        Path jar = Path.of("target", "harbor.jar");
        assertThat(jar).as("failsafe runs after package").exists();
        Path work = Files.createDirectories(dir.resolve(name));
        Path input = work.resolve("in.jsonl");
        Files.write(
                input, Files.readAllLines(Path.of("examples", "requests.jsonl")).subList(0, 3));
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.harborai.worker.avro",
                // The log file and the embedded stack's directories land here and go with the test.
                "-Djava.io.tmpdir=" + dir,
                "-jar",
                jar.toString(),
                "batch",
                input.toString(),
                "-o",
                work.resolve("out.jsonl").toString(),
                "--timeout",
                "PT3M"));
        cmd.addAll(List.of(extra));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(k -> k.startsWith("HARBOR_"));
        pb.redirectOutput(work.resolve("stdout.txt").toFile());
        pb.redirectError(work.resolve("stderr.txt").toFile());
        Process p = pb.start();
        if (!p.waitFor(240, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(
                    "harbor batch did not finish in 240 s; stderr: " + Files.readString(work.resolve("stderr.txt")));
        }
        return new Run(
                p.exitValue(),
                Files.readString(work.resolve("stdout.txt"), StandardCharsets.UTF_8),
                Files.readString(work.resolve("stderr.txt"), StandardCharsets.UTF_8));
    }
}
