package io.harborai.worker.bench;

import io.harborai.worker.HarborWorker;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.config.HarborConfig;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * What every measured phase of a bench run needs, shared by the level runs ({@link LevelBench})
 * and the online-under-batch run ({@link PriorityBench}): starting and stopping a level's workers,
 * one phase of requests produced and collected, the simulator's call count and the heap.
 *
 * <p>Threading: the calling thread runs a phase and collects its results; {@link #phase} starts
 * one generator thread per phase and joins it before returning. The {@code /stats} client is
 * OkHttp's and thread-safe.
 */
final class BenchPhases {
    private final BenchOptions options;
    private final OkHttpClient statsHttp = new OkHttpClient();

    BenchPhases(BenchOptions options) {
        this.options = options;
    }

    /** Produces {@code count} requests to {@code topic} at {@code rate} (0: a backlog) and collects them. */
    ResultCollector.Phase phase(
            KafkaProducer<String, ChatRequest> producer,
            ResultCollector collector,
            String topic,
            double rate,
            BenchRequests requests,
            String salt,
            long firstSeq,
            int count,
            String label,
            LongConsumer onResult)
            throws InterruptedException {
        LoadGenerator gen =
                new LoadGenerator(producer, topic, requests, salt, firstSeq, count, options.distinct(count), rate);
        Thread t = new Thread(gen, "harbor-bench-generator");
        t.setDaemon(true);
        t.start();
        ResultCollector.Phase p = collector.collect(gen, firstSeq, count, label, options.stallTimeout(), onResult);
        t.join();
        if (p.results() < count) {
            System.err.printf(
                    "%s: only %d of %d results within the stall timeout (%s)%n",
                    label, p.results(), count, options.stallTimeout());
        }
        return p;
    }

    /** Starts {@code --instances} workers on {@code cfg} and waits until all are RUNNING. */
    List<HarborWorker> startWorkers(HarborConfig cfg) throws InterruptedException {
        List<HarborWorker> workers = new ArrayList<>();
        try {
            for (int i = 0; i < options.instances(); i++) {
                workers.add(HarborWorker.start(cfg));
            }
            for (HarborWorker w : workers) {
                if (!w.awaitRunning(Duration.ofSeconds(120))) {
                    throw new IllegalStateException("a bench worker did not reach RUNNING: " + w.state());
                }
            }
            return workers;
        } catch (RuntimeException | InterruptedException e) {
            closeAll(workers);
            throw e;
        }
    }

    static void closeAll(List<HarborWorker> workers) {
        workers.forEach(HarborWorker::close);
    }

    /** Chat-completion calls the simulator has received, from its {@code /stats}. */
    long providerCalls(String sim) throws IOException {
        String root = sim.replaceAll("/v1$", "");
        try (Response r = statsHttp
                .newCall(new Request.Builder().url(root + "/stats").build())
                .execute()) {
            return BenchRequests.JSON.readTree(r.body().string()).path("calls").asLong();
        }
    }

    /** Heap used after a full collection, in MB. Everything in this JVM counts (see notes). */
    static double heapAfterGcMb() {
        System.gc();
        System.gc(); // the second pass catches what the first one's finalization released
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024.0 * 1024.0);
    }
}
