package io.harborai.worker.bench;

import static io.harborai.worker.config.HarborConfigDef.*;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harborai.worker.HarborWorker;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.batch.ClientDefaults;
import io.harborai.worker.config.HarborConfig;
import io.harborai.worker.config.HarborConfigDef;
import io.harborai.worker.config.WorkerSettings;
import io.harborai.worker.embedded.EmbeddedStack;
import io.harborai.worker.provider.OpenAiCompatibleClient;
import io.harborai.worker.provider.ProviderSpec;
import io.harborai.worker.schema.AvroSerde;
import io.harborai.worker.schema.SchemaRegistryClient;
import io.harborai.worker.simulator.SimulatorOptions;
import io.harborai.worker.simulator.SimulatorServer;
import io.harborai.worker.topology.TopicBootstrap;
import io.harborai.worker.topology.TopicSettings;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Runs {@code harbor bench}: the real pipeline (K in-process {@link HarborWorker}s sharing one
 * application id, on the embedded stack or a configured cluster) against the simulator, then the
 * limit probe and the naive baseline in the same run, and returns a {@link BenchReport}.
 *
 * <p>Per in-flight level: start the workers with that {@code dispatch.max-in-flight}, send and
 * collect the warm-up requests, send and collect the measured ones (the simulator's {@code /stats}
 * call count is read before and after), stop the workers, probe the simulator's limit at the same
 * concurrency. Heap is measured after the last level, workers still running. Every run uses
 * topics and an application id of its own, so it never reads or disturbs other traffic; the
 * workers' committed offsets carry over from one level to the next.
 *
 * <p>Threading: the calling thread runs the phases and collects results; one generator thread per
 * phase produces requests; the workers run their own Kafka Streams and OkHttp threads.
 */
public final class BenchRunner {
    /** The worker's concurrency key; another change adds it, so it is checked before use. */
    public static final String MAX_IN_FLIGHT_KEY = "dispatch.max-in-flight";

    /** Loads the worker configuration with extra environment variables and overrides. */
    @FunctionalInterface
    public interface ConfigSource {
        HarborConfig load(Map<String, String> env, Map<String, Object> overrides);
    }

    private final BenchOptions options;
    private final SimulatorOptions simulatorOptions;
    private final ConfigSource configs;
    private final boolean embedded;
    private final String externalSimulatorUrl;
    private final OkHttpClient statsHttp = new OkHttpClient();

    /**
     * @param embedded start the embedded stack; otherwise {@code configs} must name a cluster
     */
    public BenchRunner(
            BenchOptions options, SimulatorOptions simulatorOptions, ConfigSource configs, boolean embedded) {
        this(options, simulatorOptions, configs, embedded, null);
    }

    /**
     * @param externalSimulatorUrl base URL of a simulator running in another process (for example
     *     {@code harbor simulator}), or null to start one in this JVM with {@code simulatorOptions};
     *     an external one keeps its own latency and faults
     */
    public BenchRunner(
            BenchOptions options,
            SimulatorOptions simulatorOptions,
            ConfigSource configs,
            boolean embedded,
            String externalSimulatorUrl) {
        this.options = options;
        this.simulatorOptions = simulatorOptions;
        this.configs = configs;
        this.embedded = embedded;
        this.externalSimulatorUrl = externalSimulatorUrl == null ? null : externalSimulatorUrl.replaceAll("/+$", "");
    }

    /** The configuration of one run's workers: the run's settings plus {@code overrides}. */
    HarborConfig load(Map<String, String> env, Map<String, Object> overrides) {
        return configs.load(env, overrides);
    }

    /** True when this build's worker understands {@value #MAX_IN_FLIGHT_KEY}. */
    public static boolean maxInFlightSupported() {
        return HarborConfigDef.DEF.configKeys().containsKey(MAX_IN_FLIGHT_KEY);
    }

