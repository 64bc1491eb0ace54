package io.harborai.worker.bench;

import io.harborai.worker.HarborWorker;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.config.HarborConfig;
import io.harborai.worker.config.WorkerSettings;
import io.harborai.worker.metrics.MetricsCatalog;
import io.harborai.worker.schema.SchemaRegistryClient;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * Online before batch, measured: {@code harbor bench --batch-requests N --online-rps R}. On one set
 * of workers (the first in-flight level): warm up both applications, probe online latency with
 * {@code --online-requests} requests at R requests/s (open loop) on an idle worker, then produce N
 * requests at once onto the batch topic, wait until the batch runs at full speed and measure its
 * call rate alone for {@value #BATCH_ALONE_SECONDS} s, and probe online latency again while it
 * drains. The report compares p50 and p99 (during / idle, targets 1.5 and 2), the batch's call rate
 * alone and during the probe, whether the batch was still draining when the probe ended (else the
 * probe did not run "during" it), and the workers' {@value MetricsCatalog#BATCH_YIELD} timer.
 *
 * <p>Batch progress is read from the simulator's call count ({@code /stats}), minus the online
 * probe's own calls (its results that were not cache hits): no second result consumer is needed.
 *
 * <p>Threading: the calling thread runs the phases; generator threads produce (see {@link
 * BenchPhases#phase}).
 */
final class PriorityBench {
    static final int BATCH_ALONE_SECONDS = 3;

    private final BenchOptions options;
    private final PriorityOptions priority;
    private final BenchRunner.ConfigSource configs;
    private final BenchPhases phases;
    private final BenchDescription description;

    PriorityBench(
            BenchOptions options,
            PriorityOptions priority,
            BenchRunner.ConfigSource configs,
            BenchPhases phases,
            BenchDescription description) {
        this.options = options;
        this.priority = priority;
        this.configs = configs;
        this.phases = phases;
        this.description = description;
    }

    PriorityReport run(String run, String sim, WorkerSettings cfg, Map<String, String> env, Map<String, Object> base)
            throws Exception {
        Map<String, Object> common = cfg.kafka();
        String online = cfg.topics().requests();
        String batch = cfg.topics().requestsBatch();
        BenchClients.ensureTopics(
                common, cfg.topics(), List.of(online, batch, cfg.topics().results()));
        SchemaRegistryClient registry = SchemaRegistryClient.create(cfg.schemaRegistryUrl());
        BenchRequests requests = new BenchRequests(run + "-");
        int level = options.levels().get(0);
        Map<String, Object> overrides = new LinkedHashMap<>(base);
        overrides.putAll(BenchRunner.levelOverrides(level));
        HarborConfig workerCfg = configs.load(env, overrides);
        WorkerSettings workerSettings = WorkerSettings.from(workerCfg);
        double rps = priority.onlineRps();
        int n = priority.onlineRequests();
        try (KafkaProducer<String, ChatRequest> producer = BenchClients.requestProducer(common, registry);
                ResultCollector collector = new ResultCollector(
                        BenchClients.resultConsumer(common, registry, run + "-collector"),
                        cfg.topics().results(),
                        requests)) {
            List<HarborWorker> workers = phases.startWorkers(workerCfg);
            try {
                long seq = 0;
                if (options.warmup() > 0) {
                    phases.phase(
                            producer,
                            collector,
                            online,
                            0,
                            requests,
                            "wo",
                            seq,
                            options.warmup(),
                            "[online] warm-up",
                            r -> {});
                    seq += options.warmup();
                    phases.phase(
                            producer,
                            collector,
                            batch,
                            0,
                            requests,
                            "wb",
                            seq,
                            options.warmup(),
                            "[batch] warm-up",
                            r -> {});
                    seq += options.warmup();
                }
                ResultCollector.Phase idle = phases.phase(
                        producer, collector, online, rps, requests, "idle", seq, n, "[online] idle", r -> {});
                seq += n;

                long callsBefore = phases.providerCalls(sim);
                LoadGenerator bulk = new LoadGenerator(
                        producer,
                        batch,
                        requests,
                        "bulk",
                        seq,
                        priority.batchRequests(),
                        options.distinct(priority.batchRequests()),
                        0);
                seq += priority.batchRequests();
                Thread producing = new Thread(bulk, "harbor-bench-batch");
                producing.setDaemon(true);
                producing.start();
                System.err.printf(
                        "[batch] %d requests produced at once; waiting for the batch to run ...%n",
                        priority.batchRequests());
                awaitCalls(sim, callsBefore + Math.max(1, Math.min(priority.batchRequests() / 20, 1_000)));
                long a0 = phases.providerCalls(sim);
                long t0 = System.nanoTime();
                Thread.sleep(TimeUnit.SECONDS.toMillis(BATCH_ALONE_SECONDS));
                double alone = rate(phases.providerCalls(sim) - a0, System.nanoTime() - t0);

                Yields yieldsBefore = yields(workers);
                long c0 = phases.providerCalls(sim);
                long s0 = System.nanoTime();
                ResultCollector.Phase busy = phases.phase(
                        producer,
                        collector,
                        online,
                        rps,
                        requests,
                        "busy",
                        seq,
                        n,
                        "[online] during the batch",
                        r -> {});
                long c1 = phases.providerCalls(sim);
                long s1 = System.nanoTime();
                Yields yielded = yields(workers).minus(yieldsBefore);
                long onlineCalls = busy.results() - busy.cache().hits();
                long batchDuring = Math.max(0, c1 - c0 - onlineCalls);
                long batchCalls = Math.max(0, c1 - callsBefore - onlineCalls);
                producing.join(TimeUnit.SECONDS.toMillis(30));
                return new PriorityReport(
                        context(cfg, workerSettings, level),
                        rps,
                        idle,
                        busy,
                        priority.batchRequests(),
                        alone,
                        rate(batchDuring, s1 - s0),
                        Math.max(0, priority.batchRequests() - batchCalls),
                        yielded.count(),
                        yielded.seconds(),
                        yieldingNow(workers),
                        workerSettings.priority().enabled());
            } finally {
                BenchPhases.closeAll(workers);
            }
        }
    }

    /** Waits until the simulator has counted {@code target} calls, or a stall timeout passed. */
    private void awaitCalls(String sim, long target) throws Exception {
        long deadline = System.nanoTime() + options.stallTimeout().toNanos();
        while (phases.providerCalls(sim) < target) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the batch made no progress within " + options.stallTimeout());
            }
            Thread.sleep(50);
        }
    }

    private static double rate(long count, long nanos) {
        return nanos <= 0 ? 0 : count * 1e9 / nanos;
    }

    /** The workers' {@value MetricsCatalog#BATCH_YIELD} timers, summed. */
    private record Yields(long count, double seconds) {
        Yields minus(Yields before) {
            return new Yields(count - before.count, seconds - before.seconds);
        }
    }

    private static Yields yields(List<HarborWorker> workers) {
        long count = 0;
        double seconds = 0;
        for (HarborWorker w : workers) {
            for (Timer t : w.meters().find(MetricsCatalog.BATCH_YIELD).timers()) {
                count += t.count();
                seconds += t.totalTime(TimeUnit.SECONDS);
            }
        }
        return new Yields(count, seconds);
    }

    private static boolean yieldingNow(List<HarborWorker> workers) {
        return workers.stream()
                .anyMatch(w -> w.meters().find(MetricsCatalog.BATCH_YIELDING).gauges().stream()
                        .anyMatch(g -> g.value() > 0));
    }

    private String context(WorkerSettings cfg, WorkerSettings workerCfg, int level) {
        Duration probe = Duration.ofMillis(Math.round(priority.onlineRequests() * 1000 / priority.onlineRps()));
        return String.format(
                Locale.ROOT,
                "harbor bench, online under batch: %d online requests at %.1f req/s (%ds) idle, then during a %d-request "
                        + "batch; warm-up %d online + %d batch; simulator %s; max-in-flight %d, batch-share %.2f, "
                        + "batch-yield %s (grace %d ms); %d instance(s) x %d stream thread(s), %s, %s",
                priority.onlineRequests(),
                priority.onlineRps(),
                probe.toSeconds(),
                priority.batchRequests(),
                options.warmup(),
                options.warmup(),
                description.simulatorDescription(),
                level,
                workerCfg.batchShare(),
                workerCfg.priority().enabled(),
                workerCfg.priority().graceMs(),
                options.instances(),
                cfg.streams().threads(),
                options.guarantee(),
                description.where(cfg));
    }
}
