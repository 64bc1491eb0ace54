package io.harborai.worker.testinfra;

import io.harborai.worker.embedded.InProcessSchemaRegistry;
import io.harborai.worker.schema.SchemaRegistryClient;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An in-process schema registry for one test class (register it as a {@code static}
 * {@code @RegisterExtension} field): started before the first test, closed after the last, so
 * topology tests serialise real Confluent-framed Avro without a broker.
 */
public final class InProcessRegistry implements BeforeAllCallback, AfterAllCallback {
    private InProcessSchemaRegistry registry;
    private SchemaRegistryClient client;

    @Override
    public void beforeAll(ExtensionContext context) {
        registry = InProcessSchemaRegistry.start(0);
        client = SchemaRegistryClient.create(registry.url());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        registry.close();
    }

    /** A client of the running registry. */
    public SchemaRegistryClient client() {
        return client;
    }
}
