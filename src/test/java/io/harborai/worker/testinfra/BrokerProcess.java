package io.harborai.worker.testinfra;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.harborai.worker.embedded.EmbeddedKafka;
import io.harborai.worker.embedded.FreePorts;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real single-node Kafka broker (KRaft combined mode) in a JVM of its own, started with Kafka's
 * own {@code kafka.Kafka} main class and a {@code server.properties} written here, so a test can
 * stop it and start it again on the same port and the same log directory, as an operator restarts
 * a broker. The in-process {@code KafkaClusterTestKit} cannot: it binds fresh random ports and
 * deletes its directories on close.
 *
 * <p>The log directory is formatted once with Kafka's {@code Formatter}; each {@link #start}
 * runs the same properties again. The broker's output goes to {@code broker-N.log} in the directory
 * given to {@link #create}.
 *
 * <p>Not thread-safe: one test thread starts and stops it.
 */
public final class BrokerProcess implements AutoCloseable {
    private final Path dir;
    private final Path properties;
    private final int port;
    private Process process;
    private int starts;

    private BrokerProcess(Path dir, Path properties, int port) {
        this.dir = dir;
        this.properties = properties;
        this.port = port;
    }

    /** Writes the properties (free ports on 127.0.0.1) and formats the log directory; not started. */
    public static BrokerProcess create(Path dir) throws IOException {
        int port = FreePorts.find();
        int controllerPort = FreePorts.find();
        Path logDir = Files.createDirectories(dir.resolve("kafka-logs"));
        List<String> lines = new ArrayList<>(List.of(
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name=PLAINTEXT",
                "log.dirs=" + logDir));
        EmbeddedKafka.SINGLE_NODE_CONFIG.forEach((k, v) -> lines.add(k + "=" + v));
        Path properties = Files.write(dir.resolve("server.properties"), lines);
        BrokerProcess broker = new BrokerProcess(dir, properties, port);
        // Kafka's own formatter (what kafka-storage.sh format runs), in this JVM: a JVM less to start.
        try (PrintStream out = new PrintStream(Files.newOutputStream(dir.resolve("format.log")), true, UTF_8)) {
            new Formatter()
                    .setPrintStream(out)
                    .setNodeId(1)
                    .setClusterId(Uuid.randomUuid().toString())
                    .addDirectory(logDir.toString())
                    .setMetadataLogDirectory(logDir.toString())
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .setControllerListenerName("CONTROLLER")
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("formatting " + logDir + " failed", e);
        }
        return broker;
    }

    /** {@code bootstrap.servers} for clients; the same across restarts. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** Starts the broker JVM and waits until it answers a metadata request. */
    public void start(Duration timeout) throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("already running");
        }
        starts++;
        process = java(dir.resolve("broker-" + starts + ".log"), "kafka.Kafka", properties.toString())
                .start();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2_000))) {
            while (true) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("broker exited with " + process.exitValue() + "; see "
                            + dir.resolve("broker-" + starts + ".log"));
                }
                try {
                    admin.describeCluster(new DescribeClusterOptions().timeoutMs(2_000))
                            .nodes()
                            .get();
                    return;
                } catch (ExecutionException notYet) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("broker not answering within " + timeout, notYet);
                    }
                    Thread.sleep(200);
                }
            }
        }
    }

    /** Stops the broker as {@code kill} does (SIGTERM: a controlled shutdown) and waits for the exit. */
    public void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    /** Kills the broker JVM if it runs; the directory stays for the test's {@code @TempDir}. */
    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static ProcessBuilder java(Path log, String mainClass, String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m",
                // C1 only: the broker starts and restarts in fewer seconds on a busy 2-core machine
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                mainClass));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    }
}
