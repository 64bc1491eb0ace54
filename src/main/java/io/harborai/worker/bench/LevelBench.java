package io.harborai.worker.bench;

import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.config.WorkerSettings;
import io.harborai.worker.schema.SchemaRegistryClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * The default {@code harbor bench} run, once the stack is up ({@link BenchStack}): per in-flight
 * level, start the workers with that {@code dispatch.max-in-flight} (in this JVM or each in its own,
 * {@link WorkerJvm}), send and collect the warm-up requests, send and collect the measured ones (the
 * simulator's {@code /stats} call count, CPU times, the workers' topics and Redis's command counts
 * are read before and after, {@link CostMeter}), stop the workers, probe the simulator's limit at the same concurrency
 * ({@link LimitProbe}). Heap is measured after the last level, workers still running. Then the
 * naive baseline ({@link NaiveBaseline}) on topics of its own. The workers' committed offsets carry
 * over from one level to the next.
 *
 * <p>Threading: the calling thread runs the phases and collects results; one generator thread per
 * phase produces requests (see {@link BenchPhases#phase}).
 */
final class LevelBench {
    private final BenchOptions options;
    private final BenchRunner.ConfigSource configs;
    private final BenchPhases phases;
    private final BenchDescription description;
    private final WorkerJvm jvm;

    LevelBench(
            BenchOptions options,
            BenchRunner.ConfigSource configs,
            BenchPhases phases,
            BenchDescription description,
            WorkerJvm jvm) {
        this.options = options;
        this.jvm = jvm;
        this.configs = configs;
        this.phases = phases;
        this.description = description;
    }

    /** The level's workers, RUNNING: in this JVM, or each in its own ({@link WorkerJvm}). */
    private BenchWorkers startWorkers(Map<String, String> env, Map<String, Object> overrides) throws Exception {
        if (!jvm.separate()) {
            return BenchWorkers.inProcess(phases.startWorkers(configs.load(env, overrides)));
        }
        // What the bench's own load sees: the process's variables, then the stack's.
        Map<String, String> effective = new HashMap<>(System.getenv());
        effective.putAll(env);
        return BenchWorkers.separate(jvm, effective, overrides, options.instances());
    }

    BenchReport run(String run, String sim, WorkerSettings cfg, Map<String, String> env, Map<String, Object> base)
            throws Exception {
        Map<String, Object> common = cfg.kafka();
        String naiveRequests = run + ".naive.requests";
        String naiveResults = run + ".naive.results";
        BenchClients.ensureTopics(
                common,
                cfg.topics(),
                List.of(cfg.topics().requests(), cfg.topics().results(), naiveRequests, naiveResults));
        SchemaRegistryClient registry = SchemaRegistryClient.create(cfg.schemaRegistryUrl());
        BenchRequests requests = new BenchRequests(run + "-");
        List<BenchReport.Level> levels = new ArrayList<>();
        Double[] heapAt100k = {null};
        double heapEnd = 0;
        long seq = 0;
        try (KafkaProducer<String, ChatRequest> producer = BenchClients.requestProducer(common, registry);
                ResultCollector collector = new ResultCollector(
                        BenchClients.resultConsumer(common, registry, run + "-collector"),
                        cfg.topics().results(),
                        requests);
                CostMeter cost = new CostMeter(
                        cfg,
                        run,
                        Set.of(cfg.topics().requests(), cfg.topics().requestsBatch(), naiveRequests, naiveResults))) {
            for (int li = 0; li < options.levels().size(); li++) {
                int level = options.levels().get(li);
                boolean lastLevel = li == options.levels().size() - 1;
                Map<String, Object> overrides = new LinkedHashMap<>(base);
                overrides.putAll(TopicCounts.NO_PURGE);
                overrides.putAll(BenchRunner.levelOverrides(level));
                BenchReport.Level result;
                try (BenchWorkers workers = startWorkers(env, overrides)) {
                    String tag = "[C=" + level + "]";
                    int levelIndex = li;
                    WarmUp.Result warm = WarmUp.Result.NONE;
                    if (options.warmup() > 0) {
                        long[] next = {seq};
                        int[] window = {0};
                        warm = WarmUp.run(
                                count -> {
                                    ResultCollector.Phase w = phases.phase(
                                            producer,
                                            collector,
                                            cfg.topics().requests(),
                                            options.rate(),
                                            requests,
                                            "w" + levelIndex + "-" + window[0],
                                            next[0],
                                            count,
                                            tag + " warm-up " + (window[0]++ + 1),
                                            n -> {});
                                    next[0] += count;
                                    return w.throughput();
                                },
                                options.warmupWindow(),
                                options.warmup(),
                                options.warmupMax());
                        seq = next[0];
                        System.err.printf(
                                Locale.ROOT,
                                "%s warm-up: %d requests in %.1f s, %s%n",
                                tag,
                                warm.requests(),
                                warm.seconds(),
                                warm.steady() ? "steady" : "NOT steady (time cap)");
                    }
                    CostMeter.Mark mark = cost.start(workers);
                    long callsBefore = phases.providerCalls(sim);
                    ResultCollector.Phase p = phases.phase(
                            producer,
                            collector,
                            cfg.topics().requests(),
                            options.rate(),
                            requests,
                            "m" + li,
                            seq,
                            options.requests(),
                            tag + " measure",
                            n -> {
                                if (n == 100_000 && heapAt100k[0] == null) {
                                    heapAt100k[0] = BenchPhases.heapAfterGcMb();
                                }
                            });
                    seq += options.requests();
                    long calls = phases.providerCalls(sim) - callsBefore;
                    // Before the heap figure's System.gc(), which would count as the bench's CPU.
                    LevelCost spent = cost.finish(mark, workers, options.requests(), p.results(), calls);
                    if (lastLevel) {
                        heapEnd = BenchPhases.heapAfterGcMb();
                    }
                    double ideal = options.providerLatencyMs() > 0 ? level * 1000.0 / options.providerLatencyMs() : 0;
                    result = new BenchReport.Level(
                            level,
                            options.requests(),
                            p.results(),
                            p.failed(),
                            p.duplicates(),
                            calls,
                            p.throughput(),
                            p.e2e(),
                            p.overhead(),
                            p.split(),
                            p.cache(),
                            null,
                            ideal,
                            warm,
                            spent);
                }
                System.err.println(
                        "[C=" + level + "] limit probe: simulator alone, OkHttp async, " + level + " in flight ...");
                // At least 50 calls per slot, so a small run still gives the probe time to reach steady state.
                RoundStats limit = LimitProbe.run(
                        sim,
                        level,
                        Math.max(options.requests(), 50L * level),
                        options.distinct(options.requests()),
                        "p" + li);
                levels.add(new BenchReport.Level(
                        result.maxInFlight(),
                        result.requests(),
                        result.results(),
                        result.failed(),
                        result.duplicates(),
                        result.providerCalls(),
                        result.throughputRps(),
                        result.e2eMicros(),
                        result.overheadMicros(),
                        result.split(),
                        result.cache(),
                        limit,
                        result.idealRps(),
                        result.warmup(),
                        result.cost()));
            }
            System.err.println("naive baseline: a KafkaConsumer loop calling the simulator one request at a time ...");
            RoundStats naive = NaiveBaseline.measure(
                    options, common, registry, sim, requests, seq, naiveRequests, naiveResults, run);
            return new BenchReport(
                    description.context(cfg),
                    description.config(cfg),
                    levels,
                    naive,
                    heapEnd,
                    heapAt100k[0],
                    description.notes());
        }
    }
}
