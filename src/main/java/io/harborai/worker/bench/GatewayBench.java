package io.harborai.worker.bench;

import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.config.HarborConfigDef;
import io.harborai.worker.config.WorkerSettings;
import io.harborai.worker.console.LogFile;
import io.harborai.worker.gateway.GatewayServer;
import io.harborai.worker.schema.SchemaRegistryClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * {@code harbor bench --via-gateway}: the pipeline's own figures and the same load through {@code
 * harbor gateway}, in one run on the same workers. First the requests go to Kafka directly (as the
 * default bench sends them), then as HTTP chat completions to a gateway: in the bench's JVM, or in
 * a JVM of its own with {@code --worker-jvm separate} (then its CPU per request is the OS's figure
 * for that process alone). Each half warms up until steady ({@link WarmUp}), then measures {@code
 * --requests}. With {@code --rate} both halves are open loop at that rate; without, the pipeline
 * gets one backlog and the gateway {@value BenchRunner#HELD_PER_SLOT} × C requests outstanding, what
 * the workers hold at level C.
 *
 * <p>Threading: the calling thread runs the phases; see {@link BenchPhases} and {@link GatewayLoad}.
 */
final class GatewayBench {
    private final BenchOptions options;
    private final BenchRunner.ConfigSource configs;
    private final BenchPhases phases;
    private final WorkerJvm jvm;

    GatewayBench(BenchOptions options, BenchRunner.ConfigSource configs, BenchPhases phases, WorkerJvm jvm) {
        this.options = options;
        this.configs = configs;
        this.phases = phases;
        this.jvm = jvm;
    }

    GatewayReport run(String run, String sim, WorkerSettings cfg, Map<String, String> env, Map<String, Object> base)
            throws Exception {
        Map<String, Object> common = cfg.kafka();
        BenchClients.ensureTopics(
                common,
                cfg.topics(),
                List.of(cfg.topics().requests(), cfg.topics().results()));
        SchemaRegistryClient registry = SchemaRegistryClient.create(cfg.schemaRegistryUrl());
        BenchRequests requests = new BenchRequests(run + "-");
        int level = options.levels().get(0);
        int outstanding = BenchRunner.HELD_PER_SLOT * level;
        Map<String, Object> overrides = new LinkedHashMap<>(base);
        overrides.putAll(TopicCounts.NO_PURGE);
        overrides.putAll(BenchRunner.levelOverrides(level));
        overrides.put(HarborConfigDef.GATEWAY_BIND_ADDRESS, "127.0.0.1");
        overrides.put(HarborConfigDef.GATEWAY_PORT, 0);
        overrides.put(HarborConfigDef.GATEWAY_GROUP_ID, run + "-gateway");
        overrides.put(HarborConfigDef.GATEWAY_TIMEOUT_MS, Duration.ofMinutes(5).toMillis());
        Map<String, String> effective = new HashMap<>(System.getenv());
        effective.putAll(env);
        String tag = "[C=" + level + "]";
        long distinct = options.distinct(options.requests());
        try (KafkaProducer<String, ChatRequest> producer = BenchClients.requestProducer(common, registry);
                ResultCollector collector = new ResultCollector(
                        BenchClients.resultConsumer(common, registry, run + "-collector"),
                        cfg.topics().results(),
                        requests);
                BenchWorkers workers = jvm.separate()
                        ? BenchWorkers.separate(jvm, effective, overrides, options.instances())
                        : BenchWorkers.inProcess(phases.startWorkers(configs.load(env, overrides)))) {
            System.err.println(tag + " workers " + (workers.separate() ? "pids " + workers.pids() : "in this JVM"));
            long[] seq = {0};
            int[] window = {0};
            warmUp(tag + " [kafka]", count -> {
                ResultCollector.Phase w = phases.phase(
                        producer,
                        collector,
                        cfg.topics().requests(),
                        options.rate(),
                        requests,
                        "kw" + window[0],
                        seq[0],
                        count,
                        tag + " [kafka] warm-up " + (++window[0]),
                        n -> {});
                seq[0] += count;
                return w.throughput();
            });
            Duration w0 = workers.cpu();
            ResultCollector.Phase direct = phases.phase(
                    producer,
                    collector,
                    cfg.topics().requests(),
                    options.rate(),
                    requests,
                    "km",
                    seq[0],
                    options.requests(),
                    tag + " [kafka] measure",
                    n -> {});
            Duration w1 = workers.cpu();
            try (Gateway gateway = Gateway.start(jvm, configs, env, effective, overrides);
                    GatewayLoad load = new GatewayLoad("http://127.0.0.1:" + gateway.port(), requests)) {
                int[] gw = {0};
                warmUp(tag + " [gateway]", count -> {
                    System.err.printf(Locale.ROOT, "%s [gateway] warm-up %d: %d requests%n", tag, ++gw[0], count);
                    return load.phase("gw" + gw[0], count, options.rate(), outstanding, distinct)
                            .throughput();
                });
                Map<Double, Long> before = load.addedBuckets();
                Duration cpu0 = gateway.cpu();
                Duration w2 = workers.cpu();
                System.err.printf(Locale.ROOT, "%s [gateway] measure: %d requests%n", tag, options.requests());
                GatewayLoad.Phase via = load.phase("gm", options.requests(), options.rate(), outstanding, distinct);
                Duration cpu1 = gateway.cpu();
                Duration w3 = workers.cpu();
                Map<Double, Long> after = load.addedBuckets();
                Double cpuMs = cpu0 == null ? null : cpu1.minus(cpu0).toNanos() / 1e6 / Math.max(1, via.answered());
                return new GatewayReport(
                        level,
                        options.rate(),
                        outstanding,
                        jvm.mode().label(),
                        options.providerLatencyMs(),
                        options.requests(),
                        direct.results(),
                        direct.throughput(),
                        micros(direct.e2e()),
                        via.answered(),
                        via.failed(),
                        via.throughput(),
                        micros(via.e2e()),
                        GatewayLoad.quantileMs(before, after, 0.50),
                        GatewayLoad.quantileMs(before, after, 0.99),
                        cpuMs,
                        perRequestMs(w0, w1, direct.results()),
                        perRequestMs(w2, w3, via.answered()));
            }
        }
    }

    private void warmUp(String tag, WarmUp.Window window) throws Exception {
        if (options.warmup() <= 0) {
            return;
        }
        WarmUp.Result warm = WarmUp.run(window, options.warmupWindow(), options.warmup(), options.warmupMax());
        System.err.printf(
                Locale.ROOT,
                "%s warm-up: %d requests in %.1f s, %s%n",
                tag,
                warm.requests(),
                warm.seconds(),
                warm.steady() ? "steady" : "NOT steady (time cap)");
    }

    /** CPU between two readings per request, in ms; null when the workers share the bench's JVM. */
    private static Double perRequestMs(Duration from, Duration to, long requests) {
        return from == null || to == null ? null : to.minus(from).toNanos() / 1e6 / Math.max(1, requests);
    }

    private static List<Double> micros(org.HdrHistogram.Histogram h) {
        List<Double> p = new ArrayList<>();
        for (double q : new double[] {50, 95, 99}) {
            p.add(h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(q) / 1000.0);
        }
        return p;
    }

    /** The gateway under test: in the bench's JVM, or in one of its own. */
    private record Gateway(GatewayServer inProcess, WorkerProcess process) implements AutoCloseable {
        static Gateway start(
                WorkerJvm jvm,
                BenchRunner.ConfigSource configs,
                Map<String, String> env,
                Map<String, String> effective,
                Map<String, Object> overrides)
                throws Exception {
            if (!jvm.separate()) {
                return new Gateway(GatewayServer.start(configs.load(env, overrides)), null);
            }
            List<String> main = new ArrayList<>(jvm.mainArgs());
            main.set(main.indexOf("run"), "gateway");
            WorkerJvm own = new WorkerJvm(WorkerJvm.Mode.SEPARATE, jvm.maxHeap(), jvm.userConfig(), main);
            return new Gateway(
                    null,
                    WorkerProcess.start(
                            own,
                            effective,
                            overrides,
                            LogFile.current(),
                            "gateway",
                            HarborConfigDef.GATEWAY_PORT,
                            "/health"));
        }

        int port() {
            return inProcess != null ? inProcess.port() : process.port();
        }

        /** The gateway JVM's CPU time, or null in the bench's JVM. */
        Duration cpu() {
            return process == null ? null : process.cpu();
        }

        @Override
        public void close() {
            if (inProcess != null) {
                inProcess.close();
            }
            if (process != null) {
                process.close();
            }
        }
    }
}
