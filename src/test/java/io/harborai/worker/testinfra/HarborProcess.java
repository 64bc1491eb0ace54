package io.harborai.worker.testinfra;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A {@code harbor} command in a JVM of its own (this test JVM's class path), its output to a log file. */
public final class HarborProcess {
    private HarborProcess() {}

    /** Starts {@code harbor ARGS...} with a 256 MB heap; stdout and stderr go to {@code log}. */
    public static Process start(Path log, String... args) throws IOException {
        return start(log, List.of(), args);
    }

    /** As {@link #start(Path, String...)}, with extra JVM options (system properties, a truststore). */
    public static Process start(Path log, List<String> jvmOptions, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.harborai.worker.avro"));
        cmd.addAll(jvmOptions);
        cmd.add("io.harborai.worker.cli.HarborCli");
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
    }
}
