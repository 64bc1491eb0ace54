package io.harborai.worker.bench;

import io.harborai.worker.config.WorkerSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Counts what a measured phase costs, outside the workers ({@link LevelCost}): CPU time of the
 * worker processes (or of the whole bench JVM) from the OS, end offsets and committed records of
 * the workers' topics from the broker ({@link TopicCounts}), and Redis's command counts
 * ({@link RedisCommandCount}). {@link #start} marks the phase's beginning, {@link #finish} its end;
 * CPU is read first at the end, before the slower counts.
 *
 * <p>Threading: used by the bench's calling thread only.
 */
final class CostMeter implements AutoCloseable {
    /** Everything read at the start of a phase. */
    record Mark(
            Duration workerCpu,
            Duration workerJitCpu,
            Duration benchCpu,
            TopicCounts.Snapshot topics,
            Map<String, Long> redis) {}

    private final TopicCounts topics;
    private final RedisCommandCount redis;

    /**
     * @param run the run's name (application id, topic prefix)
     * @param benchTopics the topics the bench writes itself (not counted)
     */
    CostMeter(WorkerSettings cfg, String run, Set<String> benchTopics) {
        this.topics = new TopicCounts(cfg.kafka(), run, cfg.topics(), benchTopics);
        this.redis = new RedisCommandCount(cfg.redisUrl().value());
    }

    Mark start(BenchWorkers workers) throws Exception {
        TopicCounts.Snapshot t = topics.snapshot();
        Map<String, Long> r = redis.snapshot();
        // CPU last, right before the phase begins.
        return new Mark(workers.cpu(), workers.jitCpu(), benchCpu(), t, r);
    }

    LevelCost finish(Mark start, BenchWorkers workers, long requests, long results, long providerCalls)
            throws Exception {
        Duration workerCpu = workers.cpu();
        Duration workerJitCpu = workers.jitCpu();
        Duration benchCpu = benchCpu();
        TopicCounts.Snapshot t = topics.snapshot();
        Map<String, Long> r = redis.snapshot();
        List<TopicCounts.Count> counts = topics.between(start.topics(), t);
        return new LevelCost(
                workers.separate() ? WorkerJvm.Mode.SEPARATE.label() : WorkerJvm.Mode.EMBEDDED.label(),
                workers.pids(),
                workerCpu == null ? null : millis(workerCpu.minus(start.workerCpu())),
                workerJitCpu == null || start.workerJitCpu() == null
                        ? null
                        : millis(workerJitCpu.minus(start.workerJitCpu())),
                millis(benchCpu.minus(start.benchCpu())),
                requests,
                results,
                counts,
                RedisCommandCount.between(start.redis(), r),
                providerCalls);
    }

    private static Duration benchCpu() {
        return ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO);
    }

    private static double millis(Duration d) {
        return d.toNanos() / 1e6;
    }

    @Override
    public void close() {
        topics.close();
        redis.close();
    }
}
