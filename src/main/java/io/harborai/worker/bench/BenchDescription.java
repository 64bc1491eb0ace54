package io.harborai.worker.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harborai.worker.config.WorkerSettings;
import io.harborai.worker.simulator.SimulatorOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The words and settings a bench report carries next to its figures: the one-line context, the
 * configuration block of the JSON report and the notes on what the figures include, so a reader
 * can tell what was measured and where.
 *
 * <p>Threading: immutable.
 */
final class BenchDescription {
    private final BenchOptions options;
    private final SimulatorOptions simulatorOptions;
    private final boolean embedded;
    private final String externalSimulatorUrl;
    private final WorkerJvm jvm;

    BenchDescription(
            BenchOptions options,
            SimulatorOptions simulatorOptions,
            boolean embedded,
            String externalSimulatorUrl,
            WorkerJvm jvm) {
        this.options = options;
        this.jvm = jvm;
        this.simulatorOptions = simulatorOptions;
        this.embedded = embedded;
        this.externalSimulatorUrl = externalSimulatorUrl;
    }

    String simulatorDescription() {
        return externalSimulatorUrl != null
                ? "in another process at " + externalSimulatorUrl
                : simulatorOptions.latencyModel().describe() + ", " + simulatorOptions.faults()
                        + simulatorOptions.describePoisonAndOutage();
    }

    /** "embedded (one JVM)" or the cluster's bootstrap servers, and where the workers run. */
    String where(WorkerSettings cfg) {
        String workers = jvm.separate() ? ", workers each in a JVM of their own (-Xmx" + jvm.maxHeap() + ")" : "";
        return (embedded ? (jvm.separate() ? "embedded" : "embedded (one JVM)") : "cluster " + cfg.kafkaBootstrap())
                + workers;
    }

    String context(WorkerSettings cfg) {
        return String.format(
                Locale.ROOT,
                "harbor bench: %d requests (+ warm-up until steady, >= %d, windows of %d, <= %d s) per level, %s, distinct %.2f, simulator %s, "
                        + "%d instance(s) x %d stream thread(s), %s, %s",
                options.requests(),
                options.warmup(),
                options.warmupWindow(),
                options.warmupMax().toSeconds(),
                options.rate() > 0 ? "open loop at " + options.rate() + " req/s" : "one backlog",
                options.distinctRatio(),
                simulatorDescription(),
                options.instances(),
                cfg.streams().threads(),
                options.guarantee(),
                where(cfg));
    }

    ObjectNode config(WorkerSettings cfg) {
        ObjectNode c = JsonNodeFactory.instance.objectNode();
        c.put("mode", embedded ? "embedded" : "cluster");
        c.put("worker_jvm", jvm.mode().label());
        if (jvm.separate()) {
            c.put("worker_max_heap", jvm.maxHeap());
        }
        c.put("instances", options.instances());
        c.put("stream_threads", cfg.streams().threads());
        c.put("partitions", cfg.topics().partitions());
        c.put("guarantee", options.guarantee());
        c.put("commit_interval_ms", cfg.streams().commitIntervalMs());
        c.put("warmup", options.warmup());
        c.put("warmup_window", options.warmupWindow());
        c.put("warmup_max_s", options.warmupMax().toSeconds());
        c.put("rate", options.rate());
        c.put("distinct_ratio", options.distinctRatio());
        c.put("provider_latency_ms", options.providerLatencyMs());
        c.put("simulator", simulatorDescription());
        c.put("max_in_flight_applied", BenchRunner.maxInFlightSupported());
        c.put("held_per_call_slot", BenchRunner.HELD_PER_SLOT);
        c.put("cores", Runtime.getRuntime().availableProcessors());
        c.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        c.put("max_heap_mb", Runtime.getRuntime().maxMemory() / (1024 * 1024));
        return c;
    }

    List<String> notes() {
        List<String> notes = new ArrayList<>();
        notes.add("figures exclude the warm-up: per level at least " + options.warmup()
                + " requests, then windows of " + options.warmupWindow() + " until the last "
                + SteadyState.WINDOWS + " windows' results/s lie within " + Math.round(SteadyState.TOLERANCE * 100)
                + "% of their mean, or " + options.warmupMax().toSeconds() + " s (then \"not steady\")");
        int cores = Runtime.getRuntime().availableProcessors();
        if (jvm.separate()) {
            notes.add("separate: each worker ran in a JVM of its own (-Xmx" + jvm.maxHeap() + ") on the same "
                    + cores + " cores; heap figures are the bench JVM's ("
                    + (embedded ? "broker, registry, " : "") + "simulator, load generator, collector), not the"
                    + " workers'; worker_cpu_ms_per_result is the worker processes' own CPU from the OS");
        } else if (embedded) {
            notes.add("embedded: broker, registry, simulator, bench and workers share one JVM and its " + cores
                    + " cores; heap figures include all of them; there is no worker-only CPU figure"
                    + " (bench_process_cpu_ms_per_result is the whole JVM's): --worker-jvm separate gives one");
        } else {
            notes.add("cluster: workers and simulator run in this JVM; heap figures include the bench");
        }
        notes.add("per request, counted outside the workers over the measured phase: records_per_request are"
                + " committed records (read_committed) of the workers' topics by role, offsets_per_request adds"
                + " transaction markers and aborted records; redis_commands_per_request from the server's INFO"
                + " commandstats (every client of that Redis counts, the bench's INFO excluded);"
                + " provider_calls_per_request from the simulator; the workers run with Kafka Streams' repartition"
                + " purging off (repartition.purge.interval.ms = 1 day), so those records stay countable");
        if (!BenchRunner.maxInFlightSupported()) {
            notes.add(BenchRunner.MAX_IN_FLIGHT_KEY + " is not a key of this build: the workers ran the synchronous "
                    + "dispatcher (one call at a time per stream thread); the level only set the limit "
                    + "probe's concurrency");
        }
        return notes;
    }
}
