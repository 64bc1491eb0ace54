package io.harborai.worker.metrics.snapshot;

import io.harborai.worker.metrics.alert.AlertSettings;
import java.time.Duration;
import java.util.Objects;

/**
 * The metrics reporter's settings. Immutable.
 *
 * @param mode {@code metrics.mode}: what a snapshot carries ({@code fast|balanced|full})
 * @param interval {@code metrics.interval-ms}: the period of snapshots and of the alert evaluation
 * @param metricsTopic where MetricEvents go
 * @param alertsTopic where Alert events go ({@code topics.alerts}, else the metrics topic)
 * @param alerts the alert rules and where else their events go
 */
public record ReporterSettings(
        String mode, Duration interval, String metricsTopic, String alertsTopic, AlertSettings alerts) {

    public ReporterSettings {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(alerts, "alerts");
    }
}
