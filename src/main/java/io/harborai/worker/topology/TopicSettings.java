package io.harborai.worker.topology;

/**
 * The worker's topics ({@code topics.*}): their names, and whether and how missing ones are created
 * ({@link TopicBootstrap}). Immutable.
 *
 * @param alerts the topic of Alert events, or null when they go to {@code metrics} (see {@link #alertsOrMetrics()})
 * @param batches compacted: one BatchStatus per batch id
 * @param batchProgress compacted: per-task result counts of batch lines
 * @param replies results for request-reply clients, one partition per client instance
 * @param batchControl compacted: one BatchControl per batch id (cancel, expiry), read by the worker as a global table
 * @param files the chunks of files uploaded to the gateway
 * @param filesRetentionMs retention of {@code files} when created here
 * @param create whether missing topics are created at start-up
 * @param partitions partitions of the topics created here
 * @param replication replication factor of the topics created here (and of Kafka Streams' internal ones)
 */
public record TopicSettings(
        String requests,
        String requestsBatch,
        String results,
        String dlq,
        String metrics,
        String alerts,
        String batches,
        String batchProgress,
        String replies,
        String batchControl,
        String files,
        long filesRetentionMs,
        boolean create,
        int partitions,
        short replication) {

    /** Where Alert events go: {@link #alerts()} when set, else the metrics topic. */
    public String alertsOrMetrics() {
        return alerts != null ? alerts : metrics;
    }
}
