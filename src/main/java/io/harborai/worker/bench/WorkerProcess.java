package io.harborai.worker.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.harborai.worker.config.HarborConfig;
import io.harborai.worker.config.HarborConfigDef;
import io.harborai.worker.embedded.FreePorts;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One worker in a JVM of its own ({@code harbor bench --worker-jvm separate}): the same {@code java}
 * binary and class path as the bench, {@code -Xmx} from {@link WorkerJvm#maxHeap()}, and a
 * generated configuration file that says what an in-process bench worker would be told (the
 * bench's file, the {@code HARBOR_*} addresses of the stack, the run's topics, application id,
 * guarantee and in-flight level) plus a free {@code metrics.port}, whose {@code /ready} tells when
 * the worker is RUNNING. Its stdout and stderr go to the bench's log file when there is one (else
 * to the bench's own console, like the in-process workers' logs).
 *
 * <p>Never left behind: {@link #close()} sends SIGTERM (the worker's shutdown hook closes it
 * cleanly), waits, then kills; a JVM shutdown hook does the same when the bench exits on an error
 * or Ctrl-C. Only a SIGKILL of the bench can orphan the process.
 *
 * <p>Threading: started, read and closed by the bench's calling thread; the shutdown hook only
 * touches the {@link Process}, which is thread-safe.
 */
final class WorkerProcess implements AutoCloseable {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
    private static final long STOP_GRACE_S = 30;
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final Process process;
    private final Thread hook;
    private final Path config;
    private final int port;
    private boolean closed;

    private WorkerProcess(Process process, Thread hook, Path config, int port) {
        this.process = process;
        this.hook = hook;
        this.config = config;
        this.port = port;
    }

    /** The port it serves HTTP on: metrics for a worker, the API for a gateway. */
    int port() {
        return port;
    }

    /**
     * Starts a worker JVM and returns once its {@code /ready} answers 200.
     *
     * @param env the {@code HARBOR_*} variables the bench's own configuration was loaded with
     *     (the process's and the stack's); they go into the file, as the child's own are dropped
     * @param overrides the keys the bench gives its workers (topics, application id, ...)
     * @param log where stdout and stderr go (appended), or null for the bench's console
     * @throws IllegalStateException when the worker exits or is not ready in time (it is stopped)
     */
    static WorkerProcess start(
            WorkerJvm jvm, Map<String, String> env, Map<String, Object> overrides, Path log, String name)
            throws IOException, InterruptedException {
        return start(jvm, env, overrides, log, name, HarborConfigDef.METRICS_PORT, "/ready");
    }

    /**
     * As {@link #start(WorkerJvm, Map, Map, Path, String)}, for any {@code harbor} command that
     * serves HTTP: {@code portKey} gets a free port, and the JVM is ready when {@code readyPath}
     * on it answers 200 (e.g. {@code gateway.port} and {@code /health} for {@code harbor gateway}).
     */
    static WorkerProcess start(
            WorkerJvm jvm,
            Map<String, String> env,
            Map<String, Object> overrides,
            Path log,
            String name,
            String portKey,
            String readyPath)
            throws IOException, InterruptedException {
        int port = FreePorts.find();
        Path config = Files.createTempFile("harbor-bench-" + name + "-", ".yaml");
        Map<String, Object> content = configFor(jvm.userConfig(), env, overrides, port);
        content.put(portKey, port);
        Files.writeString(config, YAML.writeValueAsString(content));
        ProcessBuilder pb = new ProcessBuilder(command(jvm, config));
        // The file holds the effective values; variables of the child's own would override it.
        HarborConfig.ENV_OVERRIDES.keySet().forEach(pb.environment()::remove);
        pb.environment().remove("HARBOR_CONFIG");
        pb.redirectErrorStream(true);
        pb.redirectOutput(log == null ? Redirect.INHERIT : Redirect.appendTo(log.toFile()));
        Process process = pb.start();
        Thread hook = new Thread(() -> stop(process), "harbor-bench-stop-" + name);
        Runtime.getRuntime().addShutdownHook(hook);
        WorkerProcess worker = new WorkerProcess(process, hook, config, port);
        try {
            long t0 = System.nanoTime();
            worker.awaitReady(port, readyPath, name, log);
            System.err.printf(
                    Locale.ROOT,
                    "bench worker %s: pid %d, ready in %.1f s%n",
                    name,
                    process.pid(),
                    (System.nanoTime() - t0) / 1e9);
            return worker;
        } catch (IOException | InterruptedException | RuntimeException e) {
            worker.close();
            throw e;
        }
    }

    /** The generated file's content: flat keys over the bench's file, as the bench's own load does. */
    static Map<String, Object> configFor(
            Path userConfig, Map<String, String> env, Map<String, Object> overrides, int metricsPort)
            throws IOException {
        Map<String, Object> yaml = new LinkedHashMap<>();
        if (userConfig != null) {
            Object tree = YAML.readValue(Files.readAllBytes(userConfig), Object.class);
            if (tree instanceof Map<?, ?> map) {
                map.forEach((k, v) -> yaml.put(String.valueOf(k), v));
            }
        }
        // Flat dotted keys come after the file's nested ones, so they win when both name a key.
        HarborConfig.ENV_OVERRIDES.forEach((var, key) -> {
            String v = env.get(var);
            if (v != null && !v.isBlank()) {
                yaml.put(key, v.trim());
            }
        });
        yaml.putAll(overrides);
        yaml.put(HarborConfigDef.METRICS_PORT, metricsPort);
        return yaml;
    }

    private static List<String> command(WorkerJvm jvm, Path config) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("-Xmx" + jvm.maxHeap());
        cmd.add("-XX:-UseDynamicNumberOfCompilerThreads"); // ThreadCpu reads compiler threads; none may exit
        String avro = System.getProperty("org.apache.avro.SERIALIZABLE_PACKAGES");
        if (avro != null) {
            cmd.add("-Dorg.apache.avro.SERIALIZABLE_PACKAGES=" + avro);
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.addAll(jvm.mainArgs());
        cmd.add(config.toString());
        return cmd;
    }

    private void awaitReady(int port, String readyPath, String name, Path log)
            throws IOException, InterruptedException {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + readyPath))
                .timeout(Duration.ofSeconds(2))
                .build();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("bench worker " + name + " (pid " + pid() + ") exited with "
                        + process.exitValue() + " before it was ready; see " + (log == null ? "the console" : log));
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet: the JVM is still starting
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(
                "bench worker " + name + " (pid " + pid() + ") was not ready within " + READY_TIMEOUT);
    }

    long pid() {
        return process.pid();
    }

    /** CPU time (user + system) of the worker process and of any children it has, as the OS counts it. */
    Duration cpu() {
        ProcessHandle h = process.toHandle();
        Duration total = h.info().totalCpuDuration().orElse(Duration.ZERO);
        for (ProcessHandle child : h.descendants().toList()) {
            total = total.plus(child.info().totalCpuDuration().orElse(Duration.ZERO));
        }
        return total;
    }

    /** CPU time of the worker's JIT compiler threads, or null where the OS does not tell ({@link ThreadCpu}). */
    Duration jitCpu() {
        return ThreadCpu.compiler(process.pid());
    }

    /** SIGTERM, up to {@value #STOP_GRACE_S} s for a clean close, then SIGKILL. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        stop(process);
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook runs anyway and finds the process gone
        }
        try {
            Files.deleteIfExists(config);
        } catch (IOException e) {
            // a temp file left behind is harmless
        }
    }

    private static void stop(Process process) {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(STOP_GRACE_S, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        children.forEach(ProcessHandle::destroyForcibly);
    }
}
