package io.harborai.worker.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.harborai.worker.cli.HarborCli;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code docker-compose.yml} and its Prometheus configuration: {@code docker compose up --scale
 * worker=3} works (the worker has no host port and no container name, Prometheus finds every worker
 * by DNS on the port it serves), every image builds from the repository's Dockerfile, and every
 * command is a {@code harbor} subcommand. Docker Compose itself validates the file when its binary
 * is installed ({@code docker-compose config} needs no engine).
 */
class ComposeFileTest {
    private static final Path COMPOSE = Path.of("docker-compose.yml");
    private static final String WORKER = "worker";

    @Test
    void shouldScaleTheWorkerAndBuildEveryImageFromTheDockerfile() throws IOException {
        JsonNode compose = Manifests.YAML.readTree(COMPOSE.toFile());
        assertThat(problems(compose)).isEmpty();
    }

    @Test
    void shouldFlagAFixedHostPortAContainerNameAndAStaticWorkerTarget() throws IOException {
        String text = Files.readString(COMPOSE)
                .replace(
                        "    expose:\n      - \"9464\"\n",
                        "    container_name: w1\n    ports:\n      - \"9464:9464\"\n")
                .replace("command: [\"gateway\"", "command: [\"serve\"");
        assertThat(text).isNotEqualTo(Files.readString(COMPOSE));
        List<String> problems = problems(Manifests.YAML.readTree(text));
        assertThat(String.join("\n", problems))
                .contains("worker: container_name")
                .contains("worker: publishes host ports")
                .contains("gateway: command serve");

        JsonNode staticOnly = Manifests.YAML.readTree(
                "scrape_configs: [{job_name: w, static_configs: [{targets: [\"worker:9464\"]}]}]");
        assertThat(String.join("\n", prometheusProblems(staticOnly, 9464)))
                .contains("no dns_sd_configs job finds every worker");
    }

    @Test
    void shouldBeValidForDockerCompose() throws Exception {
        String binary = onPath("docker-compose");
        assumeTrue(binary != null, "docker-compose is not installed (.ci/run installs it when apt-get can)");
        Process p = new ProcessBuilder(binary, "-f", COMPOSE.toString(), "config", "--quiet")
                .redirectErrorStream(true)
                .start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS))
                .as("docker-compose config finished")
                .isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
    }

    static List<String> problems(JsonNode compose) throws IOException {
        List<String> problems = new ArrayList<>();
        Set<String> subcommands = HarborCli.commandLine().getSubcommands().keySet();
        JsonNode services = compose.path("services");
        services.properties().forEach(e -> {
            String name = e.getKey();
            JsonNode s = e.getValue();
            if (!s.has("build")) {
                return;
            }
            JsonNode build = s.get("build");
            String context =
                    build.isTextual() ? build.asText() : build.path("context").asText();
            String dockerfile = build.path("dockerfile").asText("Dockerfile");
            if (!Path.of(context).resolve(dockerfile).normalize().equals(DockerfileTest.DOCKERFILE)) {
                problems.add(name + ": builds " + context + "/" + dockerfile + ", not the repository's Dockerfile");
            }
            String sub = s.path("command").path(0).asText("run");
            if (!subcommands.contains(sub)) {
                problems.add(name + ": command " + sub + " is not a harbor subcommand " + subcommands);
            } else if (!sub.equals("run") && !s.has("healthcheck")) {
                problems.add(name + ": the image's HEALTHCHECK asks harbor run's /health; " + sub + " needs its own");
            }
        });
        JsonNode worker = services.path(WORKER);
        if (worker.has("container_name")) {
            problems.add("worker: container_name stops --scale worker=N");
        }
        if (worker.has("ports")) {
            problems.add("worker: publishes host ports " + worker.get("ports") + ": a second replica cannot bind them");
        }
        List<String> command = new ArrayList<>();
        worker.path("command").forEach(c -> command.add(c.asText()));
        int flag = command.indexOf("--metrics-port");
        int port = flag < 0 ? -1 : Integer.parseInt(command.get(flag + 1));
        List<String> exposed = new ArrayList<>();
        worker.path("expose").forEach(x -> exposed.add(x.asText()));
        if (port <= 0 || !exposed.contains(String.valueOf(port))) {
            problems.add("worker: --metrics-port " + port + " is not exposed " + exposed);
        }
        String mount = null;
        for (JsonNode volume : services.path("prometheus").path("volumes")) {
            if (volume.asText().contains("prometheus.yml")) {
                mount = volume.asText();
            }
        }
        if (mount == null) {
            problems.add("prometheus: mounts no prometheus.yml");
        } else {
            JsonNode config =
                    Manifests.YAML.readTree(Path.of(mount.split(":")[0]).toFile());
            problems.addAll(prometheusProblems(config, port));
        }
        return problems;
    }

    /** The worker job: DNS service discovery on the worker service's name and metrics port, no static worker target. */
    static List<String> prometheusProblems(JsonNode config, int workerPort) {
        List<String> problems = new ArrayList<>();
        boolean found = false;
        for (JsonNode job : config.path("scrape_configs")) {
            for (JsonNode sd : job.path("dns_sd_configs")) {
                List<String> names = new ArrayList<>();
                sd.path("names").forEach(n -> names.add(n.asText()));
                found |= names.contains(WORKER)
                        && sd.path("type").asText().equals("A")
                        && sd.path("port").asInt() == workerPort;
            }
            for (JsonNode sc : job.path("static_configs")) {
                sc.path("targets").forEach(t -> {
                    if (t.asText().startsWith(WORKER + ":")) {
                        problems.add("prometheus: static target " + t.asText() + " sees one worker only");
                    }
                });
            }
        }
        if (!found) {
            problems.add("prometheus: no dns_sd_configs job finds every worker (names [worker], type A, port "
                    + workerPort + ")");
        }
        return problems;
    }

    /** The executable {@code binary} on PATH, or null. */
    static String onPath(String binary) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, binary);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }
}