    /** Runs every level, the limit probes and the naive baseline. */
    public BenchReport run() throws Exception {
        return onStack(this::runLevels);
    }

    /**
     * Runs the online-under-batch measurement instead ({@link PriorityBench}): online latency idle,
     * then during a saturating batch, at the first in-flight level.
     */
    public PriorityReport runPriority(PriorityOptions priority) throws Exception {
        return onStack(
                (run, sim, cfg, env, base) -> new PriorityBench(this, options, priority).run(run, sim, cfg, env, base));
    }

    /**
     * What runs once the simulator, the stack and the run's configuration are up; {@code run} holds
     * the settings every level shares (topics, cluster, stream threads).
     */
    @FunctionalInterface
    interface Body<T> {
        T run(String run, String sim, WorkerSettings settings, Map<String, String> env, Map<String, Object> base)
                throws Exception;
    }

    private <T> T onStack(Body<T> body) throws Exception {
        String run = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        try (SimulatorServer local = externalSimulatorUrl == null ? SimulatorServer.start(simulatorOptions) : null;
                EmbeddedStack stack = embedded ? EmbeddedStack.start(true, null) : null) {
            String sim = local != null ? local.baseUrl() : externalSimulatorUrl;
            Map<String, String> env = stack == null ? Map.of() : stack.env();
            Map<String, Object> base = new LinkedHashMap<>();
            base.put(TOPIC_REQUESTS, run + ".requests");
            base.put(TOPIC_REQUESTS_BATCH, run + ".requests.batch");
            base.put(TOPIC_RESULTS, run + ".results");
            base.put(TOPIC_DLQ, run + ".dlq");
            base.put(TOPIC_METRICS, run + ".metrics");
            base.put(APPLICATION_ID, run);
            base.put(PROCESSING_GUARANTEE, options.guarantee());
            base.put(SIMULATOR_URL, sim);
            WorkerSettings settings = WorkerSettings.from(configs.load(env, base));
            if (!settings.providers().configured().isEmpty()) {
                throw new IllegalArgumentException("the configuration names providers; harbor bench measures "
                        + "against the simulator: use a configuration without providers");
            }
            return body.run(run, sim, settings, env, base);
        }
    }

