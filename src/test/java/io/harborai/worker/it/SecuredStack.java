package io.harborai.worker.it;

import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.embedded.EmbeddedKafka;
import io.harborai.worker.embedded.EmbeddedRedis;
import io.harborai.worker.embedded.InProcessSchemaRegistry;
import io.harborai.worker.embedded.SecuredListeners;
import io.harborai.worker.embedded.SelfSignedTls;
import io.harborai.worker.redis.RedisClients;
import io.harborai.worker.schema.AvroSerde;
import io.harborai.worker.schema.SchemaRegistryClient;
import io.harborai.worker.simulator.SimulatorOptions;
import io.harborai.worker.simulator.SimulatorServer;
import io.harborai.worker.testinfra.Infra;
import io.harborai.worker.testinfra.KeyCheckingProvider;
import io.harborai.worker.testinfra.WorkerConfigs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;

/**
 * Services that ask for credentials, and the secrets for them in files, as a worker in
 * production meets them: Redis with an ACL user (and TLS when asked), the registry with basic
 * auth, a provider that checks its key ({@link KeyCheckingProvider} in front of the simulator),
 * a {@code /metrics} token, and on request a broker of its own whose SASL listener takes a SCRAM
 * user (the password read through Kafka's {@code DirectoryConfigProvider}). Every secret is distinctive ({@code *-PLANTED-<random>}), so a
 * test can search for it anywhere.
 */
final class SecuredStack implements AutoCloseable {
    static final String REDIS_USER = "harbor";
    static final String REGISTRY_USER = "svc";
    static final String KAFKA_USER = "harbor";

    final String providerKey = planted("sk");
    final String redisPassword = planted("rp");
    final String registryPassword = planted("sr");
    final String metricsToken = planted("mt");
    final String kafkaPassword = planted("kp");
    final Path dir;
    final EmbeddedRedis redis;
    final InProcessSchemaRegistry registry;
    final SimulatorServer simulator;
    final KeyCheckingProvider provider;
    /** The stack's own broker with a SCRAM listener, or null (the suite's broker, no login). */
    final EmbeddedKafka kafka;

    private SecuredStack(Path dir, boolean tls, SimulatorOptions sim, boolean scramKafka) throws IOException {
        this.dir = dir;
        this.kafka =
                scramKafka ? EmbeddedKafka.start(new SecuredListeners.Options(KAFKA_USER, kafkaPassword, false)) : null;
        this.redis = EmbeddedRedis.start(new EmbeddedRedis.Options(REDIS_USER, redisPassword, tls));
        this.registry = InProcessSchemaRegistry.start(0, REGISTRY_USER, registryPassword);
        this.simulator = SimulatorServer.start(sim);
        this.provider = KeyCheckingProvider.start(providerKey, simulator.baseUrl());
        write("provider.key", providerKey);
        write("redis.password", redisPassword);
        write("registry.password", registryPassword);
        write("metrics.token", metricsToken);
        // Kafka's DirectoryConfigProvider takes a file's bytes as they are: no newline.
        Files.createDirectories(dir.resolve("kafka"));
        Files.writeString(dir.resolve("kafka").resolve("password"), kafkaPassword);
    }

    /** Redis, registry and provider with credentials; the worker logs in to the suite's broker without any. */
    static SecuredStack start(Path dir, boolean tls, SimulatorOptions sim) throws IOException {
        return new SecuredStack(dir, tls, sim, false);
    }

    /** As {@link #start(Path, boolean, SimulatorOptions)}, and the worker logs in to a broker of the stack's own with SCRAM. */
    static SecuredStack startWithScramKafka(Path dir, boolean tls, SimulatorOptions sim) throws IOException {
        return new SecuredStack(dir, tls, sim, true);
    }

    /** Where the test's own clients reach the worker's broker (PLAINTEXT, no login). */
    String bootstrap(Infra infra) {
        return kafka == null ? infra.kafkaBootstrap() : kafka.bootstrapServers();
    }

    /** A distinctive secret: {@code <kind>-PLANTED-<32 hex digits>}. */
    static String planted(String kind) {
        return kind + "-PLANTED-" + UUID.randomUUID().toString().replace("-", "");
    }

    /** Writes {@code secret} and a newline (as {@code echo > file} does) to {@code name} in the directory. */
    Path write(String name, String secret) throws IOException {
        return Files.writeString(dir.resolve(name), secret + "\n");
    }

