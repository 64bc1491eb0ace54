package io.harborai.worker;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;

/**
 * What one worker owns, in one closeable stack: closed in reverse order of registration, so each
 * resource closes before anything it uses (the metrics endpoint first, the Kafka Streams apps before
 * the reporter that counts their last results, the Redis client last). The same stack serves a
 * start that fails half-way ({@link #closeAfterFailure}) and {@link HarborWorker#close()} ({@link
 * #closeAll}), so cleanup is written once; every close runs even when one before it failed.
 *
 * <p>Hand-written because nothing on the classpath fits: Guava's {@code Closer} is not a dependency
 * here and takes {@code Closeable}s only, Kafka's {@code Utils.closeAll} is internal API and closes
 * in the order given, and try-with-resources cannot hand resources to an object that outlives the
 * method that opened them.
 *
 * <p>Not thread-safe: the assembling thread registers, then one thread closes (a second close finds
 * the stack empty).
 */
final class Resources {
    private final Deque<AutoCloseable> stack = new ArrayDeque<>();

    /** Registers {@code resource} (null is ignored) and returns it. */
    <T extends AutoCloseable> T add(T resource) {
        if (resource != null) {
            stack.push(resource);
        }
        return resource;
    }

    /** Registers {@code resource} with {@code close} as its cleanup, for types that are not AutoCloseable. */
    <T> T add(T resource, Consumer<? super T> close) {
        stack.push(() -> close.accept(resource));
        return resource;
    }

    /** Closes everything registered, the last first; returns what failed. Never throws. */
    List<Exception> closeAll() {
        List<Exception> failures = new ArrayList<>();
        while (!stack.isEmpty()) {
            try {
                stack.pop().close();
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                failures.add(e);
            }
        }
        return failures;
    }

    /** For an assembly that failed with {@code cause}: closes everything, each failure suppressed in it. */
    <E extends Throwable> E closeAfterFailure(E cause) {
        closeAll().forEach(cause::addSuppressed);
        return cause;
    }
}
