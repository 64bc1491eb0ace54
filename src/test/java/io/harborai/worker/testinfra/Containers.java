package io.harborai.worker.testinfra;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Rung 2 of the ladder. The only class that touches Testcontainers, so that machines without a
 * Docker engine never load (or time out in) its Docker client.
 */
final class Containers {

    static final String KAFKA_IMAGE = "apache/kafka:4.1.0";
    static final String REDIS_IMAGE = "redis:7-alpine";
    static final String SCHEMA_REGISTRY_IMAGE = "confluentinc/cp-schema-registry:7.9.0";
    /** Network alias of the Kafka container; the registry reaches the broker through it. */
    private static final String KAFKA_ALIAS = "kafka";

    private Containers() {}

    /**
     * Whether a Docker engine answers. Asks Testcontainers only when a socket or {@code DOCKER_HOST}
     * hints at one: its own probe walks several strategies and logs each failure.
     */
    static boolean dockerAvailable() {
        return dockerAvailable(Containers::dockerHinted, Containers::askTestcontainers);
    }

    /** The decision alone: Testcontainers' slow probe runs only when {@code hinted} says so. */
    static boolean dockerAvailable(BooleanSupplier hinted, BooleanSupplier testcontainersProbe) {
        return hinted.getAsBoolean() && testcontainersProbe.getAsBoolean();
    }

    private static boolean askTestcontainers() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    static boolean dockerHinted() {
        if (System.getenv("DOCKER_HOST") != null) {
            return true;
        }
        String home = System.getProperty("user.home", "");
        List<Path> candidates = new ArrayList<>(List.of(
                Path.of("/var/run/docker.sock"),
                Path.of(home, ".testcontainers.properties"),
                Path.of(home, ".docker", "run", "docker.sock"),
                Path.of(home, ".docker", "desktop", "docker.sock"),
                Path.of(home, ".colima", "default", "docker.sock"),
                Path.of(home, ".rd", "docker.sock")));
        String runtimeDir = System.getenv("XDG_RUNTIME_DIR");
        if (runtimeDir != null) {
            candidates.add(Path.of(runtimeDir, "docker.sock"));
            candidates.add(Path.of(runtimeDir, "podman", "podman.sock"));
        }
        return candidates.stream().anyMatch(Files::exists);
    }

    static Resource kafka() {
        KafkaContainer container = new KafkaContainer(DockerImageName.parse(KAFKA_IMAGE))
                .withNetwork(Network.SHARED)
                .withNetworkAliases(KAFKA_ALIAS);
        container.start();
        return new Resource(container.getBootstrapServers(), Rung.TESTCONTAINERS, container::stop);
    }

    static Resource redis() {
        GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(REDIS_IMAGE))
                .withExposedPorts(6379)
                .withCommand("redis-server", "--save", "", "--appendonly", "no");
        container.start();
        String url = "redis://" + container.getHost() + ":" + container.getMappedPort(6379);
        return new Resource(url, Rung.TESTCONTAINERS, container::stop);
    }

    /** A real Confluent registry storing its schemas in the Testcontainers Kafka (same network). */
    static Resource schemaRegistry() {
        GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(SCHEMA_REGISTRY_IMAGE))
                .withNetwork(Network.SHARED)
                .withExposedPorts(8081)
                .withEnv("SCHEMA_REGISTRY_HOST_NAME", "schema-registry")
                .withEnv("SCHEMA_REGISTRY_LISTENERS", "http://0.0.0.0:8081")
                // apache/kafka containers serve other containers on the BROKER listener, port 9093.
                .withEnv("SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS", "PLAINTEXT://" + KAFKA_ALIAS + ":9093")
                .waitingFor(Wait.forHttp("/subjects").forStatusCode(200));
        container.start();
        String url = "http://" + container.getHost() + ":" + container.getMappedPort(8081);
        return new Resource(url, Rung.TESTCONTAINERS, container::stop);
    }
}