    private BenchReport runLevels(
            String run, String sim, WorkerSettings cfg, Map<String, String> env, Map<String, Object> base)
            throws Exception {
        Map<String, Object> common = cfg.kafka();
        String naiveRequests = run + ".naive.requests";
        String naiveResults = run + ".naive.results";
        ensureTopics(
                common,
                cfg.topics(),
                List.of(cfg.topics().requests(), cfg.topics().results(), naiveRequests, naiveResults));
        SchemaRegistryClient registry = SchemaRegistryClient.create(cfg.schemaRegistryUrl());
        BenchRequests requests = new BenchRequests(run + "-");
        List<BenchReport.Level> levels = new ArrayList<>();
        Double[] heapAt100k = {null};
        double heapEnd = 0;
        long seq = 0;
        try (KafkaProducer<String, ChatRequest> producer = requestProducer(common, registry);
                ResultCollector collector = new ResultCollector(
                        resultConsumer(common, registry, run + "-collector"),
                        cfg.topics().results(),
                        requests)) {
            for (int li = 0; li < options.levels().size(); li++) {
                int level = options.levels().get(li);
                boolean lastLevel = li == options.levels().size() - 1;
                Map<String, Object> overrides = new LinkedHashMap<>(base);
                if (maxInFlightSupported()) {
                    overrides.put(MAX_IN_FLIGHT_KEY, level);
                }
                HarborConfig levelCfg = configs.load(env, overrides);
                List<HarborWorker> workers = startWorkers(levelCfg);
                BenchReport.Level result;
                try {
                    String tag = "[C=" + level + "]";
                    if (options.warmup() > 0) {
                        phase(
                                producer,
                                collector,
                                cfg,
                                requests,
                                "w" + li,
                                seq,
                                options.warmup(),
                                tag + " warm-up",
                                n -> {});
                        seq += options.warmup();
                    }
                    long callsBefore = providerCalls(sim);
                    ResultCollector.Phase p = phase(
                            producer,
                            collector,
                            cfg,
                            requests,
                            "m" + li,
                            seq,
                            options.requests(),
                            tag + " measure",
                            n -> {
                                if (n == 100_000 && heapAt100k[0] == null) {
                                    heapAt100k[0] = heapAfterGcMb();
                                }
                            });
                    seq += options.requests();
                    long calls = providerCalls(sim) - callsBefore;
                    if (lastLevel) {
                        heapEnd = heapAfterGcMb();
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
                            p.cache(),
                            0,
                            ideal);
                } finally {
                    closeAll(workers);
                }
                System.err.println(
                        "[C=" + level + "] limit probe: simulator alone, OkHttp async, " + level + " in flight ...");
                // At least 50 calls per slot, so a small run still gives the probe time to reach steady state.
                double limit = LimitProbe.run(
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
                        result.cache(),
                        limit,
                        result.idealRps()));
            }
            System.err.println("naive baseline: a KafkaConsumer loop calling the simulator one request at a time ...");
            double naive = naive(common, registry, sim, requests, seq, naiveRequests, naiveResults, run);
            return new BenchReport(context(cfg), config(cfg), levels, naive, heapEnd, heapAt100k[0], notes());
        }
    }

    private ResultCollector.Phase phase(
            KafkaProducer<String, ChatRequest> producer,
            ResultCollector collector,
            WorkerSettings cfg,
            BenchRequests requests,
            String salt,
            long firstSeq,
            int count,
            String label,
            java.util.function.LongConsumer onResult)
            throws InterruptedException {
        return phase(
                producer,
                collector,
                cfg.topics().requests(),
                options.rate(),
                requests,
                salt,
                firstSeq,
                count,
                label,
                onResult);
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
            java.util.function.LongConsumer onResult)
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

    private double naive(
            Map<String, Object> common,
            SchemaRegistryClient registry,
            String sim,
            BenchRequests requests,
            long firstSeq,
            String requestTopic,
            String resultTopic,
            String run) {
        int sample = Math.min(options.naiveSample(), options.requests());
        Map<String, Object> consumerProps = new HashMap<>(common);
        consumerProps.putAll(ClientDefaults.consumer());
        consumerProps.put("group.id", run + "-naive");
        consumerProps.put("max.poll.records", 500);
        OkHttpClient http = new OkHttpClient.Builder().build();
        try (KafkaProducer<String, ChatRequest> producer = requestProducer(common, registry);
                KafkaConsumer<String, ChatRequest> consumer = new KafkaConsumer<>(
                        consumerProps,
                        new StringDeserializer(),
                        new AvroSerde<>(registry, ChatRequest.class, false).deserializer());
                KafkaProducer<String, ChatResult> results = new KafkaProducer<>(
                        producerProps(common),
                        new StringSerializer(),
                        new AvroSerde<>(registry, ChatResult.class, true).serializer())) {
            OpenAiCompatibleClient client =
                    new OpenAiCompatibleClient(http, ProviderSpec.of("simulator", sim, null, List.of("*")), null);
            return NaiveBaseline.run(
                    producer,
                    consumer,
                    results,
                    requestTopic,
                    resultTopic,
                    client,
                    requests,
                    firstSeq,
                    sample,
                    options.distinct(sample));
        } finally {
            http.dispatcher().executorService().shutdown();
            http.connectionPool().evictAll();
        }
    }

    /** Creates the topics the bench reads or writes before any worker starts. */
    static void ensureTopics(Map<String, Object> common, TopicSettings settings, List<String> topics) {
        try (Admin admin = Admin.create(common)) {
            TopicBootstrap.ensure(admin, topics, settings.partitions(), settings.replication());
        }
    }

    private static Map<String, Object> producerProps(Map<String, Object> common) {
        Map<String, Object> p = new HashMap<>(common);
        p.putAll(ClientDefaults.producer());
        return p;
    }

    static KafkaProducer<String, ChatRequest> requestProducer(
            Map<String, Object> common, SchemaRegistryClient registry) {
        return new KafkaProducer<>(
                producerProps(common),
                new StringSerializer(),
                new AvroSerde<>(registry, ChatRequest.class, true).serializer());
    }

    static KafkaConsumer<String, ChatResult> resultConsumer(
            Map<String, Object> common, SchemaRegistryClient registry, String clientId) {
        Map<String, Object> c = new HashMap<>(common);
        c.putAll(ClientDefaults.consumer());
        c.put("client.id", clientId);
        return new KafkaConsumer<>(
                c, new StringDeserializer(), new AvroSerde<>(registry, ChatResult.class, false).deserializer());
    }

    /** Chat-completion calls the simulator has received, from its {@code /stats}. */
    long providerCalls(String sim) throws java.io.IOException {
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

    String simulatorDescription() {
        return externalSimulatorUrl != null
                ? "in another process at " + externalSimulatorUrl
                : simulatorOptions.latencyModel().describe() + ", " + simulatorOptions.faults()
                        + simulatorOptions.describePoisonAndOutage();
    }

    /** "embedded (one JVM)" or the cluster's bootstrap servers. */
    String where(WorkerSettings cfg) {
        return embedded ? "embedded (one JVM)" : "cluster " + cfg.kafkaBootstrap();
    }

    private String context(WorkerSettings cfg) {
        return String.format(
                java.util.Locale.ROOT,
                "harbor bench: %d requests (+%d warm-up) per level, %s, distinct %.2f, simulator %s, "
                        + "%d instance(s) x %d stream thread(s), %s, %s",
                options.requests(),
                options.warmup(),
                options.rate() > 0 ? "open loop at " + options.rate() + " req/s" : "one backlog",
                options.distinctRatio(),
                simulatorDescription(),
                options.instances(),
                cfg.streams().threads(),
                options.guarantee(),
                where(cfg));
    }

    private ObjectNode config(WorkerSettings cfg) {
        ObjectNode c = JsonNodeFactory.instance.objectNode();
        c.put("mode", embedded ? "embedded" : "cluster");
        c.put("instances", options.instances());
        c.put("stream_threads", cfg.streams().threads());
        c.put("partitions", cfg.topics().partitions());
        c.put("guarantee", options.guarantee());
        c.put("commit_interval_ms", cfg.streams().commitIntervalMs());
        c.put("warmup", options.warmup());
        c.put("rate", options.rate());
        c.put("distinct_ratio", options.distinctRatio());
        c.put("provider_latency_ms", options.providerLatencyMs());
        c.put("simulator", simulatorDescription());
        c.put("max_in_flight_applied", maxInFlightSupported());
        c.put("cores", Runtime.getRuntime().availableProcessors());
        c.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        c.put("max_heap_mb", Runtime.getRuntime().maxMemory() / (1024 * 1024));
        return c;
    }

    private List<String> notes() {
        List<String> notes = new ArrayList<>();
        notes.add("figures exclude " + options.warmup() + " warm-up requests per level");
        if (embedded) {
            notes.add("embedded: broker, registry, simulator, bench and workers share one JVM and its "
                    + Runtime.getRuntime().availableProcessors() + " cores; heap figures include all of them");
        } else {
            notes.add("cluster: workers and simulator run in this JVM; heap figures include the bench");
        }
        if (!maxInFlightSupported()) {
            notes.add(MAX_IN_FLIGHT_KEY + " is not a key of this build: the workers ran the synchronous "
                    + "dispatcher (one call at a time per stream thread); the level only set the limit "
                    + "probe's concurrency");
        }
        return notes;
    }
}
