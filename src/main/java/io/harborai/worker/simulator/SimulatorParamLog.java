package io.harborai.worker.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts, per model, how many chat-completion calls carried each top-level body key ({@code
 * stream} included), so that a test can assert that a parameter a provider does not support never
 * reached it. Every call whose body is a JSON object is counted, including ones the simulator then
 * rejects; a body without a string {@code model} is counted under {@value #NO_MODEL}.
 *
 * <p>Bounded by the number of distinct models times distinct keys a client sends: at most {@value
 * #MAX_MODELS} models are tracked (later ones are counted under {@value #OTHER_MODELS}).
 *
 * <p>Threading: handler threads record concurrently (concurrent maps and adders, no lock); any
 * thread may take a {@link #snapshot()}, which is consistent per counter, not across counters.
 */
final class SimulatorParamLog {
    static final String NO_MODEL = "(none)";
    static final String OTHER_MODELS = "(other)";
    static final int MAX_MODELS = 1_000;

    private final Map<String, Map<String, LongAdder>> byModel = new ConcurrentHashMap<>();

    /** Counts the keys of one body. */
    void record(JsonNode body) {
        if (body == null || !body.isObject()) {
            return;
        }
        JsonNode m = body.get("model");
        String model = m != null && m.isTextual() ? m.asText() : NO_MODEL;
        if (!byModel.containsKey(model) && byModel.size() >= MAX_MODELS) {
            model = OTHER_MODELS;
        }
        Map<String, LongAdder> counts = byModel.computeIfAbsent(model, k -> new ConcurrentHashMap<>());
        for (Iterator<String> keys = body.fieldNames(); keys.hasNext(); ) {
            counts.computeIfAbsent(keys.next(), k -> new LongAdder()).increment();
        }
    }

    /** An immutable copy, models and keys sorted: {@code model -> (param -> calls)}. */
    Map<String, Map<String, Long>> snapshot() {
        Map<String, Map<String, Long>> out = new TreeMap<>();
        byModel.forEach((model, counts) -> {
            Map<String, Long> copy = new TreeMap<>();
            counts.forEach((k, n) -> copy.put(k, n.sum()));
            out.put(model, Collections.unmodifiableMap(copy));
        });
        return Collections.unmodifiableMap(out);
    }

    /** {@code {"<model>": {"<param>": count}}} for {@code GET /stats/params}. */
    ObjectNode json() {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        snapshot().forEach((model, counts) -> {
            ObjectNode o = out.putObject(model);
            counts.forEach(o::put);
        });
        return out;
    }
}
