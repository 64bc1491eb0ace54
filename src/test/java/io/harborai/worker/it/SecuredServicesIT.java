package io.harborai.worker.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.ResultStatus;
import io.harborai.worker.dispatch.EngineFixtures;
import io.harborai.worker.embedded.FreePorts;
import io.harborai.worker.simulator.SimulatorOptions;
import io.harborai.worker.testinfra.HarborIntegrationTest;
import io.harborai.worker.testinfra.HarborProcess;
import io.harborai.worker.testinfra.Infra;
import io.harborai.worker.testinfra.WorkerConfigs;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.redisson.api.RedissonClient;
import org.redisson.api.options.KeysScanOptions;

/**
 * The worker against services that ask for credentials, every secret from a file: Redis with an
 * ACL user over TLS (the bundled redis-server 6.2 links OpenSSL 3 and serves {@code --tls-port}),
 * the registry with basic auth, a provider that checks its key, and {@code /metrics} with a bearer
 * token on loopback. A wrong Redis or registry password stops the worker at start-up with one
 * message naming the service. Each worker is a JVM of its own ({@link HarborProcess}), so the
 * truststore of the TLS Redis is the JVM's, as in production.
 */
@HarborIntegrationTest
class SecuredServicesIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path dir;

    private static SecuredStack stack;

    @BeforeAll
    static void start() throws IOException {
        stack = SecuredStack.start(dir, true, SimulatorOptions.defaults());
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void shouldServeRealResultsWithRedisAclOverTlsRegistryBasicAuthAndKeysFromFiles(Infra infra) throws Exception {
        int metricsPort = FreePorts.find();
        Map<String, Object> cfg = stack.config(infra, "secured", metricsPort);
        Path log = dir.resolve("secured.log");
        long refusedBefore = stack.registry.refused(); // the wrong-password test may have run first
        Process worker = HarborProcess.start(log, stack.jvmOptions(), "run", "--config", yaml(cfg, "secured.yaml"));
        try {
            int n = 40; // 20 questions, each asked twice: the second answer can come from the cache
            List<ChatRequest> requests = IntStream.range(0, n)
                    .mapToObj(i -> EngineFixtures.request("sec-" + i, "sim-chat", "secured question " + (i % 20)))
                    .toList();
            stack.produce(infra, cfg, requests);
            Set<String> ids = requests.stream().map(ChatRequest::getId).collect(Collectors.toSet());
            Map<String, ChatResult> results = stack.results(infra, cfg, ids, Duration.ofSeconds(60));
            assertThat(results.keySet())
                    .as("every request answered (log: %s)", log)
                    .containsAll(ids);
            assertThat(results.values())
                    .allSatisfy(r -> assertThat(r.getStatus()).isEqualTo(ResultStatus.SUCCEEDED));
            assertThat(stack.provider.keyed())
                    .as("the key from the file reached the provider")
                    .isPositive();
            assertThat(stack.provider.refused()).as("no call without the key").isZero();
            assertThat(stack.registry.refused())
                    .as("no registry call without credentials")
                    .isEqualTo(refusedBefore);
            try (var check = new RedisCheck(stack.redisClient())) {
                assertThat(cachedKeys(check.client, cfg.get("cache.l2.key-prefix") + "*"))
                        .as("answers cached in Redis through the ACL user over TLS")
                        .isPositive();
            }

            String metrics = "http://127.0.0.1:" + metricsPort;
            assertThat(get(metrics + "/metrics", null).statusCode()).isEqualTo(401);
            assertThat(get(metrics + "/metrics", "Bearer wrong").statusCode()).isEqualTo(401);
            HttpResponse<String> scrape = get(metrics + "/metrics", "Bearer " + stack.metricsToken);
            assertThat(scrape.statusCode()).isEqualTo(200);
            assertThat(scrape.body()).contains("harbor_");
            assertThat(get(metrics + "/health", null).statusCode())
                    .as("probes need no token")
                    .isEqualTo(200);
            assertThat(Files.readString(log))
                    .as("bound to metrics.bind-address")
                    .contains("metrics=http://127.0.0.1:" + metricsPort + "/metrics");
            Optional<InetAddress> outside = nonLoopbackAddress();
            if (outside.isPresent()) {
                assertThat(refused(new InetSocketAddress(outside.get(), metricsPort)))
                        .as("not served on %s", outside.get())
                        .isTrue();
            }
        } finally {
            stopGracefully(worker);
        }
    }

    @Test
    void shouldStopAtStartUpWithOneMessageWhenRedisRefusesThePassword(Infra infra) throws Exception {
        Map<String, Object> cfg = stack.config(infra, "wrong-redis", 0);
        String wrong = SecuredStack.planted("wrong");
        cfg.put("redis.password-file", stack.write("redis.wrong", wrong).toString());
        String out = failedStart(cfg, "wrong-redis", "run");
        assertThat(out)
                .contains(
                        "harbor: Redis: authentication failed for user harbor at " + stack.redis.url() + " (WRONGPASS;")
                .doesNotContain(wrong)
                .doesNotContain(stack.redisPassword);
    }

    @Test
    void shouldStopAtStartUpWithOneMessageWhenTheRegistryRefusesThePassword(Infra infra) throws Exception {
        Map<String, Object> cfg = stack.config(infra, "wrong-registry", 0);
        String wrong = SecuredStack.planted("wrong");
        cfg.put(
                "schema-registry.password-file",
                stack.write("registry.wrong", wrong).toString());
        assertRegistryRefusal(cfg, wrong, "wrong-registry", "run");
    }

    @Test
    void shouldStopTheGatewayAndTheClusterCommandsAtStartUpWhenTheRegistryRefusesThePassword(Infra infra)
            throws Exception {
        Map<String, Object> cfg = stack.config(infra, "wrong-registry-cli", 0);
        String wrong = SecuredStack.planted("wrong");
        cfg.put(
                "schema-registry.password-file",
                stack.write("registry.wrong-cli", wrong).toString());
        assertRegistryRefusal(cfg, wrong, "wrong-registry-gateway", "gateway", "--port", "0");
        assertRegistryRefusal(cfg, wrong, "wrong-registry-batches", "batches");
    }

    /** Runs {@code command} with {@code cfg} and checks that it stops on the registry's 401, naming no password. */
    private void assertRegistryRefusal(Map<String, Object> cfg, String wrong, String name, String... command)
            throws Exception {
        long refusedBefore = stack.registry.refused();
        String out = failedStart(cfg, name, command);
        assertThat(out)
                .contains("harbor: Schema registry: authentication failed at " + stack.registry.url() + "/ (HTTP 401;")
                .doesNotContain(wrong)
                .doesNotContain(stack.registryPassword);
        assertThat(stack.registry.refused())
                .as("the registry saw the wrong password")
                .isGreaterThan(refusedBefore);
    }

    /** Runs {@code harbor <command> --config ...}, which must exit on its own with status 1; returns its output. */
    private String failedStart(Map<String, Object> cfg, String name, String... command) throws Exception {
        Path log = dir.resolve(name + ".log");
        List<String> args = new ArrayList<>(List.of(command));
        args.addAll(List.of("--config", yaml(cfg, name + ".yaml")));
        Process worker = HarborProcess.start(log, stack.jvmOptions(), args.toArray(String[]::new));
        try {
            // Generous for a loaded machine: the checks themselves give up after 5 s each.
            assertThat(worker.waitFor(60, TimeUnit.SECONDS))
                    .as("harbor %s exits by itself (log: %s)", command[0], log)
                    .isTrue();
            assertThat(worker.exitValue()).isEqualTo(1);
            String out = Files.readString(log);
            assertThat(out.lines().filter(l -> l.contains("authentication failed")))
                    .as("one message")
                    .hasSize(1);
            return out;
        } finally {
            worker.destroyForcibly().waitFor();
        }
    }

    private static String yaml(Map<String, Object> cfg, String name) throws IOException {
        return WorkerConfigs.writeYaml(dir.resolve(name), cfg).toString();
    }

    static HttpResponse<String> get(String url, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static void stopGracefully(Process worker) throws InterruptedException {
        worker.destroy();
        if (!worker.waitFor(30, TimeUnit.SECONDS)) {
            worker.destroyForcibly().waitFor();
        }
    }

    private static Optional<InetAddress> nonLoopbackAddress() throws IOException {
        return Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                .flatMap(i -> Collections.list(i.getInetAddresses()).stream())
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress())
                .findFirst();
    }

    private static boolean refused(InetSocketAddress address) {
        try (Socket s = new Socket()) {
            s.connect(address, 2_000);
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return true; // unroutable or filtered: not served there either
        }
    }

    /** Keys matching {@code pattern}; retried for a while, as a cold JVM's first TLS handshake can time out. */
    private static long cachedKeys(RedissonClient client, String pattern) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                long n = 0;
                for (String ignored :
                        client.getKeys().getKeys(KeysScanOptions.defaults().pattern(pattern))) {
                    n++;
                }
                return n;
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    /** Closes a test's Redis client. */
    private record RedisCheck(RedissonClient client) implements AutoCloseable {
        @Override
        public void close() {
            client.shutdown();
        }
    }
}
