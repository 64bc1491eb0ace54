package io.harborai.worker.bench;

import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.batch.ClientDefaults;
import io.harborai.worker.schema.AvroSerde;
import io.harborai.worker.schema.SchemaRegistryClient;
import io.harborai.worker.topology.TopicBootstrap;
import io.harborai.worker.topology.TopicSettings;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The bench's own Kafka clients (outside the workers): the topics it needs, the request producer
 * and the result consumer, all with the worker's client defaults and Avro serdes, so the bench
 * speaks the wire format a real client would.
 *
 * <p>Threading: stateless; each client returned belongs to the caller.
 */
final class BenchClients {
    private BenchClients() {}

    /** Creates the topics the bench reads or writes before any worker starts. */
    static void ensureTopics(Map<String, Object> common, TopicSettings settings, List<String> topics) {
        try (Admin admin = Admin.create(common)) {
            TopicBootstrap.ensure(admin, topics, settings.partitions(), settings.replication());
        }
    }

    static Map<String, Object> producerProps(Map<String, Object> common) {
        Map<String, Object> p = new HashMap<>(common);
        p.putAll(ClientDefaults.producer());
        return p;
    }

    static KafkaProducer<String, ChatRequest> requestProducer(
            Map<String, Object> common, SchemaRegistryClient registry) {
        return new KafkaProducer<>(
                producerProps(common),
                new StringSerializer(),
                new AvroSerde<>(registry, ChatRequest.class, true).serializer());
    }

    static KafkaConsumer<String, ChatResult> resultConsumer(
            Map<String, Object> common, SchemaRegistryClient registry, String clientId) {
        Map<String, Object> c = new HashMap<>(common);
        c.putAll(ClientDefaults.consumer());
        c.put("client.id", clientId);
        return new KafkaConsumer<>(
                c, new StringDeserializer(), new AvroSerde<>(registry, ChatResult.class, false).deserializer());
    }
}
