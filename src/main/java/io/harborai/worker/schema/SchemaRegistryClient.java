package io.harborai.worker.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.Credentials;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * A client for the documented Confluent Schema Registry REST API (Avro schemas only), on the
 * shared {@link OkHttpClient} and Jackson.
 *
 * <p>Contract: every method makes at most one blocking HTTP call and maps any failure to a {@link
 * SchemaRegistryException} carrying the HTTP status and the registry's {@code error_code}. {@link
 * #register} (by subject and schema) and {@link #getById} (ids are immutable) are cached for the
 * life of the client; nothing else is, and failures are never cached. Basic auth is taken from
 * user info in the base URL ({@code http://user:pass@host:8081}) and sent as an {@code
 * Authorization} header; the user info never appears in a request URL or an exception message.
 *
 * <p>Limits: no schema references, no non-Avro schema types, no contexts, no deletes.
 *
 * <p>Threading: thread-safe. The only mutable state is the two caches, which are {@link
 * ConcurrentHashMap}s filled after the HTTP call returns (never inside {@code computeIfAbsent}, so
 * a slow registry cannot block callers of other keys). Two threads missing the same key at the
 * same time both call the registry; both calls are idempotent and return the same answer.
 */
public final class SchemaRegistryClient {

    /** The content type the registry speaks, for both requests and responses. */
    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    private static final MediaType MEDIA_TYPE = MediaType.get(CONTENT_TYPE);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final OkHttpClient http;
    private final HttpUrl baseUrl;
    private final String redactedBaseUrl;
    private final String authorization;
    private final Map<SubjectSchema, Integer> idsBySubjectSchema = new ConcurrentHashMap<>();
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();

    private record SubjectSchema(String subject, Schema schema) {}

    /**
     * @param http the application's shared client; timeouts and interceptors are taken from it
     * @param baseUrl e.g. {@code http://localhost:8081}, optionally with a path prefix and user info
     * @throws IllegalArgumentException if {@code baseUrl} is not an http(s) URL (the message does not
     *     repeat the URL, which may carry a password)
     */
    public SchemaRegistryClient(OkHttpClient http, String baseUrl) {
        this.http = Objects.requireNonNull(http, "http");
        HttpUrl parsed = HttpUrl.parse(Objects.requireNonNull(baseUrl, "baseUrl"));
        if (parsed == null) {
            throw new IllegalArgumentException("schema registry URL is not a valid http(s) URL");
        }
        this.authorization = parsed.username().isEmpty()
                ? null
                : Credentials.basic(parsed.username(), parsed.password(), StandardCharsets.UTF_8);
        this.baseUrl = parsed.newBuilder().username("").password("").build();
        this.redactedBaseUrl = this.baseUrl.toString();
    }

    /**
     * A client on a new {@link OkHttpClient} with all four timeouts set. For tools and tests; the
     * worker passes its shared client to the constructor instead.
     */
    public static SchemaRegistryClient create(String baseUrl) {
        OkHttpClient http = new OkHttpClient.Builder()
                .connectTimeout(Duration.ofSeconds(5))
                .readTimeout(Duration.ofSeconds(10))
                .writeTimeout(Duration.ofSeconds(10))
                .callTimeout(Duration.ofSeconds(30))
                .build();
        return new SchemaRegistryClient(http, baseUrl);
    }

    /** The base URL without user info, safe to log. */
    public String url() {
        return redactedBaseUrl;
    }

    /**
     * Registers {@code schema} under {@code subject} (POST /subjects/{subject}/versions) and returns
     * its global id. Registering a schema the subject already has returns the existing id. Cached.
     *
     * @throws SchemaRegistryException e.g. error 409 when incompatible, 42201 when invalid
     */
    public int register(String subject, Schema schema) {
        SubjectSchema key = new SubjectSchema(subject, schema);
        Integer cached = idsBySubjectSchema.get(key);
        if (cached != null) {
            return cached;
        }
        JsonNode body = call("POST", schemaBody(schema), "subjects", subject, "versions");
        int id = body.path("id").asInt();
        idsBySubjectSchema.putIfAbsent(key, id);
        return id;
    }

    /**
     * The schema with global id {@code id} (GET /schemas/ids/{id}). Cached forever once found.
     *
     * @throws SchemaRegistryException 404 / 40403 when no schema has this id
     */
    public Schema getById(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        JsonNode body = call("GET", null, "schemas", "ids", Integer.toString(id));
        Schema schema = parse(body.path("schema").asText());
        Schema raced = schemasById.putIfAbsent(id, schema);
        return raced != null ? raced : schema;
    }

    /**
     * One version of a subject (GET /subjects/{subject}/versions/{version}).
     *
     * @param version {@code "latest"} or a version number
     * @throws SchemaRegistryException 40401 unknown subject, 40402 unknown version
     */
    public RegisteredSchema getVersion(String subject, String version) {
        return registered(call("GET", null, "subjects", subject, "versions", version));
    }

    /**
     * Whether {@code schema} is registered under {@code subject} (POST /subjects/{subject}).
     *
     * @throws SchemaRegistryException 40401 unknown subject, 40403 schema not under this subject
     */
    public RegisteredSchema lookup(String subject, Schema schema) {
        return registered(call("POST", schemaBody(schema), "subjects", subject));
    }

    /**
     * Whether {@code schema} may be registered next under {@code subject} by the subject's
     * compatibility level (POST /compatibility/subjects/{subject}/versions/latest). A subject with no
     * versions is compatible with anything: the 404 the registry answers for it means {@code true}.
     */
    public boolean isCompatible(String subject, Schema schema) {
        try {
            JsonNode body =
                    call("POST", schemaBody(schema), "compatibility", "subjects", subject, "versions", "latest");
            return body.path("is_compatible").asBoolean(false);
        } catch (SchemaRegistryException e) {
            if (e.errorCode() == SchemaRegistryException.SUBJECT_NOT_FOUND
                    || e.errorCode() == SchemaRegistryException.VERSION_NOT_FOUND) {
                return true;
            }
            throw e;
        }
    }

    /**
     * Fails fast when the registry refuses this client's credentials (HTTP 401 or 403 to GET
     * /subjects). An unreachable or slow registry is not an error here: the check gives up after
     * {@code timeout} and the caller goes on, as without the check.
     *
     * @throws IllegalStateException naming the registry and the keys to check, never the password
     */
    public void checkAccess(Duration timeout) {
        Request.Builder request = new Request.Builder()
                .url(baseUrl.newBuilder().addPathSegment("subjects").build())
                .header("Accept", CONTENT_TYPE);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        try (Response response = http.newBuilder()
                .callTimeout(timeout)
                .build()
                .newCall(request.build())
                .execute()) {
            if (response.code() == 401 || response.code() == 403) {
                throw new IllegalStateException("Schema registry: authentication failed at " + redactedBaseUrl
                        + " (HTTP " + response.code() + (authorization == null ? ", no credentials given" : "")
                        + "; check schema-registry.username and schema-registry.password-file, or the user info "
                        + "in schema-registry.url)");
            }
        } catch (IOException e) {
            // unreachable or slow: the serdes report it when they need the registry
        }
    }

    /** All subject names (GET /subjects). */
    public List<String> subjects() {
        List<String> subjects = new ArrayList<>();
        call("GET", null, "subjects").forEach(node -> subjects.add(node.asText()));
        return subjects;
    }

    /**
     * The version numbers of {@code subject} (GET /subjects/{subject}/versions).
     *
     * @throws SchemaRegistryException 40401 unknown subject
     */
    public List<Integer> versions(String subject) {
        List<Integer> versions = new ArrayList<>();
        call("GET", null, "subjects", subject, "versions").forEach(n -> versions.add(n.asInt()));
        return versions;
    }

    private RegisteredSchema registered(JsonNode body) {
        return new RegisteredSchema(
                body.path("subject").asText(),
                body.path("version").asInt(),
                body.path("id").asInt(),
                parse(body.path("schema").asText()));
    }

    private static String schemaBody(Schema schema) {
        ObjectNode node = JSON.createObjectNode();
        node.put("schema", schema.toString());
        return node.toString();
    }

    private Schema parse(String text) {
        try {
            // A fresh parser per schema: a parser remembers named types and would reject redefinitions.
            return new Schema.Parser().parse(text);
        } catch (SchemaParseException e) {
            // The call itself succeeded (200); the registry's text is what is wrong, hence 42201.
            throw new SchemaRegistryException(
                    "registry at " + redactedBaseUrl + " returned an unparseable schema",
                    200,
                    SchemaRegistryException.INVALID_SCHEMA,
                    e);
        }
    }

    /**
     * Sends one request and returns the parsed JSON body of a 2xx answer. Path segments are encoded
     * by OkHttp, so subjects may contain any character.
     */
    private JsonNode call(String method, String jsonBody, String... segments) {
        HttpUrl.Builder url = baseUrl.newBuilder();
        for (String segment : segments) {
            url.addPathSegment(segment);
        }
        HttpUrl target = url.build();
        Request.Builder request = new Request.Builder()
                .url(target)
                .header("Accept", CONTENT_TYPE)
                .method(method, jsonBody == null ? null : RequestBody.create(jsonBody, MEDIA_TYPE));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        String what = method + " " + target.encodedPath();
        try (Response response = http.newCall(request.build()).execute()) {
            String text = response.body().string();
            if (!response.isSuccessful()) {
                throw failure(what, response.code(), text);
            }
            return JSON.readTree(text);
        } catch (IOException e) {
            // The target URL carries no user info (it was stripped in the constructor), but OkHttp's
            // messages are not ours to vouch for, so ours names only the redacted base URL.
            throw new SchemaRegistryException(
                    what + " at " + redactedBaseUrl + " failed: " + e.getClass().getSimpleName(),
                    SchemaRegistryException.NO_RESPONSE,
                    SchemaRegistryException.NO_RESPONSE,
                    e);
        }
    }

    private SchemaRegistryException failure(String what, int status, String text) {
        int errorCode = status;
        String message = "";
        try {
            JsonNode error = JSON.readTree(text);
            errorCode = error.path("error_code").asInt(status);
            message = error.path("message").asText("");
        } catch (IOException notJson) {
            // A proxy's HTML error page: the status alone is the diagnosis.
        }
        return new SchemaRegistryException(
                what + " at " + redactedBaseUrl + " returned HTTP " + status + ", error_code " + errorCode
                        + (message.isEmpty() ? "" : ": " + message),
                status,
                errorCode,
                null);
    }
}
