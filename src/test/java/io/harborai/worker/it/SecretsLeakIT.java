package io.harborai.worker.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.ResultStatus;
import io.harborai.worker.dispatch.EngineFixtures;
import io.harborai.worker.embedded.FreePorts;
import io.harborai.worker.simulator.FaultRates;
import io.harborai.worker.simulator.SimulatorOptions;
import io.harborai.worker.testinfra.HarborIntegrationTest;
import io.harborai.worker.testinfra.HarborProcess;
import io.harborai.worker.testinfra.Infra;
import io.harborai.worker.testinfra.KeyCheckingProvider;
import io.harborai.worker.testinfra.WorkerConfigs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The planted-secret test: a worker with a distinctive provider key, Kafka, Redis and registry
 * passwords and a metrics token, all from files, runs a workload with failures (a poisoned share, 500s that
 * are retried, a provider that echoes the key in a 400 body), DLQ records (bad bytes, repeated
 * ids), metric events and trace lines; then every line the worker's JVM printed (INFO, DEBUG for
 * the worker and Redisson), every record of every topic of this worker (requests, results, DLQ,
 * metrics, batch topics, changelogs and repartition topics, plus {@code __consumer_offsets} and
 * {@code __transaction_state}: keys, values and headers, aborted records included) and a scrape
 * of {@code /metrics} are searched for each secret, as written and in base64 (basic auth). The
 * workload is asserted to have failed, retried and dead-lettered, so the search means something.
 *
 * <p>The worker logs in to a broker of the test's own over SASL (SCRAM-SHA-512), its password
 * also planted, read from a file through Kafka's {@code DirectoryConfigProvider}; the broker's
 * internal topics are searched too.
 */
@HarborIntegrationTest
class SecretsLeakIT {
    private static final int REQUESTS = 200;
    private static final int ECHOING = 10;
    private static final int BAD_RECORDS = 5;
    private static final int REPEATED_IDS = 3;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failure keeps the worker's log
    Path dir;

    @Test
    void shouldNeverWriteAPlantedSecretToALogLineATopicOrTheScrape(Infra infra) throws Exception {
        SimulatorOptions sim = SimulatorOptions.defaults()
                .withFaults(new FaultRates(0, 0, 0.2, 0, 0, FaultRates.DEFAULT_TIMEOUT_HOLD))
                .withPoisonRate(0.05);
        try (SecuredStack stack = SecuredStack.startWithScramKafka(dir, false, sim)) {
            int metricsPort = FreePorts.find();
            Map<String, Object> cfg = stack.config(infra, "secretsleak", metricsPort);
            cfg.put("metrics.mode", "full"); // trace lines for every request step
            cfg.put("metrics.interval-ms", 500);
            cfg.put("dispatch.max-attempts", 3);
            cfg.put("dispatch.backoff-base-ms", 10);
            cfg.put("dispatch.backoff-max-ms", 100);
            Path log = dir.resolve("worker.log");
            Path yaml = WorkerConfigs.writeYaml(dir.resolve("leak.yaml"), cfg);
            List<String> jvm = new ArrayList<>(stack.jvmOptions());
            jvm.add("-Dlogback.configurationFile=" + logbackConfig());
            Process worker = HarborProcess.start(log, jvm, "run", "--config", yaml.toString());
            String scrape;
            Map<String, ChatResult> results;
            try {
                List<ChatRequest> requests = IntStream.range(0, REQUESTS)
                        .mapToObj(i -> EngineFixtures.request(
                                "leak-" + i,
                                "sim-chat",
                                (i < ECHOING ? KeyCheckingProvider.ECHO_MARKER + " " : "") + "leak question " + i))
                        .toList();
                stack.produce(infra, cfg, requests);
                stack.produce(infra, cfg, requests.subList(ECHOING, ECHOING + REPEATED_IDS)); // DUPLICATE_ID
                produceBadBytes(stack.bootstrap(infra), (String) cfg.get("topics.requests"));
                Set<String> ids = requests.stream().map(ChatRequest::getId).collect(Collectors.toSet());
                results = stack.results(infra, cfg, ids, Duration.ofSeconds(60));
                assertThat(results.keySet())
                        .as("every request answered (log: %s)", log)
                        .containsAll(ids);
                assertThat(TopicBytes.count(
                                stack.bootstrap(infra), (String) cfg.get("topics.dlq"), BAD_RECORDS + REPEATED_IDS))
                        .as("dead letters")
                        .isGreaterThanOrEqualTo(BAD_RECORDS + REPEATED_IDS);
                assertThat(TopicBytes.count(stack.bootstrap(infra), (String) cfg.get("topics.metrics"), 1))
                        .as("metric events")
                        .isPositive();
                scrape = SecuredServicesIT.get(
                                "http://127.0.0.1:" + metricsPort + "/metrics", "Bearer " + stack.metricsToken)
                        .body();
            } finally {
                SecuredServicesIT.stopGracefully(worker); // flushes its last lines
            }

            long failed = results.values().stream()
                    .filter(r -> r.getStatus() == ResultStatus.FAILED)
                    .count();
            long retried =
                    results.values().stream().filter(r -> r.getAttempts() > 1).count();
            assertThat(failed).as("failed results").isPositive();
            assertThat(retried).as("retried requests").isPositive();
            assertThat(stack.provider.echoed())
                    .as("400 bodies that echoed the key")
                    .isPositive();
            assertThat(stack.provider.keyed())
                    .as("calls that carried the key from the file")
                    .isPositive();
            assertThat(stack.provider.refused()).as("calls without it").isZero();
            assertThat(scrape).contains("harbor_");

            Map<String, String> forms = planted(stack);
            Map<String, byte[]> places = new LinkedHashMap<>();
            places.put("worker log", Files.readAllBytes(log));
            places.put("/metrics scrape", scrape.getBytes(StandardCharsets.UTF_8));
            TopicBytes.ofWorker(stack.bootstrap(infra), "secretsleak")
                    .forEach((topic, bytes) -> places.put("topic " + topic, bytes));
            assertThat(places.keySet())
                    .as("the worker's changelog and repartition topics are searched")
                    .anySatisfy(p -> assertThat(p).endsWith("-changelog"))
                    .anySatisfy(p -> assertThat(p).endsWith("-repartition"));
            assertThat(places.get("worker log").length).as("log bytes").isGreaterThan(10_000);
            System.out.printf(
                    "secrets leak: searched %d places (%d bytes) for %d forms; %d results, %d failed, %d retried%n",
                    places.size(),
                    places.values().stream().mapToLong(b -> b.length).sum(),
                    forms.size(),
                    results.size(),
                    failed,
                    retried);
            List<String> leaks = new ArrayList<>();
            forms.forEach((name, form) -> places.forEach((place, bytes) -> {
                int n = occurrences(bytes, form);
                if (n > 0) {
                    leaks.add(name + " x" + n + " in " + place);
                }
            }));
            assertThat(leaks).as("planted secrets found").isEmpty();
        }
    }

