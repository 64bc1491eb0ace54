package io.harborai.worker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.harborai.worker.HarborWorker;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.ResultStatus;
import io.harborai.worker.cli.HarborCli;
import io.harborai.worker.client.HarborClient;
import io.harborai.worker.config.HarborConfig;
import io.harborai.worker.config.StageSettings;
import io.harborai.worker.dispatch.EngineFixtures;
import io.harborai.worker.embedded.EmbeddedKafka;
import io.harborai.worker.embedded.SecuredListeners;
import io.harborai.worker.schema.SchemaRegistryClient;
import io.harborai.worker.testinfra.HarborIntegrationTest;
import io.harborai.worker.testinfra.HarborProcess;
import io.harborai.worker.testinfra.Infra;
import io.harborai.worker.testinfra.Topics;
import io.harborai.worker.testinfra.WorkerConfigs;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker and every cluster command ({@code submit}, {@code collect}, {@code status}, {@code
 * top}, {@code bench}) on a broker that speaks SASL_PLAINTEXT with SCRAM-SHA-512 (the password read
 * from a file through Kafka's DirectoryConfigProvider, as a mounted Kubernetes secret) and SSL (a
 * truststore holding the broker's self-signed certificate); and a wrong password or truststore as
 * one start-up error naming Kafka, never a hang and never the password. One broker for the class,
 * its PLAINTEXT listener used only to set it up.
 */
@HarborIntegrationTest
class SecuredKafkaIT {
    private static final String USER = "harbor";
    private static final String PASSWORD = "s3cret-Scram-7f2c9a";
    private static final String WRONG = "wrong-Pa55-e81b04";
    private static final int LINES = 12;

    private static EmbeddedKafka kafka;

    @TempDir
    Path dir;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafka.start(SecuredListeners.Options.both(USER, PASSWORD));
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void shouldRunTheWorkerAndEveryCommandOverScramWithThePasswordFromAFile(Infra infra) throws Exception {
        Path secrets = Files.createDirectories(dir.resolve("kafka-secret"));
        Files.writeString(secrets.resolve("password"), PASSWORD); // as a Secret mounts it: no newline
        Map<String, Object> cfg = config(infra, "scram", kafka.secured().saslBootstrap());
        cfg.put("kafka.security.protocol", "SASL_PLAINTEXT");
        cfg.put("kafka.sasl.mechanism", "SCRAM-SHA-512");
        cfg.put("kafka.config.providers", "dir");
        cfg.put("kafka.config.providers.dir.class", "org.apache.kafka.common.config.provider.DirectoryConfigProvider");
        cfg.put("kafka.sasl.jaas.config", SecuredListeners.jaasConfig(USER, "${dir:" + secrets + ":password}"));
        assertThat(cfg.toString()).doesNotContain(PASSWORD);

        String printed = runWorkerAndEveryCommand(cfg);

        assertThat(printed).doesNotContain(PASSWORD);
        assertThat(HarborConfig.fromMap(cfg).toString())
                .doesNotContain(PASSWORD)
                .contains("kafka.sasl.jaas.config=[hidden]");
    }

    @Test
    void shouldRunTheWorkerAndEveryCommandOverSsl(Infra infra) throws Exception {
        Map<String, Object> cfg = config(infra, "ssl", kafka.secured().sslBootstrap());
        kafka.secured().sslClientProperties().forEach((k, v) -> cfg.put("kafka." + k, v));

        runWorkerAndEveryCommand(cfg);
    }

    @Test
    void shouldStopTheWorkerAtStartWithOneErrorNamingKafkaWhenThePasswordIsWrong(Infra infra) throws Exception {
        Map<String, Object> cfg = config(infra, "wrong-pw", kafka.secured().saslBootstrap());
        cfg.put("kafka.security.protocol", "SASL_PLAINTEXT");
        cfg.put("kafka.sasl.mechanism", "SCRAM-SHA-512");
        cfg.put("kafka.sasl.jaas.config", SecuredListeners.jaasConfig(USER, WRONG));
        Path yaml = writeYaml(cfg);
        Path log = dir.resolve("run.log");
        String expected = "Kafka: authentication failed (SASL SCRAM-SHA-512 as user harbor at "
                + kafka.secured().saslBootstrap() + "): check kafka.sasl.jaas.config";

        Process run = HarborProcess.start(log, "run", "--config", yaml.toString());
        boolean exited = run.waitFor(120, TimeUnit.SECONDS);
        if (!exited) {
            run.destroyForcibly();
        }

        String output = Files.readString(log);
        assertThat(exited).as("harbor run exited; output:%n%s", output).isTrue();
        assertThat(run.exitValue()).isNotZero();
        assertThat(output).contains("harbor run: " + expected).doesNotContain(WRONG);

        Path input = writeBatch("wrong-pw");
        for (List<String> args : List.of(
                List.of("submit", input.toString()),
                List.of(
                        "collect",
                        "--batch-id",
                        "b",
                        "-o",
                        dir.resolve("out.jsonl").toString()),
                List.of("status", "b"),
                List.of("top", "--once"),
                List.of("gateway", "--port", "0"),
                List.of("bench", "--requests", "10"))) {
            List<String> all = new ArrayList<>(args);
            all.addAll(List.of("--config", yaml.toString()));
            StringWriter err = new StringWriter();
            assertThat(execute(err, all.toArray(String[]::new)))
                    .as("exit code of %s", args)
                    .isEqualTo(1);
            assertThat(err.toString())
                    .isEqualTo("harbor " + args.get(0) + ": " + expected + " (user and password) and "
                            + "kafka.sasl.mechanism" + System.lineSeparator());
        }
    }

    @Test
    void shouldStopACommandWithOneErrorWhenTheBrokerCertificateIsNotTrusted(Infra infra) throws Exception {
        Map<String, Object> cfg = config(infra, "untrusted", kafka.secured().sslBootstrap());
        cfg.put("kafka.security.protocol", "SSL"); // the JDK's default truststore: no self-signed broker in it
        Path input = writeBatch("untrusted");

        StringWriter err = new StringWriter();
        int exit = execute(
                err, "submit", input.toString(), "--config", writeYaml(cfg).toString());

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString())
                .startsWith("harbor submit: Kafka: TLS handshake with "
                        + kafka.secured().sslBootstrap()
                        + " failed (the broker's certificate is not trusted): check kafka.ssl.truststore.location");
    }

    @Test
    void shouldLetNoClientWithoutCredentialsOntoTheSecuredListeners() {
        Map<String, Object> wrong = new LinkedHashMap<>(kafka.secured().saslClientProperties());
        wrong.put("sasl.jaas.config", SecuredListeners.jaasConfig(USER, WRONG));
        assertThat(describeCluster(kafka.secured().saslBootstrap(), wrong, 30_000))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(SaslAuthenticationException.class);
        assertThat(describeCluster(kafka.secured().saslBootstrap(), Map.of(), 2_000))
                .as("a PLAINTEXT client on the SASL listener")
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
        assertThat(describeCluster(kafka.secured().sslBootstrap(), Map.of(), 2_000))
                .as("a PLAINTEXT client on the SSL listener")
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
        assertThat(describeCluster(
                        kafka.secured().saslBootstrap(), kafka.secured().saslClientProperties(), 30_000))
                .as("the right password")
                .isNull();
    }

    /**
     * A worker of {@code cfg} in this JVM, then a batch through submit, collect and status, a top
     * frame and a small bench, each against the secured cluster; returns everything they printed.
     */
    private String runWorkerAndEveryCommand(Map<String, Object> cfg) throws Exception {
        Path yaml = writeYaml(cfg);
        String name = (String) cfg.get("worker.application-id");
        Path input = writeBatch(name);
        StringBuilder printed = new StringBuilder();
        try (HarborWorker worker = WorkerConfigs.running(cfg)) {
            assertThat(worker.state().toString()).isEqualTo("RUNNING");
            printed.append(cli("submit", input.toString(), "--batch-id", name, "--config", yaml.toString()));
            assertThat(printed.toString())
                    .contains("batch " + name + ": " + LINES + " lines, " + LINES + " submitted, 0 invalid");

            Path out = dir.resolve(name + "-out.jsonl");
            printed.append(cli(
                    "collect",
                    "--batch-id",
                    name,
                    "-o",
                    out.toString(),
                    "--timeout",
                    "PT90S",
                    "--config",
                    yaml.toString()));
            List<String> lines = Files.readAllLines(out);
            ObjectMapper json = new ObjectMapper();
            List<String> customIds = new ArrayList<>();
            for (String line : lines) {
                JsonNode n = json.readTree(line);
                customIds.add(n.path("custom_id").asText());
                assertThat(n.path("response").path("status_code").asInt())
                        .as(line)
                        .isEqualTo(200);
            }
            assertThat(customIds).as("one answer per line").containsExactlyInAnyOrderElementsOf(customIds(LINES));

            // The batch's progress record commits on its own, up to a commit interval after the
            // results collect read: ask until it says completed (or a minute has passed).
            String status = cli("status", name, "--config", yaml.toString());
            for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    !status.startsWith(name + ": completed") && System.nanoTime() < deadline; ) {
                Thread.sleep(500);
                status = cli("status", name, "--config", yaml.toString());
            }
            printed.append(status);
            assertThat(status).startsWith(name + ": completed  total " + LINES + "  completed " + LINES + "  failed 0");

            printed.append(top(yaml));
            assertClientIsAnswered(cfg);
        }
        printed.append(bench(yaml));
        return printed.toString();
    }

    /** The client library (what the gateway uses) on the secured cluster: a reply per request, on its own partition. */
    private static void assertClientIsAnswered(Map<String, Object> cfg) throws Exception {
        HarborConfig config = HarborConfig.fromMap(cfg);
        Duration wait = Duration.ofSeconds(60);
        try (HarborClient client = HarborClient.start(
                new HarborClient.Options(
                        StageSettings.kafkaClients(config),
                        SchemaRegistryClient.create(config.string("schema-registry.url")),
                        config.string("topics.requests"),
                        config.string("topics.results"),
                        config.string("topics.replies"),
                        Topics.unique("secured-client"),
                        wait),
                wait)) {
            List<CompletableFuture<ChatResult>> replies = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                replies.add(client.submit(
                        EngineFixtures.request(Topics.unique("secured-req"), "sim-chat", "secured client " + i)));
            }
            for (CompletableFuture<ChatResult> reply : replies) {
                assertThat(reply.get(wait.toSeconds(), TimeUnit.SECONDS).getStatus())
                        .isEqualTo(ResultStatus.SUCCEEDED);
            }
        }
    }

    /** {@code harbor top --once} until the worker's first MetricEvent is there; returns the frame. */
    private static String top(Path yaml) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLineRun r = new CommandLineRun(out, err);
            int exit = r.execute("top", "--once", "--width", "200", "--config", yaml.toString());
            if (exit == 0) {
                assertThat(out.toString()).contains("1 instance");
                return out.toString() + err;
            }
            assertThat(exit).as("stderr: %s", err).isEqualTo(3);
            assertThat(System.nanoTime()).as("a MetricEvent within 60 s").isLessThan(deadline);
            Thread.sleep(500);
        }
    }

    /** A tiny {@code harbor bench} on the secured cluster (its own workers, topics and application id). */
    private String bench(Path yaml) throws Exception {
        Path json = dir.resolve("bench-" + System.nanoTime() + ".json");
        StringWriter err = new StringWriter();
        int exit = execute(
                err,
                "bench",
                "--config",
                yaml.toString(),
                "--requests",
                "60",
                "--warmup",
                "0",
                "--provider-latency-ms",
                "2",
                "--max-in-flight",
                "16",
                "--naive-sample",
                "30",
                "--json",
                json.toString());
        assertThat(exit).as("bench stderr: %s", err).isZero();
        JsonNode r = new ObjectMapper().readTree(json.toFile());
        assertThat(r.path("config").path("mode").asText()).isEqualTo("cluster");
        assertThat(r.path("requests").asLong()).isEqualTo(60);
        assertThat(r.path("results").asLong()).isEqualTo(60);
        assertThat(r.path("duplicates").asLong()).isZero();
        assertThat(r.path("failed").asLong()).isZero();
        return err.toString();
    }

    /** What describeCluster throws within {@code timeoutMs}; null if it answers. */
    private static Throwable describeCluster(String bootstrap, Map<String, Object> security, int timeoutMs) {
        Map<String, Object> props = new LinkedHashMap<>(security);
        props.put("bootstrap.servers", bootstrap);
        try (Admin admin = Admin.create(props)) {
            return catchThrowable(() -> admin.describeCluster(new DescribeClusterOptions().timeoutMs(timeoutMs))
                    .clusterId()
                    .get());
        }
    }

    private static Map<String, Object> config(Infra infra, String name, String bootstrap) {
        Map<String, Object> cfg = WorkerConfigs.base(infra, name, bootstrap);
        cfg.put("topics.batches", Topics.unique(name + "-batches"));
        cfg.put("topics.batch-progress", Topics.unique(name + "-progress"));
        cfg.put("metrics.interval-ms", 1000);
        return cfg;
    }

    /** The flat keys as YAML (Jackson quotes the JAAS line's own quotes). */
    private Path writeYaml(Map<String, Object> cfg) throws Exception {
        Path file = dir.resolve(cfg.get("worker.application-id") + ".yaml");
        new ObjectMapper(new YAMLFactory()).writeValue(file.toFile(), cfg);
        return file;
    }

    private Path writeBatch(String name) throws Exception {
        String lines = customIds(LINES).stream()
                .map(id -> "{\"custom_id\":\"" + id + "\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\","
                        + "\"body\":{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"secured "
                        + name + " " + id + "\"}]}}")
                .collect(Collectors.joining("\n", "", "\n"));
        return Files.writeString(dir.resolve(name + ".jsonl"), lines);
    }

    private static List<String> customIds(int n) {
        return java.util.stream.IntStream.rangeClosed(1, n)
                .mapToObj(i -> "c-" + i)
                .toList();
    }

    /** Runs the CLI in this JVM; returns its stdout and stderr (log lines removed); fails unless it exits 0. */
    private static String cli(String... args) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream original = System.out;
        PrintStream originalErr = System.err;
        StringWriter err = new StringWriter();
        int exit;
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            exit = execute(err, args);
        } finally {
            System.setOut(original);
            System.setErr(originalErr);
        }
        String out = buf.toString(StandardCharsets.UTF_8)
                .lines()
                .filter(l -> !l.matches("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} .*"))
                .collect(Collectors.joining("\n", "", "\n"));
        assertThat(exit)
                .as("exit code of %s, output %s %s", List.of(args), out, err)
                .isZero();
        return out + err;
    }

    private static int execute(StringWriter err, String... args) {
        return new CommandLineRun(new StringWriter(), err).execute(args);
    }

    /** The CLI with its picocli out and err captured. */
    private record CommandLineRun(StringWriter out, StringWriter err) {
        int execute(String... args) {
            var cl = HarborCli.commandLine();
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(err, true));
            return cl.execute(args);
        }
    }
}
