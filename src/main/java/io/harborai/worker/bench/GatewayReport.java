package io.harborai.worker.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * What {@code harbor bench --via-gateway} measured ({@link GatewayBench}): the pipeline fed from
 * Kafka and the same load through the gateway, with the gateway's own part of the latency.
 *
 * @param rate offered load (requests/s) of both halves; 0 = one backlog (Kafka) and {@code
 *     outstanding} requests at a time (HTTP)
 * @param directE2eMs p50/p95/p99 of produce → result read, fed from Kafka
 * @param gatewayE2eMs p50/p95/p99 of HTTP request sent → answer read
 * @param addedP50Ms upper bound of the {@code harbor.gateway.added} bucket holding the median
 * @param gatewayCpuMsPerRequest the gateway JVM's CPU per answered request, or null when it ran in
 *     the bench's JVM
 * @param workerCpuMsDirect the worker JVMs' CPU per result while fed from Kafka, or null (in the bench's JVM)
 * @param workerCpuMsViaGateway the same while fed through the gateway
 */
public record GatewayReport(
        int maxInFlight,
        double rate,
        int outstanding,
        String gatewayJvm,
        long providerLatencyMs,
        int requests,
        long directResults,
        double directRps,
        List<Double> directE2eMs,
        long gatewayAnswered,
        long gatewayFailed,
        double gatewayRps,
        List<Double> gatewayE2eMs,
        double addedP50Ms,
        double addedP99Ms,
        Double gatewayCpuMsPerRequest,
        Double workerCpuMsDirect,
        Double workerCpuMsViaGateway) {

    /** Throughput through the gateway over the pipeline's own. */
    public double ratio() {
        return directRps <= 0 ? 0 : gatewayRps / directRps;
    }

    /** Every request answered, through both paths. */
    public boolean complete() {
        return directResults == requests && gatewayAnswered == requests;
    }

    public void print(PrintStream out) {
        out.printf(
                Locale.ROOT,
                "via gateway (C=%d, L=%d ms, %s, gateway JVM %s, %d requests each)%n",
                maxInFlight,
                providerLatencyMs,
                rate > 0 ? String.format(Locale.ROOT, "open loop %.0f req/s", rate) : outstanding + " outstanding",
                gatewayJvm,
                requests);
        out.printf(
                Locale.ROOT,
                "  kafka   : %8.1f results/s  e2e ms p50/p95/p99 %.1f/%.1f/%.1f  (%d results)%n",
                directRps,
                directE2eMs.get(0),
                directE2eMs.get(1),
                directE2eMs.get(2),
                directResults);
        out.printf(
                Locale.ROOT,
                "  gateway : %8.1f answers/s  e2e ms p50/p95/p99 %.1f/%.1f/%.1f  (%d answered, %d failed)%n",
                gatewayRps,
                gatewayE2eMs.get(0),
                gatewayE2eMs.get(1),
                gatewayE2eMs.get(2),
                gatewayAnswered,
                gatewayFailed);
        out.printf(
                Locale.ROOT,
                "  gateway / kafka throughput %.2f; gateway's own part (harbor.gateway.added) ms p50 <= %.1f, p99 <= %.1f%s%n",
                ratio(),
                addedP50Ms,
                addedP99Ms,
                gatewayCpuMsPerRequest == null
                        ? ""
                        : String.format(Locale.ROOT, "; gateway CPU %.3f ms per request", gatewayCpuMsPerRequest));
        if (workerCpuMsDirect != null) {
            out.printf(
                    Locale.ROOT,
                    "  worker CPU ms per result: %.3f fed from kafka, %.3f fed through the gateway%n",
                    workerCpuMsDirect,
                    workerCpuMsViaGateway);
        }
    }

    /** The record's fields in snake_case, plus {@code ratio}. */
    public void writeJson(Path file) throws IOException {
        ObjectMapper json = new ObjectMapper()
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode node = json.valueToTree(this);
        node.put("ratio", ratio());
        json.writeValue(file.toFile(), node);
    }
}
