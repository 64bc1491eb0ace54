package io.harborai.worker.metrics.topic;

import io.harborai.worker.avro.Alert;
import io.harborai.worker.avro.MetricEvent;
import io.harborai.worker.schema.AvroSerde;
import io.harborai.worker.schema.SchemaRegistryClient;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * How {@code topics.metrics} (and an alerts topic) carry two record types: each record has the
 * header {@value #EVENT_HEADER} = {@value #METRIC} or {@value #ALERT}, the key is the instance id
 * for a {@link MetricEvent} and {@code <rule>|<instance>} for an {@link Alert}, and values use the
 * TopicRecordNameStrategy subjects {@code <topic>-io.harborai.worker.avro.MetricEvent} / {@code
 * ...Alert}, so both types evolve independently in the registry. Consumers pick the deserializer
 * by the header. Stateless.
 */
public final class MetricsTopic {
    private MetricsTopic() {}

    public static final String EVENT_HEADER = "harbor.event";
    public static final String METRIC = "metric";
    public static final String ALERT = "alert";

    /** The serde of MetricEvent values. */
    public static AvroSerde<MetricEvent> metricSerde(SchemaRegistryClient client, boolean autoRegister) {
        return AvroSerde.forTopicRecordName(client, MetricEvent.class, autoRegister);
    }

    /** The serde of Alert values. */
    public static AvroSerde<Alert> alertSerde(SchemaRegistryClient client, boolean autoRegister) {
        return AvroSerde.forTopicRecordName(client, Alert.class, autoRegister);
    }

    /** The key of an Alert record. */
    public static String alertKey(Alert alert) {
        return alert.getRule() + "|" + alert.getInstance();
    }

    /** {@value #METRIC}, {@value #ALERT}, or null when the record has no such header. */
    public static String eventType(Headers headers) {
        Header h = headers.lastHeader(EVENT_HEADER);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** Marks a record as {@code type}. */
    public static void mark(Headers headers, String type) {
        headers.remove(EVENT_HEADER).add(EVENT_HEADER, type.getBytes(StandardCharsets.UTF_8));
    }
}
