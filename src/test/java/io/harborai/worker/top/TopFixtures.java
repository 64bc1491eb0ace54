package io.harborai.worker.top;

import io.harborai.worker.avro.Alert;
import io.harborai.worker.avro.AlertState;
import io.harborai.worker.avro.MetricEvent;
import io.harborai.worker.avro.ProviderStats;
import io.harborai.worker.avro.Severity;
import java.util.List;

/** MetricEvents and Alerts for the top tests; also used by TopCommandIT. */
public final class TopFixtures {
    private TopFixtures() {}

    /** A 10 s window ending at {@code endMs}, with round figures scaled by {@code k}. */
    public static MetricEvent event(String instance, long endMs, int k, List<ProviderStats> providers) {
        return MetricEvent.newBuilder()
                .setInstance(instance)
                .setWindowStartMs(endMs - 10_000)
                .setWindowEndMs(endMs)
                .setRequests(100L * k)
                .setResultsSucceeded(90L * k)
                .setResultsFailed(10L * k)
                .setDlq(k)
                .setProviderCalls(50L * k)
                .setCacheHitsL1(20L * k)
                .setCacheHitsL2(10L * k)
                .setCacheCoalesced(5L * k)
                .setThroughputRps(10.0 * k)
                .setErrorRate(0.1)
                .setLatencyP50Ms(10.0 * k)
                .setLatencyP95Ms(40.0 * k)
                .setLatencyP99Ms(80.0 * k)
                .setInFlight(3L * k)
                .setInFlightBytes(1024L * k)
                .setHeapUsedBytes(100L * k << 20)
                .setHeapMaxBytes(1024L << 20)
                .setConsumerLag(7L * k)
                .setProviders(providers)
                .build();
    }

    public static ProviderStats provider(
            String provider, String model, long calls, long errors, double p95, double cost) {
        return ProviderStats.newBuilder()
                .setProvider(provider)
                .setModel(model)
                .setCalls(calls)
                .setErrors(errors)
                .setLatencyP95Ms(p95)
                .setCost(cost)
                .build();
    }

    public static Alert alert(String rule, String instance, AlertState state, Severity severity, long atMs) {
        return Alert.newBuilder()
                .setRule(rule)
                .setInstance(instance)
                .setSeverity(severity)
                .setState(state)
                .setValue(6200)
                .setThreshold(5000)
                .setMessage(rule + " breached")
                .setTimestampMs(atMs)
                .build();
    }
}
