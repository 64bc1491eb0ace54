package io.harborai.worker.metrics.alert;

import io.harborai.worker.avro.MetricEvent;
import io.harborai.worker.avro.Severity;
import io.harborai.worker.metrics.alert.AlertRule.Bound;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * The default rule set, from the {@code alerts.*} thresholds. A threshold of 0 leaves its rule out;
 * {@link #CIRCUIT_OPEN} has no threshold and is always in. Stateless.
 *
 * <table>
 *   <caption>Rules</caption>
 *   <tr><th>rule</th><th>severity</th><th>fires when</th><th>no data when</th></tr>
 *   <tr><td>{@value #LATENCY_P95}</td><td>WARNING</td><td>end-to-end p95 ms &gt; alerts.latency-p95-ms</td>
 *       <td>no results in the window</td></tr>
 *   <tr><td>{@value #ERROR_RATE}</td><td>CRITICAL</td><td>failed / results &gt; alerts.error-rate</td>
 *       <td>no results in the window</td></tr>
 *   <tr><td>{@value #MEMORY}</td><td>WARNING</td><td>heap used / max &gt; alerts.heap-used-ratio</td>
 *       <td>the JVM reports no heap maximum</td></tr>
 *   <tr><td>{@value #CACHE_HIT_RATE}</td><td>INFO</td><td>hit rate &lt; alerts.cache-hit-rate-min</td>
 *       <td>no cache lookups in the window</td></tr>
 *   <tr><td>{@value #CIRCUIT_OPEN}</td><td>CRITICAL</td><td>any provider's circuit breaker is open</td>
 *       <td>never</td></tr>
 *   <tr><td>{@value #DLQ_RATE}</td><td>WARNING</td><td>DLQ records per second &gt; alerts.dlq-per-second</td>
 *       <td>an empty window (no time)</td></tr>
 *   <tr><td>{@value #CONSUMER_LAG}</td><td>WARNING</td><td>records behind &gt; alerts.consumer-lag</td>
 *       <td>never</td></tr>
 * </table>
 */
public final class AlertRules {
    private AlertRules() {}

    public static final String LATENCY_P95 = "latency_p95";
    public static final String ERROR_RATE = "error_rate";
    public static final String MEMORY = "memory";
    public static final String CACHE_HIT_RATE = "cache_hit_rate";
    public static final String CIRCUIT_OPEN = "circuit_open";
    public static final String DLQ_RATE = "dlq_rate";
    public static final String CONSUMER_LAG = "consumer_lag";

    /** The default rules with the configured thresholds, those with threshold 0 left out. */
    public static List<AlertRule> from(AlertSettings settings) {
        List<AlertRule> rules = new ArrayList<>();
        add(
                rules,
                AlertRule.of(
                        LATENCY_P95,
                        Severity.WARNING,
                        Bound.ABOVE,
                        settings.latencyP95Ms(),
                        "ms",
                        e -> withResults(e, e.getLatencyP95Ms())));
        add(
                rules,
                new AlertRule(
                        ERROR_RATE,
                        Severity.CRITICAL,
                        Bound.ABOVE,
                        settings.errorRate(),
                        1.0,
                        "",
                        e -> withResults(e, e.getErrorRate())));
        add(
                rules,
                new AlertRule(
                        MEMORY,
                        Severity.WARNING,
                        Bound.ABOVE,
                        settings.heapUsedRatio(),
                        1.0,
                        "",
                        AlertRules::heapUsedRatio));
        add(
                rules,
                new AlertRule(
                        CACHE_HIT_RATE,
                        Severity.INFO,
                        Bound.BELOW,
                        settings.cacheHitRateMin(),
                        1.0,
                        "",
                        e -> e.getCacheLookups() > 0
                                ? OptionalDouble.of(e.getCacheHitRate())
                                : OptionalDouble.empty()));
        rules.add(AlertRule.of(
                CIRCUIT_OPEN,
                Severity.CRITICAL,
                Bound.ABOVE,
                0,
                "circuits open",
                e -> OptionalDouble.of(e.getCircuitsOpen())));
        add(
                rules,
                AlertRule.of(
                        DLQ_RATE,
                        Severity.WARNING,
                        Bound.ABOVE,
                        settings.dlqPerSecond(),
                        "/s",
                        AlertRules::dlqPerSecond));
        add(
                rules,
                AlertRule.of(
                        CONSUMER_LAG,
                        Severity.WARNING,
                        Bound.ABOVE,
                        settings.consumerLag(),
                        "records",
                        e -> OptionalDouble.of(e.getConsumerLag())));
        return List.copyOf(rules);
    }

    private static void add(List<AlertRule> rules, AlertRule rule) {
        if (rule.threshold() > 0) {
            rules.add(rule);
        }
    }

    private static OptionalDouble withResults(MetricEvent e, double value) {
        return e.getResultsSucceeded() + e.getResultsFailed() > 0 ? OptionalDouble.of(value) : OptionalDouble.empty();
    }

    private static OptionalDouble heapUsedRatio(MetricEvent e) {
        return e.getHeapMaxBytes() > 0
                ? OptionalDouble.of((double) e.getHeapUsedBytes() / e.getHeapMaxBytes())
                : OptionalDouble.empty();
    }

    private static OptionalDouble dlqPerSecond(MetricEvent e) {
        long ms = e.getWindowEndMs() - e.getWindowStartMs();
        return ms > 0 ? OptionalDouble.of(e.getDlq() * 1000.0 / ms) : OptionalDouble.empty();
    }
}
