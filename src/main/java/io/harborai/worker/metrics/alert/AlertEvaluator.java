package io.harborai.worker.metrics.alert;

import io.harborai.worker.avro.Alert;
import io.harborai.worker.avro.AlertState;
import io.harborai.worker.avro.MetricEvent;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeSet;

/**
 * Runs the alert rules over consecutive snapshots and reports state changes.
 *
 * <p>Contract, per rule: a resting rule FIRES after {@code fireAfter} consecutive snapshots that
 * breach it; a firing rule RESOLVES after {@code resolveAfter} consecutive snapshots that have
 * recovered (past the threshold by the {@link AlertRule#HYSTERESIS} margin). A snapshot on the
 * other side, or in the band between threshold and recovery point, restarts the count, so a value
 * oscillating around the threshold fires at most once and does not resolve. A no-data snapshot
 * ({@link AlertRule#valueOf} empty) is skipped: it neither counts nor restarts a count, and a
 * firing rule stays firing through it. Each change yields exactly one {@link Alert} (rule,
 * instance of the snapshot, severity, state, value of that snapshot, threshold, message,
 * timestamp from the injected clock); FIRING is never repeated while firing.
 *
 * <p>Threading: not thread-safe; the reporter's scheduler thread owns it. State lives in memory
 * only: a restarted worker starts with every rule resting.
 */
public final class AlertEvaluator {

    private final List<AlertRule> rules;
    private final int fireAfter;
    private final int resolveAfter;
    private final Clock clock;
    private final Map<String, RuleState> states = new LinkedHashMap<>();

    /**
     * @param fireAfter consecutive breaching snapshots before a rule fires, at least 1
     * @param resolveAfter consecutive recovered snapshots before a firing rule resolves, at least 1
     * @throws IllegalArgumentException on duplicate rule names or counts below 1
     */
    public AlertEvaluator(List<AlertRule> rules, int fireAfter, int resolveAfter, Clock clock) {
        if (fireAfter < 1 || resolveAfter < 1) {
            throw new IllegalArgumentException(
                    "fireAfter and resolveAfter must be at least 1, got " + fireAfter + " and " + resolveAfter);
        }
        this.rules = List.copyOf(rules);
        this.fireAfter = fireAfter;
        this.resolveAfter = resolveAfter;
        this.clock = Objects.requireNonNull(clock, "clock");
        for (AlertRule r : this.rules) {
            if (states.put(r.name(), new RuleState()) != null) {
                throw new IllegalArgumentException("duplicate alert rule " + r.name());
            }
        }
    }

    /** The default rules ({@link AlertRules#from}) with {@code alerts.fire-after-snapshots}/{@code resolve-after}. */
    public static AlertEvaluator from(AlertSettings settings, Clock clock) {
        return new AlertEvaluator(AlertRules.from(settings), settings.fireAfter(), settings.resolveAfter(), clock);
    }

    /** Feeds one snapshot; returns the state changes it caused (often none), in rule order. */
    public List<Alert> evaluate(MetricEvent event) {
        List<Alert> changes = new ArrayList<>(0);
        for (AlertRule rule : rules) {
            OptionalDouble value = rule.valueOf(event);
            if (value.isEmpty()) {
                continue;
            }
            double v = value.getAsDouble();
            RuleState s = states.get(rule.name());
            boolean towardChange = s.firing ? rule.recovered(v) : rule.breaches(v);
            s.streak = towardChange ? s.streak + 1 : 0;
            if (s.streak >= (s.firing ? resolveAfter : fireAfter)) {
                s.firing = !s.firing;
                s.streak = 0;
                changes.add(alert(rule, event.getInstance(), v, s.firing));
            }
        }
        return changes;
    }

    /** The names of the rules firing now, sorted. */
    public Set<String> firing() {
        Set<String> out = new TreeSet<>();
        states.forEach((name, s) -> {
            if (s.firing) {
                out.add(name);
            }
        });
        return out;
    }

    /** The rules evaluated. */
    public List<AlertRule> rules() {
        return rules;
    }

    private Alert alert(AlertRule rule, String instance, double value, boolean firing) {
        AlertState state = firing ? AlertState.FIRING : AlertState.RESOLVED;
        return Alert.newBuilder()
                .setRule(rule.name())
                .setInstance(instance)
                .setSeverity(rule.severity())
                .setState(state)
                .setValue(value)
                .setThreshold(rule.threshold())
                .setMessage(
                        "[" + rule.severity() + "] " + state + " on " + instance + ": " + rule.describe(value, firing))
                .setTimestampMs(clock.millis())
                .build();
    }

    private static final class RuleState {
        boolean firing;
        int streak;
    }
}