    @Test
    void shouldFindAPlantedSecretWhereItIs() {
        String secret = SecuredStack.planted("sk");
        byte[] haystack = ("a line\nAuthorization: Bearer " + secret + "\n" + secret).getBytes(StandardCharsets.UTF_8);
        assertThat(occurrences(haystack, secret)).isEqualTo(2);
        assertThat(occurrences(haystack, secret.substring(1) + "x")).isZero();
    }

    /** Every secret as it could appear: as written, and in base64 (alone and as basic-auth user:password). */
    private static Map<String, String> planted(SecuredStack stack) {
        Map<String, String> forms = new LinkedHashMap<>();
        List<String> secrets = stack.secrets();
        for (int i = 0; i < secrets.size(); i++) {
            forms.put("secret " + i, secrets.get(i));
            forms.put("secret " + i + " base64", base64(secrets.get(i)));
        }
        forms.put("registry basic auth", base64(SecuredStack.REGISTRY_USER + ":" + stack.registryPassword));
        forms.put("redis user:password base64", base64(SecuredStack.REDIS_USER + ":" + stack.redisPassword));
        return forms;
    }

    private static String base64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    static int occurrences(byte[] haystack, String needle) {
        byte[] n = needle.getBytes(StandardCharsets.UTF_8);
        int count = 0;
        outer:
        for (int i = 0; i + n.length <= haystack.length; i++) {
            for (int j = 0; j < n.length; j++) {
                if (haystack[i + j] != n[j]) {
                    continue outer;
                }
            }
            count++;
        }
        return count;
    }

    private static void produceBadBytes(String bootstrap, String topic) {
        try (var producer = new KafkaProducer<>(
                Map.<String, Object>of("bootstrap.servers", bootstrap),
                new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < BAD_RECORDS; i++) {
                byte[] value = i % 2 == 0 ? new byte[0] : ("not avro " + i).getBytes(StandardCharsets.UTF_8);
                producer.send(new ProducerRecord<>(topic, ("bad-" + i).getBytes(StandardCharsets.UTF_8), value));
            }
        }
    }

    /** Everything the worker logs, at INFO and DEBUG for its own loggers and Redisson's, on stdout. */
    private Path logbackConfig() throws java.io.IOException {
        return Files.writeString(dir.resolve("logback-leak.xml"), """
                <configuration>
                  <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger - %msg%n</pattern></encoder>
                  </appender>
                  <logger name="io.harborai" level="DEBUG"/>
                  <logger name="harbor.trace" level="INFO"/>
                  <logger name="org.redisson" level="DEBUG"/>
                  <root level="INFO"><appender-ref ref="OUT"/></root>
                </configuration>
                """);
    }
}
