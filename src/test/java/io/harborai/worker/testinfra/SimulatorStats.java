package io.harborai.worker.testinfra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harborai.worker.simulator.SimulatorServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;

/** Reads a running simulator's {@code /stats?detail=true}, as an operator's curl would. */
public final class SimulatorStats {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SimulatorStats() {}

    /** Calls served per Idempotency-Key (= request id): {@code {"id": {"served": n, ...}}}. */
    public static JsonNode callsByKey(SimulatorServer sim) {
        URI uri = URI.create(sim.baseUrl().replace("/v1", "") + "/stats?detail=true");
        try (InputStream in = uri.toURL().openStream()) {
            return JSON.readTree(in).get("calls_by_key");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + uri, e);
        }
    }
}
