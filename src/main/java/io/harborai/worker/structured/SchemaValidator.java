package io.harborai.worker.structured;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.networknt.schema.AbsoluteIri;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.ValidationLimitExceededException;
import com.networknt.schema.path.PathType;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Validates JSON values against JSON Schema text with the networknt validator.
 *
 * <p><b>Dialect</b>: draft 2020-12 unless the schema names another with {@code $schema} (drafts
 * 4, 6, 7, 2019-09 and 2020-12; an unknown {@code $schema} makes the schema invalid).
 *
 * <p><b>Formats are asserted</b> ({@code "format": "date"} rejects {@code "tomorrow"}), in every
 * draft, although 2020-12 makes them annotations by default: the caller asked for that format,
 * and a re-ask is cheaper than a value the caller cannot parse. Unknown formats are ignored.
 *
 * <p><b>No network</b>: the registry has no remote resource loader and may load only the standard
 * meta-schemas (bundled in the library jar), so a {@code $ref} to any other {@code http(s):} or
 * {@code file:} resource makes the schema invalid at once; it never blocks on I/O. Refs inside the
 * schema ({@code #/$defs/x}) work.
 *
 * <p><b>Invalid schemas</b> (not JSON, not an object or boolean, failing its draft's meta-schema,
 * a bad regex, an unresolvable {@code $ref}) raise {@link IllegalArgumentException} with the first
 * {@value #MAX_SCHEMA_ERRORS} problems; the caller turns that into a FAILED result. The outcome
 * is cached too, so a bad schema costs one compilation.
 *
 * <p><b>Limits</b>: each schema text is compiled once and kept in a Caffeine cache bounded to
 * {@code cacheSize} entries (keyed by the exact text); at most {@value #MAX_ERRORS} errors are
 * reported per validation; one validation may take at most {@value #MAX_EVALUATION_STEPS}
 * evaluation steps, beyond which it fails with an error saying so. Messages are in English
 * whatever the JVM locale, and name the instance location as a JSON path ({@code $.a.b[0]}).
 *
 * <p>Thread-safe: the registry and compiled schemas are immutable after construction and shared
 * by all threads; the cache is Caffeine's concurrent cache (a schema text is compiled once even
 * when several threads ask for it at the same time); the few meta-schemas are loaded lazily under
 * the lock of their map, only while a new schema text is compiled.
 */
public final class SchemaValidator {
    /** Compiled schemas kept by {@link #SchemaValidator()}. */
    public static final int DEFAULT_CACHE_SIZE = 256;
    /** Errors reported per validation, at most. */
    public static final int MAX_ERRORS = 20;
    /** Problems listed in the message of an invalid schema, at most. */
    static final int MAX_SCHEMA_ERRORS = 5;
    /** Keyword evaluations per validation; a limit against pathological schemas and values. */
    static final long MAX_EVALUATION_STEPS = 1_000_000;

    private static final SpecificationVersion DEFAULT_DRAFT = SpecificationVersion.DRAFT_2020_12;

    private final SchemaRegistry registry;
    private final Cache<String, Compiled> compiled;
    /** Meta-schemas by draft; at most one entry per draft, loaded from the library's classpath. */
    private final Map<SpecificationVersion, Schema> metaSchemas = new EnumMap<>(SpecificationVersion.class);

    /** A validator caching {@value #DEFAULT_CACHE_SIZE} compiled schemas. */
    public SchemaValidator() {
        this(DEFAULT_CACHE_SIZE);
    }

    /**
     * A validator caching up to {@code cacheSize} compiled schemas.
     *
     * @throws IllegalArgumentException if {@code cacheSize < 1}
     */
    public SchemaValidator(int cacheSize) {
        if (cacheSize < 1) {
            throw new IllegalArgumentException("cacheSize must be at least 1, was " + cacheSize);
        }
        SchemaRegistryConfig config = SchemaRegistryConfig.builder()
                .pathType(PathType.JSON_PATH)
                .formatAssertionsEnabled(true)
                .locale(Locale.ENGLISH)
                .build();
        this.registry = SchemaRegistry.withDefaultDialect(
                DEFAULT_DRAFT,
                b -> b.schemaRegistryConfig(config)
                        .schemaLoader(
                                loader -> loader.fetchRemoteResources(false).allow(SchemaValidator::bundled)));
        this.compiled = Caffeine.newBuilder().maximumSize(cacheSize).build();
    }

    /**
     * Validates {@code instance} against the schema in {@code schemaJson}.
     *
     * @return human-readable errors, each {@code "<instance path>: <problem>"}, in the library's
     *     order, without duplicates, at most {@value #MAX_ERRORS}; empty when valid
     * @throws IllegalArgumentException if the schema text is not a valid JSON Schema
     */
    public List<String> validate(String schemaJson, JsonNode instance) {
        try {
            return validateText(schemaJson, JsonExtractor.MAPPER.writeValueAsString(instance));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e); // a JsonNode always serializes
        }
    }

    /** As {@link #validate(String, JsonNode)} for an instance given as JSON text. */
    List<String> validateText(String schemaJson, String instanceJson) {
        Schema schema = schema(schemaJson);
        List<Error> errors;
        try {
            errors = schema.validate(
                    instanceJson,
                    InputFormat.JSON,
                    ctx -> ctx.executionConfig(c -> c.maxEvaluationSteps(MAX_EVALUATION_STEPS)));
        } catch (ValidationLimitExceededException e) {
            return List.of("$: validation stopped after " + e.getLimit() + " steps; simplify the value");
        } catch (RuntimeException e) {
            // A ref resolved lazily (only for some values) can still fail here.
            throw invalid(List.of(firstLine(e)), e);
        }
        return describe(errors, MAX_ERRORS);
    }

    /** The compiled schema, compiling and caching it on first use. */
    private Schema schema(String schemaJson) {
        if (schemaJson == null || schemaJson.isBlank()) {
            throw new IllegalArgumentException("invalid JSON Schema: the schema text is empty");
        }
        Compiled c = compiled.get(schemaJson, this::compile);
        if (c.schema == null) {
            throw invalid(c.problems, null);
        }
        return c.schema;
    }

    private Compiled compile(String schemaJson) {
        Schema schema;
        try {
            schema = registry.getSchema(schemaJson, InputFormat.JSON);
            List<String> problems = metaSchemaErrors(schema, schemaJson);
            if (!problems.isEmpty()) {
                return new Compiled(null, problems);
            }
            schema.initializeValidators(); // resolves $refs now, so a remote one fails here
            return new Compiled(schema, List.of());
        } catch (RuntimeException e) {
            return new Compiled(null, List.of(firstLine(e)));
        }
    }

    /** Errors of the schema text against the meta-schema of its draft. */
    private List<String> metaSchemaErrors(Schema schema, String schemaJson) {
        tools.jackson.databind.JsonNode node = schema.getSchemaNode();
        Optional<SpecificationVersion> draft = node.isObject() && node.has("$schema")
                ? SpecificationVersion.fromSchemaNode(node)
                : Optional.of(DEFAULT_DRAFT);
        if (draft.isEmpty()) {
            return List.of(); // a dialect the library loaded but we do not know: it checked what it could
        }
        return describe(metaSchema(draft.get()).validate(schemaJson, InputFormat.JSON), MAX_SCHEMA_ERRORS);
    }

    private Schema metaSchema(SpecificationVersion draft) {
        synchronized (metaSchemas) {
            return metaSchemas.computeIfAbsent(draft, d -> registry.getSchema(SchemaLocation.of(d.getDialectId())));
        }
    }

    /**
     * Only the standard meta-schemas (bundled in the library jar) may be loaded. Without a remote
     * loader nothing else could be anyway; the allow-list makes the refusal explicit and its
     * message clear ("Schema from '...' is not allowed to be loaded").
     */
    private static boolean bundled(AbsoluteIri iri) {
        String s = iri.toString();
        return s.startsWith("https://json-schema.org/draft/") || s.startsWith("http://json-schema.org/draft-");
    }

    private static List<String> describe(List<Error> errors, int max) {
        Set<String> out = new LinkedHashSet<>();
        for (Error e : errors) {
            if (out.size() == max) {
                break;
            }
            out.add(e.getInstanceLocation() + ": " + e.getMessage());
        }
        return List.copyOf(out);
    }

    /** The first line of an exception's message (Jackson appends a source location on the next). */
    private static String firstLine(RuntimeException e) {
        String m = String.valueOf(e.getMessage()).strip();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl).strip();
    }

    private static IllegalArgumentException invalid(List<String> problems, Throwable cause) {
        List<String> shown = new ArrayList<>(problems.subList(0, Math.min(problems.size(), MAX_SCHEMA_ERRORS)));
        return new IllegalArgumentException("invalid JSON Schema: " + String.join("; ", shown), cause);
    }

    /** A compilation outcome: the schema, or (schema null) why the text is not a valid schema. */
    private record Compiled(Schema schema, List<String> problems) {}
}
