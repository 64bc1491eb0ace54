package io.harborai.worker.bench;

/**
 * What the online-under-batch run of {@code harbor bench} does ({@link PriorityBench}).
 *
 * @param batchRequests requests produced at once onto the batch topic; 0 turns the run off
 * @param onlineRps open-loop rate of the online probe, in requests/s
 * @param onlineRequests online requests per probe (idle, then during the batch)
 */
public record PriorityOptions(int batchRequests, double onlineRps, int onlineRequests) {
    /** Fewer samples make p99 one or two requests' luck. */
    public static final int MIN_ONLINE_REQUESTS = 100;

    public PriorityOptions {
        if (batchRequests < 0) {
            throw new IllegalArgumentException("--batch-requests must be >= 0");
        }
        if (!(onlineRps > 0)) {
            throw new IllegalArgumentException("--online-rps must be > 0");
        }
        if (onlineRequests < MIN_ONLINE_REQUESTS) {
            throw new IllegalArgumentException("--online-requests must be >= " + MIN_ONLINE_REQUESTS);
        }
    }

    /** Whether the run measures online latency under a batch instead of the throughput levels. */
    public boolean enabled() {
        return batchRequests > 0;
    }
}
