package io.harborai.worker.provider.capability;

/**
 * How much of OpenAI's {@code response_format} a model honours. {@link RequestAdapter} degrades a
 * request to what the model supports and adds a prompt instruction for what it cannot enforce.
 */
public enum StructuredSupport {
    /** {@code {"type":"json_schema","json_schema":{...}}} is enforced by the provider. */
    JSON_SCHEMA,
    /** Only {@code {"type":"json_object"}}: valid JSON, but the schema must be asked for in words. */
    JSON_OBJECT,
    /** No {@code response_format} at all: JSON is only asked for in words. */
    NONE
}
