package io.harborai.worker.batch;

/**
 * Opens {@link BatchSubmitter}'s package-private test hooks to integration tests in other
 * packages, without making them part of the public API or the CLI.
 */
public final class BatchSubmitterHooks {
    private BatchSubmitterHooks() {}

    /** See {@link BatchSubmitter#stopAfterLines}: stops like a crash once {@code lines} lines are handled. */
    public static BatchSubmitter stopAfterLines(BatchSubmitter submitter, long lines) {
        return submitter.stopAfterLines(lines);
    }
}
