package io.harborai.worker.metrics.alert;

import io.harborai.worker.avro.MetricEvent;
import io.harborai.worker.avro.Severity;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.function.Function;

/**
 * One alert rule: a signal read from each {@link MetricEvent}, a threshold and which side of it is
 * bad. Immutable and stateless; {@link AlertEvaluator} keeps the per-rule state.
 *
 * <p>Contract: {@link #valueOf} is empty when the window carries no evidence for the rule ("no
 * data", e.g. an error rate without results); such a window neither breaches nor recovers. With
 * {@link Bound#ABOVE} a value breaches when {@code > threshold} and has recovered when {@code <=
 * (1 - HYSTERESIS) × threshold}; with {@link Bound#BELOW} it breaches when {@code < threshold} and
 * has recovered when {@code >= min((1 + HYSTERESIS) × threshold, (threshold + ceiling) / 2)} — the
 * cap keeps a floor close to the top of a bounded signal (a 0.95 hit-rate floor on a ratio of at
 * most 1) able to recover. Values between the two points are neither.
 *
 * @param name the rule's name, e.g. {@code error_rate}; part of the alert key
 * @param unit appended to values in messages ({@code ms}, {@code /s}, ...; empty for ratios)
 * @param ceiling the largest value the signal can take ({@link Double#POSITIVE_INFINITY} if none)
 * @param signal the rule's value in a window, empty for no data
 */
public record AlertRule(
        String name,
        Severity severity,
        Bound bound,
        double threshold,
        double ceiling,
        String unit,
        Function<MetricEvent, OptionalDouble> signal) {

    /** Which side of the threshold is bad. */
    public enum Bound {
        ABOVE,
        BELOW
    }

    /** Share of the threshold a value must move back past before a firing rule counts as recovered. */
    public static final double HYSTERESIS = 0.10;

    public AlertRule {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(bound, "bound");
        Objects.requireNonNull(unit, "unit");
        Objects.requireNonNull(signal, "signal");
        if (!Double.isFinite(threshold) || threshold < 0 || !(ceiling > threshold)) {
            throw new IllegalArgumentException("rule " + name + ": need 0 <= threshold < ceiling, got threshold "
                    + threshold + ", ceiling " + ceiling);
        }
    }

    /** A rule on an unbounded signal. */
    public static AlertRule of(
            String name,
            Severity severity,
            Bound bound,
            double threshold,
            String unit,
            Function<MetricEvent, OptionalDouble> signal) {
        return new AlertRule(name, severity, bound, threshold, Double.POSITIVE_INFINITY, unit, signal);
    }

    /** The rule's value in {@code event}, empty for no data (a non-finite value counts as none). */
    public OptionalDouble valueOf(MetricEvent event) {
        OptionalDouble v = signal.apply(event);
        return v.isPresent() && Double.isFinite(v.getAsDouble()) ? v : OptionalDouble.empty();
    }

    /** Whether {@code value} is on the bad side of the threshold. */
    public boolean breaches(double value) {
        return bound == Bound.ABOVE ? value > threshold : value < threshold;
    }

    /** Whether {@code value} is back past the threshold by the hysteresis margin. */
    public boolean recovered(double value) {
        return bound == Bound.ABOVE ? value <= recoveryPoint() : value >= recoveryPoint();
    }

    /** The value a firing rule must get back to (inclusive); see the class doc. */
    public double recoveryPoint() {
        return bound == Bound.ABOVE
                ? threshold * (1 - HYSTERESIS)
                : Math.min(threshold * (1 + HYSTERESIS), (threshold + ceiling) / 2);
    }

    /** E.g. {@code error_rate 0.12 above 0.05} or {@code latency_p95 4100 ms back under 4500 ms (threshold 5000 ms)}. */
    String describe(double value, boolean firing) {
        String side = bound == Bound.ABOVE ? "above" : "below";
        if (firing) {
            return name + " " + format(value) + " " + side + " " + format(threshold);
        }
        String back = bound == Bound.ABOVE ? "back under" : "back over";
        return name + " " + format(value) + " " + back + " " + format(recoveryPoint()) + " (threshold "
                + format(threshold) + ")";
    }

    private String format(double v) {
        String n =
                new BigDecimal(v).round(new MathContext(4)).stripTrailingZeros().toPlainString();
        return unit.isEmpty() ? n : n + " " + unit;
    }
}
