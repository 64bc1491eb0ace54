package io.harborai.worker.testinfra;

/** The rungs of the infrastructure ladder (DESIGN.md), tried top to bottom for each resource. */
public enum Rung {
    /** An address from the environment: a real, externally managed cluster. */
    ENVIRONMENT,
    /** A container started through Testcontainers because a Docker engine answered. */
    TESTCONTAINERS,
    /** A server inside this JVM (Kafka) or a child process of it (Redis). */
    IN_PROCESS
}
