package io.harborai.worker.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.cli.HarborCli;
import io.harborai.worker.config.HarborConfig;
import io.harborai.worker.config.HarborConfigDef;
import io.harborai.worker.metrics.endpoint.MetricsServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/**
 * Checks the repository's {@code Dockerfile} and {@code .dockerignore} without a Docker engine: a
 * build stage and a runtime stage, a numeric non-root user, a health check on {@code /health} of
 * the metrics port the image configures and exposes, {@code MaxRAMPercentage}, the entry point of
 * {@code bin/harbor}, and a build context that holds every file a {@code COPY} names.
 */
class DockerfileTest {
    static final Path CONTEXT = Path.of("");
    static final Path DOCKERFILE = Path.of("Dockerfile");
    private static final Pattern HEALTH_REQUEST =
            Pattern.compile("/dev/tcp/([^/]+)/(?:\\$\\{(\\w+):-(\\d+)}|(\\d+)).*GET (\\S+) HTTP");
    private static final Pattern MAX_RAM = Pattern.compile("-XX:MaxRAMPercentage=(\\d+(?:\\.\\d+)?)");

    @Test
    void shouldPassEveryCheck() throws IOException {
        assertThat(problems(Dockerfile.parse(Files.readString(DOCKERFILE)), dockerIgnore()))
                .isEmpty();
    }

    @Test
    void shouldFlagARootUserACopyFromTargetAWrongHealthPortAndAnUnknownCommand() throws IOException {
        String bad = """
                FROM eclipse-temurin:17-jre
                COPY target/harbor.jar /app/harbor.jar
                COPY deploy/docker/harbor.yaml /etc/harbor/harbor.yaml
                ENV HARBOR_CONFIG=/etc/harbor/harbor.yaml
                EXPOSE 8080
                USER root
                HEALTHCHECK CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /healthz HTTP/1.0\\\\r\\\\n\\\\r\\\\n' >&3"]
                ENTRYPOINT ["java", "-jar", "/app/harbor.jar"]
                CMD ["serve"]
                """;
        List<String> problems = problems(Dockerfile.parse(bad), dockerIgnore());
        assertThat(String.join("\n", problems))
                .contains("a build stage and a runtime stage")
                .contains("USER root")
                .contains("copies target/harbor.jar from the build context")
                .contains("excluded by .dockerignore: target/harbor.jar")
                .contains("HEALTHCHECK path /healthz")
                .contains("HEALTHCHECK port 8080 is not the metrics port 9464")
                .contains("MaxRAMPercentage")
                .contains("org.apache.avro.SERIALIZABLE_PACKAGES")
                .contains("CMD subcommand serve");
    }

