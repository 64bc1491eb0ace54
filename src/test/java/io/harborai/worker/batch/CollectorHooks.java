package io.harborai.worker.batch;

/**
 * Gives integration tests (in another package) the collector's package-private crash hook, so a
 * test can stop a collect at a chosen point the way a kill would and check that a new one resumes.
 */
public final class CollectorHooks {
    private CollectorHooks() {}

    /** After {@code lines} lines written by this run, the collector throws without flushing or committing. */
    public static void crashAfter(BatchCollector collector, long lines) {
        collector.crashAfterLines = lines;
    }

    /** Whether {@code t} is the crash the hook simulated (and not a real failure). */
    public static boolean isSimulatedCrash(Throwable t) {
        return t instanceof BatchCollector.SimulatedCrash;
    }
}
