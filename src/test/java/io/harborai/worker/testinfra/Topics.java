package io.harborai.worker.testinfra;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Unique names for topics, consumer groups and application ids, so tests sharing one broker (and
 * reruns against a long-lived cluster from rung 1) never see each other's records.
 */
public final class Topics {

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final String RUN =
            Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));

    private Topics() {}

    /** E.g. {@code unique("requests")} returns {@code requests-3fa1-7}; legal as a Kafka topic name. */
    public static String unique(String prefix) {
        if (!prefix.matches("[a-zA-Z0-9._-]{1,200}")) {
            throw new IllegalArgumentException("prefix must be 1-200 of [a-zA-Z0-9._-], was '" + prefix + "'");
        }
        return prefix + "-" + RUN + "-" + COUNTER.incrementAndGet();
    }
}
