package io.harborai.worker.metrics.snapshot;

import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;

/**
 * The request consumers' lag, read from the Kafka client metrics that Micrometer's {@code
 * KafkaStreamsMetrics} binder registers. It names a Kafka metric {@code kafka.<group without
 * "-metrics">.<name>} with dashes turned into dots, so the consumer's {@code
 * consumer-fetch-manager-metrics} / {@code records-lag} (tags client-id, topic, partition) becomes
 * {@value #RECORDS_LAG} and the client-level {@code records-lag-max} becomes {@value
 * #RECORDS_LAG_MAX}.
 *
 * <p>Contract: the sum of the per-partition {@value #RECORDS_LAG} gauges when any is present (the
 * records behind on every assigned partition), else the largest client-level {@value
 * #RECORDS_LAG_MAX}, else 0 (binder not bound, nothing assigned yet). Kafka Streams' restore
 * consumers (client id {@code ...-restore-consumer}) read changelogs, not requests, and are left
 * out; so are NaN values (Kafka reports NaN before the first fetch). Stateless.
 */
final class ConsumerLag {
    private ConsumerLag() {}

    static final String RECORDS_LAG = "kafka.consumer.fetch.manager.records.lag";
    static final String RECORDS_LAG_MAX = "kafka.consumer.fetch.manager.records.lag.max";

    static long read(MeterRegistry registry) {
        double sum = 0;
        boolean any = false;
        for (Meter m : registry.find(RECORDS_LAG).meters()) {
            double v = value(m);
            if (m.getId().getTag("partition") != null && !isRestoreConsumer(m) && Double.isFinite(v) && v >= 0) {
                sum += v;
                any = true;
            }
        }
        if (any) {
            return Math.round(sum);
        }
        double max = 0;
        for (Meter m : registry.find(RECORDS_LAG_MAX).meters()) {
            double v = value(m);
            if (m.getId().getTag("topic") == null && !isRestoreConsumer(m) && Double.isFinite(v)) {
                max = Math.max(max, v);
            }
        }
        return Math.round(max);
    }

    private static boolean isRestoreConsumer(Meter m) {
        for (Tag t : m.getId().getTagsAsIterable()) {
            if (t.getValue().endsWith("-restore-consumer")) {
                return true;
            }
        }
        return false;
    }

    private static double value(Meter m) {
        for (Measurement measurement : m.measure()) {
            return measurement.getValue();
        }
        return Double.NaN;
    }
}
