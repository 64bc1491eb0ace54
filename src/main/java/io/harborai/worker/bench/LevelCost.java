package io.harborai.worker.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one level's measured phase cost, counted outside the workers ({@link CostMeter}): CPU time
 * from the OS, Kafka records per topic from the broker, Redis commands from the server and provider
 * calls from the simulator, each per measured request (CPU per result).
 *
 * @param workerJvm {@code embedded} or {@code separate} ({@link WorkerJvm.Mode#label()})
 * @param workerPids the worker processes' ids; empty when they ran in the bench's JVM
 * @param workerCpuMs CPU time of the worker processes over the phase, or null when they ran in the
 *     bench's JVM (no figure of their own)
 * @param workerJitCpuMs the part of {@code workerCpuMs} spent by their JIT compiler threads ({@link
 *     ThreadCpu}), or null when not known: compilation that a longer-running worker no longer pays
 * @param benchCpuMs CPU time of the bench's JVM over the phase: with embedded workers it includes
 *     them, the broker, registry, simulator and the load generator; Redis is a process of its own
 * @param requests measured requests
 * @param results measured results
 * @param topics records per topic the workers write, or null when the broker could not be asked
 * @param redisCommands Redis commands by name, or null when Redis could not be asked
 * @param providerCalls the simulator's calls over the phase
 */
record LevelCost(
        String workerJvm,
        List<Long> workerPids,
        Double workerCpuMs,
        Double workerJitCpuMs,
        double benchCpuMs,
        long requests,
        long results,
        List<TopicCounts.Count> topics,
        Map<String, Long> redisCommands,
        long providerCalls) {

    LevelCost {
        workerPids = List.copyOf(workerPids);
        topics = topics == null ? null : List.copyOf(topics);
        redisCommands = redisCommands == null ? null : Map.copyOf(redisCommands);
    }

    Double workerCpuMsPerResult() {
        return workerCpuMs == null ? null : perResult(workerCpuMs);
    }

    Double workerJitCpuMsPerResult() {
        return workerJitCpuMs == null ? null : perResult(workerJitCpuMs);
    }

    double benchCpuMsPerResult() {
        return perResult(benchCpuMs);
    }

    /** Committed records per request by role, plus {@code total}; null without a broker figure. */
    Map<String, Double> recordsPerRequest() {
        return topics == null ? null : byRole(true);
    }

    /** End-offset growth per request by role (records plus transaction markers and aborted records). */
    Map<String, Double> offsetsPerRequest() {
        return topics == null ? null : byRole(false);
    }

    Double redisCommandsPerRequest() {
        return redisCommands == null
                ? null
                : perRequest(redisCommands.values().stream()
                        .mapToLong(Long::longValue)
                        .sum());
    }

    double providerCallsPerRequest() {
        return perRequest(providerCalls);
    }

    private Map<String, Double> byRole(boolean records) {
        Map<String, Long> sums = new TreeMap<>();
        long total = 0;
        for (TopicCounts.Count c : topics) {
            long n = records ? c.records() : c.offsets();
            sums.merge(c.role(), n, Long::sum);
            total += n;
        }
        Map<String, Double> per = new TreeMap<>();
        for (String role : List.of("results", "repartition", "changelog", "dlq", "metrics", "progress")) {
            per.put(role, perRequest(sums.getOrDefault(role, 0L)));
        }
        sums.forEach((role, n) -> per.putIfAbsent(role, perRequest(n)));
        per.put("total", perRequest(total));
        return per;
    }

    private double perResult(double v) {
        return results == 0 ? 0 : round(v / results, 1_000);
    }

    private double perRequest(long n) {
        return requests == 0 ? 0 : round((double) n / requests, 1_000);
    }

    private static double round(double v, int scale) {
        return Math.round(v * scale) / (double) scale;
    }

    /** The JSON fields of one level. */
    void write(ObjectNode o) {
        o.put("worker_jvm", workerJvm);
        ArrayNode pids = o.putArray("worker_pids");
        workerPids.forEach(pids::add);
        if (workerCpuMs == null) {
            o.putNull("worker_cpu_ms_per_result");
        } else {
            o.put("worker_cpu_ms_per_result", workerCpuMsPerResult());
            o.put("worker_cpu_ms", round(workerCpuMs, 10));
        }
        if (workerJitCpuMs == null) {
            o.putNull("worker_jit_cpu_ms_per_result");
        } else {
            o.put("worker_jit_cpu_ms_per_result", workerJitCpuMsPerResult());
        }
        o.put("bench_process_cpu_ms_per_result", benchCpuMsPerResult());
        putMap(o, "records_per_request", recordsPerRequest());
        putMap(o, "offsets_per_request", offsetsPerRequest());
        if (topics != null) {
            ArrayNode each = o.putArray("records_by_topic");
            for (TopicCounts.Count c : topics) {
                each.addObject()
                        .put("topic", c.topic())
                        .put("role", c.role())
                        .put("records", c.records())
                        .put("offsets", c.offsets());
            }
        }
        Double redis = redisCommandsPerRequest();
        if (redis == null) {
            o.putNull("redis_commands_per_request");
        } else {
            o.put("redis_commands_per_request", redis);
            ObjectNode by = o.putObject("redis_commands");
            new TreeMap<>(redisCommands).forEach(by::put);
        }
        o.put("provider_calls_per_request", providerCallsPerRequest());
    }

    private static void putMap(ObjectNode o, String name, Map<String, Double> values) {
        if (values == null) {
            o.putNull(name);
        } else {
            ObjectNode m = o.putObject(name);
            values.forEach(m::put);
        }
    }

    /** The summary's lines for level {@code c}. */
    List<String> summary(int c) {
        List<String> lines = new ArrayList<>();
        String cpu = workerCpuMs != null
                ? String.format(
                        Locale.ROOT,
                        "worker JVM%s (pid %s) %.3f ms%s; bench JVM (broker, registry, simulator, load) %.3f ms",
                        workerPids.size() > 1 ? "s" : "",
                        String.join(
                                ",", workerPids.stream().map(String::valueOf).toList()),
                        workerCpuMsPerResult(),
                        workerJitCpuMs == null
                                ? ""
                                : String.format(
                                        Locale.ROOT,
                                        " (JIT compiler threads %.3f, the rest %.3f)",
                                        workerJitCpuMsPerResult(),
                                        workerCpuMsPerResult() - workerJitCpuMsPerResult()),
                        benchCpuMsPerResult())
                : String.format(
                        Locale.ROOT,
                        "whole bench JVM (workers, broker, registry, simulator, load) %.3f ms; no worker-only figure"
                                + " (--worker-jvm separate gives one)",
                        benchCpuMsPerResult());
        lines.add(String.format(Locale.ROOT, "cpu per result (C=%d, %s workers): %s", c, workerJvm, cpu));
        Map<String, Double> records = recordsPerRequest();
        Double redis = redisCommandsPerRequest();
        lines.add(String.format(
                Locale.ROOT,
                "per request (C=%d): kafka records %s; redis commands %s; provider calls %.3f",
                c,
                records == null ? "n/a" : describe(records, offsetsPerRequest()),
                redis == null ? "n/a" : String.format(Locale.ROOT, "%.3f", redis),
                providerCallsPerRequest()));
        return lines;
    }

    private static String describe(Map<String, Double> records, Map<String, Double> offsets) {
        List<String> parts = new ArrayList<>();
        records.forEach((role, v) -> {
            if (v > 0 && !role.equals("total")) {
                parts.add(String.format(Locale.ROOT, "%s %.3f", role, v));
            }
        });
        return String.format(
                Locale.ROOT,
                "%.3f (%s; offsets incl. txn markers %.3f)",
                records.get("total"),
                String.join(", ", parts),
                offsets.get("total"));
    }
}
