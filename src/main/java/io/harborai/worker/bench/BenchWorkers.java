package io.harborai.worker.bench;

import io.harborai.worker.HarborWorker;
import io.harborai.worker.console.LogFile;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code --instances} workers of one bench level, RUNNING, in the bench's JVM or each in its
 * own ({@link WorkerJvm}); closing them stops them all. In a JVM of their own their CPU time is
 * the OS's figure for those processes alone.
 *
 * <p>Threading: started, read and closed by the bench's calling thread.
 */
final class BenchWorkers implements AutoCloseable {
    private final List<HarborWorker> inProcess;
    private final List<WorkerProcess> processes;

    private BenchWorkers(List<HarborWorker> inProcess, List<WorkerProcess> processes) {
        this.inProcess = inProcess;
        this.processes = processes;
    }

    /** Workers already RUNNING in this JVM ({@link BenchPhases#startWorkers}). */
    static BenchWorkers inProcess(List<HarborWorker> workers) {
        return new BenchWorkers(List.copyOf(workers), List.of());
    }

    /**
     * Starts {@code instances} worker JVMs told what {@code env} and {@code overrides} tell an
     * in-process worker, one after another, each waited for until ready.
     */
    static BenchWorkers separate(WorkerJvm jvm, Map<String, String> env, Map<String, Object> overrides, int instances)
            throws IOException, InterruptedException {
        BenchWorkers started = new BenchWorkers(List.of(), new ArrayList<>());
        try {
            for (int i = 0; i < instances; i++) {
                started.processes.add(WorkerProcess.start(jvm, env, overrides, LogFile.current(), "worker-" + i));
            }
            return started;
        } catch (IOException | InterruptedException | RuntimeException e) {
            started.close();
            throw e;
        }
    }

    /** True when the workers run in JVMs of their own. */
    boolean separate() {
        return !processes.isEmpty();
    }

    /** The worker processes' ids (empty in this JVM). */
    List<Long> pids() {
        return processes.stream().map(WorkerProcess::pid).toList();
    }

    /** CPU time of every worker process together, or null when they share this JVM. */
    Duration cpu() {
        return separate() ? processes.stream().map(WorkerProcess::cpu).reduce(Duration.ZERO, Duration::plus) : null;
    }

    /** CPU time of every worker process's JIT compiler threads, or null (in this JVM, or no /proc). */
    Duration jitCpu() {
        if (!separate()) {
            return null;
        }
        Duration sum = Duration.ZERO;
        for (WorkerProcess p : processes) {
            Duration d = p.jitCpu();
            if (d == null) {
                return null;
            }
            sum = sum.plus(d);
        }
        return sum;
    }

    @Override
    public void close() {
        inProcess.forEach(HarborWorker::close);
        processes.forEach(WorkerProcess::close);
    }
}
