package io.harborai.worker.cli;

/**
 * Marks a command that starts or drives the in-process stack as a job on a terminal: unless
 * {@code --verbose}, Kafka's and the worker's logs go to a file named on one stderr line, so the
 * terminal shows the job itself (see {@link HarborCli#main}).
 */
interface LogsToFile {}