    /** The image's HEALTHCHECK command itself, run by bash against the real endpoint: 0 when UP, not 0 when DOWN. */
    @Test
    void shouldPassTheHealthCheckOnlyWhileTheWorkerIsAlive() throws Exception {
        List<String> check =
                healthCheck(Dockerfile.parse(Files.readString(DOCKERFILE)).last());
        assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "no bash to run the check with");
        for (KafkaStreams.State state : List.of(KafkaStreams.State.RUNNING, KafkaStreams.State.ERROR)) {
            try (MetricsServer server = MetricsServer.start(0, () -> "", () -> Map.of("app", state), List::of)) {
                ProcessBuilder pb = new ProcessBuilder(check).redirectErrorStream(true);
                pb.environment().put("HARBOR_METRICS_PORT", String.valueOf(server.port()));
                Process p = pb.start();
                assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(p.exitValue() == 0)
                        .as("check passes with the app %s", state)
                        .isEqualTo(state == KafkaStreams.State.RUNNING);
            }
        }
    }

    @Test
    void shouldApplyDockerIgnoreRulesAsDockerDoes() {
        DockerIgnore rules = DockerIgnore.parse("*\n!src/main\n**/*.iml\n!pom.xml\n");
        assertThat(rules.excludes("target/harbor.jar")).isTrue();
        assertThat(rules.excludes(".git/HEAD")).isTrue();
        assertThat(rules.excludes("src/test/java/A.java")).isTrue();
        assertThat(rules.excludes("src/main/java/A.java")).isFalse();
        assertThat(rules.excludes("src/main/x/y.iml")).isTrue();
        assertThat(rules.excludes("pom.xml")).isFalse();
    }

    /** Every way {@code df} breaks the rules above; empty when it keeps them. */
    static List<String> problems(Dockerfile df, DockerIgnore ignore) throws IOException {
        List<String> problems = new ArrayList<>();
        if (df.stages().size() < 2) {
            problems.add("needs a build stage and a runtime stage (multi-stage), found "
                    + df.stages().size());
        }
        Dockerfile.Stage fin = df.last();
        Set<String> earlier = df.stages().subList(0, df.stages().size() - 1).stream()
                .map(Dockerfile.Stage::name)
                .collect(Collectors.toSet());
        for (Dockerfile.Stage stage : df.stages()) {
            for (Dockerfile.Instruction copy : stage.all("COPY")) {
                problems.addAll(copyProblems(copy, earlier, ignore));
            }
        }
        String user = fin.last("USER").map(Dockerfile.Instruction::args).orElse("root");
        if (!user.split(":")[0].matches("[1-9][0-9]*")) {
            problems.add("USER " + user + ": the runtime stage must run as a numeric non-root uid");
        }
        Map<String, String> env = fin.env();
        int metricsPort = metricsPort(fin, env, problems);
        Set<Integer> exposed = fin.all("EXPOSE").stream()
                .flatMap(i -> i.words().stream())
                .map(w -> Integer.parseInt(w.split("/")[0]))
                .collect(Collectors.toSet());
        String health = String.join(" ", healthCheck(fin));
        Matcher m = HEALTH_REQUEST.matcher(health);
        if (!m.find()) {
            problems.add("HEALTHCHECK must GET a path over /dev/tcp/<host>/<port>: " + health);
        } else {
            int port = Integer.parseInt(m.group(3) != null ? m.group(3) : m.group(4));
            if (m.group(2) != null && !"metrics.port".equals(HarborConfig.ENV_OVERRIDES.get(m.group(2)))) {
                problems.add("HEALTHCHECK port variable " + m.group(2) + " does not override metrics.port");
            }
            if (!m.group(5).equals(MetricsServer.HEALTH_PATH)) {
                problems.add("HEALTHCHECK path " + m.group(5) + " is not " + MetricsServer.HEALTH_PATH);
            }
            if (port != metricsPort) {
                problems.add("HEALTHCHECK port " + port + " is not the metrics port " + metricsPort);
            }
            if (!exposed.contains(metricsPort)) {
                problems.add("EXPOSE " + exposed + " lacks the metrics port " + metricsPort);
            }
        }
        Matcher ram = MAX_RAM.matcher(env.getOrDefault("JAVA_TOOL_OPTIONS", ""));
        if (!ram.find() || Double.parseDouble(ram.group(1)) <= 0 || Double.parseDouble(ram.group(1)) >= 90) {
            problems.add("JAVA_TOOL_OPTIONS needs -XX:MaxRAMPercentage in (0, 90): the heap follows the container");
        }
        problems.addAll(entryPointProblems(fin));
        return problems;
    }

    /** The metrics port the image runs {@code harbor run} with: its config file, then HARBOR_METRICS_PORT. */
    private static int metricsPort(Dockerfile.Stage fin, Map<String, String> env, List<String> problems)
            throws IOException {
        String configPath = env.get("HARBOR_CONFIG");
        Path source = fin.all("COPY").stream()
                .filter(c -> !c.flags().containsKey("from"))
                .filter(c -> c.words().get(c.words().size() - 1).equals(configPath))
                .map(c -> CONTEXT.resolve(c.words().get(0)))
                .findFirst()
                .orElse(null);
        if (source == null || !Files.isRegularFile(source)) {
            problems.add("HARBOR_CONFIG " + configPath + " is not a file copied from the build context");
            return -1;
        }
        HarborConfig cfg = HarborConfig.load(source, env, Map.of());
        String stateDir = cfg.string(HarborConfigDef.STATE_DIR);
        List<String> volumes = fin.all("VOLUME").stream()
                .flatMap(v -> v.execForm().stream().flatMap(w -> Stream.of(w.split("\\s+"))))
                .toList();
        if (!volumes.contains(stateDir)) {
            problems.add(HarborConfigDef.STATE_DIR + " " + stateDir + " is not a VOLUME " + volumes);
        }
        return cfg.intValue(HarborConfigDef.METRICS_PORT);
    }

    private static List<String> copyProblems(Dockerfile.Instruction copy, Set<String> stages, DockerIgnore ignore)
            throws IOException {
        List<String> problems = new ArrayList<>();
        List<String> words = copy.words();
        String from = copy.flags().get("from");
        if (from != null) {
            if (!stages.contains(from)) {
                problems.add("COPY --from=" + from + " names no earlier stage");
            }
            return problems;
        }
        for (String src : words.subList(0, words.size() - 1)) {
            Path path = CONTEXT.resolve(src);
            if (src.replaceAll("^\\./", "").startsWith("target")) {
                problems.add("COPY " + src + ": copies " + src + " from the build context; build it in a stage");
            }
            if (!Files.exists(path)) {
                problems.add("COPY " + src + ": no such file in the build context");
            }
            List<String> files = Files.exists(path)
                    ? walk(path)
                    : List.of(src.replaceAll("^\\./", "").replaceAll("/$", ""));
            files.stream()
                    .filter(ignore::excludes)
                    .forEach(f -> problems.add("COPY " + src + ": excluded by .dockerignore: " + f));
        }
        return problems;
    }

    private static List<String> walk(Path path) throws IOException {
        try (Stream<Path> files = Files.walk(path)) {
            return files.filter(Files::isRegularFile)
                    .map(p -> CONTEXT.toAbsolutePath()
                            .relativize(p.toAbsolutePath())
                            .toString())
                    .toList();
        }
    }

    /** As bin/harbor: {@code java <avro property> -jar <the copied jar>}, a default CMD that is a subcommand. */
    private static List<String> entryPointProblems(Dockerfile.Stage fin) {
        List<String> problems = new ArrayList<>();
        List<String> entry =
                fin.last("ENTRYPOINT").map(Dockerfile.Instruction::execForm).orElse(List.of());
        String avro = "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=" + ChatRequest.class.getPackageName();
        if (entry.size() < 3 || !entry.get(0).equals("java") || !entry.contains(avro)) {
            problems.add("ENTRYPOINT " + entry + " must run java with " + avro + " (bin/harbor does)");
        }
        int jar = entry.indexOf("-jar");
        Set<String> copied = fin.all("COPY").stream()
                .filter(c -> c.flags().containsKey("from"))
                .map(c -> c.words().get(c.words().size() - 1))
                .collect(Collectors.toSet());
        if (jar < 0 || jar + 1 >= entry.size() || !copied.contains(entry.get(jar + 1))) {
            problems.add("ENTRYPOINT " + entry + " must run -jar on the jar copied from the build stage " + copied);
        }
        List<String> cmd = fin.last("CMD").map(Dockerfile.Instruction::execForm).orElse(List.of());
        Set<String> subcommands = HarborCli.commandLine().getSubcommands().keySet();
        if (cmd.isEmpty() || !subcommands.contains(cmd.get(0))) {
            problems.add("CMD subcommand " + (cmd.isEmpty() ? "(none)" : cmd.get(0)) + " is not one of " + subcommands);
        }
        return problems;
    }

    /** The HEALTHCHECK's command (exec form), or empty. */
    static List<String> healthCheck(Dockerfile.Stage stage) {
        return stage.last("HEALTHCHECK")
                .map(h -> new Dockerfile.Instruction("CMD", Map.of(), h.args().replaceFirst("^CMD\\s+", "")).execForm())
                .orElse(List.of());
    }

    static DockerIgnore dockerIgnore() throws IOException {
        return DockerIgnore.parse(Files.readString(CONTEXT.resolve(".dockerignore")));
    }
}
