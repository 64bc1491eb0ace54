package io.harborai.worker.schema;

import java.util.Objects;
import org.apache.avro.Schema;

/**
 * One version of a subject as the registry reports it.
 *
 * @param subject the subject name, e.g. {@code chat-requests-value}
 * @param version the version within the subject, from 1
 * @param id the global schema id written into the wire format
 * @param schema the schema, parsed from the registry's text
 */
public record RegisteredSchema(String subject, int version, int id, Schema schema) {
    public RegisteredSchema {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(schema, "schema");
    }
}