    /** The worker configuration: the shared Kafka, these services, every secret from its file. */
    Map<String, Object> config(Infra infra, String name, int metricsPort) {
        Map<String, Object> cfg = WorkerConfigs.base(
                infra,
                name,
                kafka == null ? infra.kafkaBootstrap() : kafka.secured().saslBootstrap());
        if (kafka != null) {
            cfg.put("kafka.security.protocol", "SASL_PLAINTEXT");
            cfg.put("kafka.sasl.mechanism", "SCRAM-SHA-512");
            cfg.put("kafka.config.providers", "dir");
            cfg.put(
                    "kafka.config.providers.dir.class",
                    "org.apache.kafka.common.config.provider.DirectoryConfigProvider");
            cfg.put(
                    "kafka.sasl.jaas.config",
                    SecuredListeners.jaasConfig(KAFKA_USER, "${dir:" + dir.resolve("kafka") + ":password}"));
        }
        cfg.put("redis.url", redis.url());
        cfg.put("redis.username", REDIS_USER);
        cfg.put("redis.password-file", dir.resolve("redis.password").toString());
        cfg.put("schema-registry.url", registry.url());
        cfg.put("schema-registry.username", REGISTRY_USER);
        cfg.put(
                "schema-registry.password-file",
                dir.resolve("registry.password").toString());
        cfg.put("providers.sim.base-url", provider.baseUrl());
        cfg.put("providers.sim.models", List.of("*"));
        cfg.put("providers.sim.api-key-file", dir.resolve("provider.key").toString());
        cfg.put("metrics.port", metricsPort);
        cfg.put("metrics.bind-address", "127.0.0.1");
        cfg.put("metrics.bearer-token-file", dir.resolve("metrics.token").toString());
        cfg.remove("simulator.enabled");
        return cfg;
    }

    /** JVM options of a worker: trust the self-signed certificate of a TLS Redis. */
    List<String> jvmOptions() {
        SelfSignedTls tls = redis.tls();
        return tls == null
                ? List.of()
                : List.of(
                        "-Djavax.net.ssl.trustStore=" + tls.truststore(),
                        "-Djavax.net.ssl.trustStorePassword=" + SelfSignedTls.TRUSTSTORE_PASSWORD,
                        "-Djavax.net.ssl.trustStoreType=PKCS12");
    }

    /** A registry client with the right credentials, for the test's own producers and readers. */
    SchemaRegistryClient registryClient() {
        return SchemaRegistryClient.create(
                registry.url().replace("http://", "http://" + REGISTRY_USER + ":" + registryPassword + "@"));
    }

    /** A Redis client of the test's own, as the worker's user (over TLS when the server speaks it). */
    RedissonClient redisClient() throws IOException {
        var url =
                RedisClients.RedisUrl.parse(redis.url().replace("://", "://" + REDIS_USER + ":" + redisPassword + "@"));
        var config = io.harborai.worker.redis.RedisClients.redissonConfig(url);
        if (redis.tls() != null) {
            config.setSslTruststore(redis.tls().truststore().toUri().toURL());
            config.setSslTruststorePassword(SelfSignedTls.TRUSTSTORE_PASSWORD);
        }
        return Redisson.create(config);
    }

    void produce(Infra infra, Map<String, Object> cfg, List<ChatRequest> requests) {
        try (var producer = new KafkaProducer<>(
                Map.<String, Object>of("bootstrap.servers", bootstrap(infra)),
                new StringSerializer(),
                new AvroSerde<>(registryClient(), ChatRequest.class, true).serializer())) {
            requests.forEach(
                    r -> producer.send(new ProducerRecord<>((String) cfg.get("topics.requests"), r.getId(), r)));
        }
    }

    /** One result per id in {@code ids} (the latest seen per id), waiting up to {@code timeout}. */
    Map<String, ChatResult> results(Infra infra, Map<String, Object> cfg, Set<String> ids, Duration timeout) {
        List<ConsumerRecord<String, ChatResult>> got = ResultsReader.results(
                bootstrap(infra),
                registryClient(),
                (String) cfg.get("topics.results"),
                timeout,
                recs -> recs.stream()
                        .map(ConsumerRecord::key)
                        .collect(Collectors.toSet())
                        .containsAll(ids));
        Map<String, ChatResult> byId = new HashMap<>();
        got.forEach(r -> byId.put(r.key(), r.value()));
        return byId;
    }

    /** Every secret of this stack, for a leak search. */
    List<String> secrets() {
        List<String> all = new ArrayList<>(List.of(providerKey, redisPassword, registryPassword, metricsToken));
        if (kafka != null) {
            all.add(kafkaPassword);
        }
        return all;
    }

    @Override
    public void close() {
        provider.close();
        simulator.close();
        registry.close();
        redis.close();
        if (kafka != null) {
            kafka.close();
        }
    }
}
