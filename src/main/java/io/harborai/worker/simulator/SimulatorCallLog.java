package io.harborai.worker.simulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The simulator's per-Idempotency-Key record of calls: when each arrived (epoch ms), what it got,
 * and the {@code Retry-After} it was told. A test reads it to check that a client never retried
 * before it was allowed to.
 *
 * <p>Bounded twice, so a long benchmark cannot grow it without limit: at most {@code maxKeys}
 * keys (the key seen first is dropped first; {@link #droppedKeys()} counts them) and at most
 * {@value #MAX_CALLS_PER_KEY} calls per key (later calls are counted in {@code total} but not
 * listed). Each kept key costs roughly 200 bytes.
 *
 * <p>Threading: every method is {@code synchronized}; handler threads record, any thread reads.
 * The lock is held for a map operation only, far shorter than the HTTP work around it.
 */
final class SimulatorCallLog {
    static final int MAX_CALLS_PER_KEY = 32;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Parallel primitive arrays rather than a list of objects: this is the bulk of the log. */
    private static final class KeyCalls {
        long[] atMs = new long[2];
        byte[] outcome = new byte[2];
        int[] retryAfterS = new int[2];
        int kept;
        int total;

        void add(long at, FaultRates.Outcome o, int retryAfter) {
            total++;
            if (kept == MAX_CALLS_PER_KEY) {
                return;
            }
            if (kept == atMs.length) {
                int n = Math.min(MAX_CALLS_PER_KEY, kept * 2);
                atMs = Arrays.copyOf(atMs, n);
                outcome = Arrays.copyOf(outcome, n);
                retryAfterS = Arrays.copyOf(retryAfterS, n);
            }
            atMs[kept] = at;
            outcome[kept] = (byte) o.ordinal();
            retryAfterS[kept] = retryAfter;
            kept++;
        }
    }

    private final int maxKeys;
    private final Map<String, KeyCalls> byKey;
    private long droppedKeys;

    SimulatorCallLog(int maxKeys) {
        this.maxKeys = maxKeys;
        this.byKey = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, KeyCalls> eldest) {
                if (size() > SimulatorCallLog.this.maxKeys) {
                    droppedKeys++;
                    return true;
                }
                return false;
            }
        };
    }

    /** Records one call; {@code retryAfterS} is 0 unless the call was answered 429. */
    synchronized void record(String key, long atMs, FaultRates.Outcome outcome, int retryAfterS) {
        if (maxKeys == 0 || key == null) {
            return;
        }
        byKey.computeIfAbsent(key, k -> new KeyCalls()).add(atMs, outcome, retryAfterS);
    }

    synchronized int keys() {
        return byKey.size();
    }

    synchronized long droppedKeys() {
        return droppedKeys;
    }

    /** {@code {"key", "total", "calls": [{"at_ms", "outcome", "retry_after_s"}]}}; empty calls if unknown. */
    synchronized ObjectNode forKey(String key) {
        ObjectNode out = NODES.objectNode().put("key", key);
        KeyCalls c = byKey.get(key);
        out.put("total", c == null ? 0 : c.total);
        ArrayNode list = out.putArray("calls");
        if (c != null) {
            write(c, list);
        }
        return out;
    }

    /** Every kept key with its calls, in first-seen order. */
    synchronized ObjectNode all() {
        ObjectNode out = NODES.objectNode();
        byKey.forEach((k, c) -> write(c, out.putArray(k)));
        return out;
    }

    /** Summary for {@code /stats}. */
    synchronized ObjectNode summary() {
        return NODES.objectNode()
                .put("max_keys", maxKeys)
                .put("max_calls_per_key", MAX_CALLS_PER_KEY)
                .put("keys", byKey.size())
                .put("dropped_keys", droppedKeys);
    }

    private static void write(KeyCalls c, ArrayNode list) {
        FaultRates.Outcome[] outcomes = FaultRates.Outcome.values();
        for (int i = 0; i < c.kept; i++) {
            list.addObject()
                    .put("at_ms", c.atMs[i])
                    .put("outcome", outcomes[c.outcome[i]].statName())
                    .put("retry_after_s", c.retryAfterS[i]);
        }
    }
}
