package io.harborai.worker.cli;

import java.util.concurrent.CountDownLatch;

/**
 * The long-running commands' lifecycle: a JVM shutdown hook (Ctrl-C, SIGTERM) closes the
 * resource, and the command's thread waits until that has happened, so the process exits only
 * after a clean close.
 */
final class UntilStopped {
    private UntilStopped() {}

    /** Blocks until the JVM shuts down, after {@code resource} has been closed by the hook. */
    static void await(String name, AutoCloseable resource) throws InterruptedException {
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            try {
                                resource.close();
                            } catch (Exception e) {
                                System.err.println("harbor " + name + ": error while stopping: " + e);
                            } finally {
                                closed.countDown();
                            }
                        },
                        "harbor-" + name + "-shutdown"));
        closed.await();
    }
}
