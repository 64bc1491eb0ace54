package io.harborai.worker.testinfra;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Rung 2 of the ladder. The only class that touches Testcontainers, so that machines without a
 * Docker engine never load (or time out in) its Docker client.
 */
final class Containers {

    static final String KAFKA_IMAGE = "apache/kafka:4.1.0";
    static final String REDIS_IMAGE = "redis:7-alpine";
    // TODO(schema-registry): SCHEMA_REGISTRY_IMAGE = "confluentinc/cp-schema-registry:<tag>", started
    //  on a shared Network with the Kafka container (SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS
    //  must use the Kafka container's network alias, not the host-mapped port).

    private Containers() {}

    /**
     * Whether a Docker engine answers. Asks Testcontainers only when a socket or {@code DOCKER_HOST}
     * hints at one: its own probe walks several strategies and logs each failure.
     */
    static boolean dockerAvailable() {
        if (!dockerHinted()) {
            return false;
        }
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    private static boolean dockerHinted() {
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
        KafkaContainer container = new KafkaContainer(DockerImageName.parse(KAFKA_IMAGE));
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
}
