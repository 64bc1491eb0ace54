package io.harborai.worker.batch;

import io.harborai.worker.topology.TopicSettings;
import java.util.Map;
import java.util.Objects;

/**
 * What {@code harbor submit} connects to. Immutable; {@link #toString()} leaves out the Kafka
 * properties and the registry URL, which may carry passwords.
 *
 * @param kafka properties every Kafka client gets ({@code kafka.*}, with {@code bootstrap.servers})
 * @param schemaRegistryUrl the registry the records' schemas are registered with
 * @param topics the topics it writes and, when {@link TopicSettings#create()}, creates
 */
public record BatchSettings(Map<String, Object> kafka, String schemaRegistryUrl, TopicSettings topics) {

    public BatchSettings {
        kafka = Map.copyOf(kafka);
        Objects.requireNonNull(topics, "topics");
    }

    @Override
    public String toString() {
        return "BatchSettings[topics=" + topics + "]";
    }
}
