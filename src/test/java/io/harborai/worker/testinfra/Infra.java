package io.harborai.worker.testinfra;

import io.harborai.worker.embedded.EmbeddedKafka;
import io.harborai.worker.embedded.EmbeddedRedis;
import io.harborai.worker.embedded.InProcessSchemaRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka, Redis and schema registry that integration tests talk to, each resolved
 * through the infrastructure ladder of DESIGN.md on first use:
 *
 * <ol>
 *   <li>an address from the environment: {@value #KAFKA_ENV}, {@value #REDIS_ENV},
 *       {@value #SCHEMA_REGISTRY_ENV};
 *   <li>Testcontainers ({@value Containers#KAFKA_IMAGE}, {@value Containers#REDIS_IMAGE},
 *       {@value Containers#SCHEMA_REGISTRY_IMAGE}) when a Docker engine answers;
 *   <li>in-process: {@link EmbeddedKafka}, {@link EmbeddedRedis}, {@link InProcessSchemaRegistry}.
 * </ol>
 *
 * <p>Contract: one instance serves the whole test run (see {@link HarborInfraExtension}), so tests
 * must isolate themselves by name (see {@link Topics#unique}) rather than expect an empty broker
 * or an empty Redis. Resources start lazily: a Redis-only run never starts Kafka. The rung used is
 * logged once per resource.
 *
 * <p>Threading: every method is {@code synchronized}; JUnit may resolve it from parallel tests.
 * The first caller of a resource pays its start-up time (about 3 s for in-process Kafka).
 */
public final class Infra implements AutoCloseable {

    /** Bootstrap servers of an existing Kafka cluster; skips the other rungs for Kafka. */
    public static final String KAFKA_ENV = "HARBOR_TEST_KAFKA_BOOTSTRAP";
    /** {@code redis://host:port} of an existing Redis; skips the other rungs for Redis. */
    public static final String REDIS_ENV = "HARBOR_TEST_REDIS_URL";
    /** Base URL of an existing Confluent-compatible Schema Registry; skips the other rungs for it. */
    public static final String SCHEMA_REGISTRY_ENV = "HARBOR_TEST_SCHEMA_REGISTRY_URL";

    private static final Logger log = LoggerFactory.getLogger(Infra.class);

    private final Function<String, String> env;
    private final Supplier<Boolean> dockerProbe;
    private Boolean dockerAvailable;
    private Resource kafka;
    private Resource redis;
    private Resource schemaRegistry;
    private boolean closed;

    /** Reads the real environment and probes for Docker. */
    public Infra() {
        this(System::getenv, Containers::dockerAvailable);
    }

    /** For tests of the ladder itself: a fake environment and Docker probe. */
    Infra(Function<String, String> env, Supplier<Boolean> dockerProbe) {
        this.env = env;
        this.dockerProbe = dockerProbe;
    }

    /** The {@code bootstrap.servers} of the shared Kafka, starting it if needed. */
    public synchronized String kafkaBootstrap() {
        return kafka().address();
    }

    /** The rung that provides Kafka, starting it if needed. */
    public synchronized Rung kafkaRung() {
        return kafka().rung();
    }

    /** The {@code redis://host:port} of the shared Redis, starting it if needed. */
    public synchronized String redisUrl() {
        return redis().address();
    }

    /** The rung that provides Redis, starting it if needed. */
    public synchronized Rung redisRung() {
        return redis().rung();
    }

    /**
     * The base URL of the shared schema registry, starting it if needed. The container rung needs
     * the Kafka container (it stores schemas there), so it is used only when Kafka came from it.
     */
    public synchronized String schemaRegistryUrl() {
        if (schemaRegistry == null) {
            schemaRegistry = resolve(
                    "schema registry",
                    SCHEMA_REGISTRY_ENV,
                    () -> kafka().rung() == Rung.TESTCONTAINERS ? Containers.schemaRegistry() : inProcessRegistry(),
                    Infra::inProcessRegistry);
        }
        return schemaRegistry.address();
    }

    private static Resource inProcessRegistry() {
        InProcessSchemaRegistry r = InProcessSchemaRegistry.start(0);
        return new Resource(r.url(), Rung.IN_PROCESS, r);
    }

    /** Which rung served each resource resolved so far, e.g. {@code kafka=IN_PROCESS redis=IN_PROCESS}. */
    public synchronized String source() {
        List<String> parts = new ArrayList<>();
        if (kafka != null) {
            parts.add("kafka=" + kafka.rung());
        }
        if (redis != null) {
            parts.add("redis=" + redis.rung());
        }
        if (schemaRegistry != null) {
            parts.add("schema-registry=" + schemaRegistry.rung());
        }
        return parts.isEmpty() ? "nothing resolved yet" : String.join(" ", parts);
    }

    /** Whether {@link #stopRedis()}/{@link #startRedis()} work: only for the in-process rung. */
    public synchronized boolean canRestartRedis() {
        return redis().owner() instanceof EmbeddedRedis;
    }

    /**
     * Kills the shared Redis, for outage tests. Every later test sees the outage until {@link
     * #startRedis()}, so call that in a {@code finally} block.
     *
     * @throws UnsupportedOperationException unless {@link #canRestartRedis()}
     */
    public synchronized void stopRedis() {
        embeddedRedis().stop();
    }

    /**
     * Brings the shared Redis back on the same address, empty.
     *
     * @throws UnsupportedOperationException unless {@link #canRestartRedis()}
     */
    public synchronized void startRedis() {
        embeddedRedis().restart();
    }

    /** Stops whatever this instance started; environment-provided resources are left alone. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (schemaRegistry != null) {
            schemaRegistry.release();
        }
        if (redis != null) {
            redis.release();
        }
        if (kafka != null) {
            kafka.release();
        }
    }

    private Resource kafka() {
        if (kafka == null) {
            kafka = resolve("Kafka", KAFKA_ENV, Containers::kafka, () -> {
                EmbeddedKafka k = EmbeddedKafka.start();
                return new Resource(k.bootstrapServers(), Rung.IN_PROCESS, k);
            });
        }
        return kafka;
    }

    private Resource redis() {
        if (redis == null) {
            redis = resolve("Redis", REDIS_ENV, Containers::redis, () -> {
                EmbeddedRedis r = EmbeddedRedis.start();
                return new Resource(r.url(), Rung.IN_PROCESS, r);
            });
        }
        return redis;
    }

    private EmbeddedRedis embeddedRedis() {
        if (redis().owner() instanceof EmbeddedRedis r) {
            return r;
        }
        throw new UnsupportedOperationException(
                "Redis from rung " + redis.rung() + " cannot be stopped by tests; check canRestartRedis() first");
    }

    private Resource resolve(String what, String envVar, Supplier<Resource> container, Supplier<Resource> inProcess) {
        if (closed) {
            throw new IllegalStateException("test infrastructure already closed");
        }
        String address = env.apply(envVar);
        Resource resource;
        if (address != null && !address.isBlank()) {
            resource = new Resource(address.trim(), Rung.ENVIRONMENT, null);
        } else if (dockerAvailable()) {
            resource = container.get();
        } else {
            resource = inProcess.get();
        }
        log.info("Test {} from rung {}: {}", what, resource.rung(), resource.address());
        return resource;
    }

    private boolean dockerAvailable() {
        if (dockerAvailable == null) {
            dockerAvailable = Boolean.TRUE.equals(dockerProbe.get());
        }
        return dockerAvailable;
    }
}
