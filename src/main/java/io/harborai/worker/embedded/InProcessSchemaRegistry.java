package io.harborai.worker.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.harborai.worker.http.JdkHttpServers;
import io.harborai.worker.schema.SchemaRegistryClient;
import io.harborai.worker.schema.SchemaRegistryException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.Credentials;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/**
 * A schema registry in this JVM that speaks the subset of the Confluent REST API that {@link
 * SchemaRegistryClient} uses, for tests and the embedded default ({@code harbor dev}).
 *
 * <p>Contract, as Confluent behaves: ids are global and start at 1; the same schema (compared by
 * Avro's canonical {@link Schema#toString()}) gets the same id under every subject; registering a
 * schema a subject already has returns its id without a new version; the compatibility level is
 * always BACKWARD against the latest version (the new schema, as reader, must read data written
 * with the latest), checked with {@link SchemaCompatibility}; errors are Confluent's JSON bodies
 * {@code {"error_code":..., "message":...}} with Confluent's statuses.
 *
 * <p>Optional HTTP basic auth ({@link #start(int, String, String)}): a request without the right
 * {@code Authorization} header gets 401 and Confluent's {@code {"error_code":401, ...}} body, as
 * the real registry behind {@code authentication.method=BASIC} answers.
 *
 * <p>Limits: memory only, Avro only, one user, no deletes, no references, no config changes.
 *
 * <p>Threading: the JDK server accepts on its own thread and runs each exchange on a small fixed
 * pool. All registry state (subjects with their version lists, ids by schema text, schemas by id)
 * is guarded by the monitor of {@code this}: every read and write of it is inside one {@code
 * synchronized} method, so an exchange sees a consistent snapshot (a register checks compatibility
 * and appends a version atomically). JSON parsing and response writing happen outside the monitor.
 */
public final class InProcessSchemaRegistry implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int THREADS = 4;

    private final HttpServer server;
    private final ExecutorService executor;
    /** The one accepted {@code Authorization} value, or null for none asked. */
    private final byte[] authorization;

    private final AtomicLong refused = new AtomicLong();

    // Guarded by this.
    private final Map<String, List<Integer>> subjects = new LinkedHashMap<>();
    private final Map<String, Integer> idsByText = new LinkedHashMap<>();
    private final Map<Integer, Schema> schemasById = new LinkedHashMap<>();

    private InProcessSchemaRegistry(HttpServer server, ExecutorService executor, String authorization) {
        this.server = server;
        this.executor = executor;
        this.authorization = authorization == null ? null : authorization.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Starts a registry on 127.0.0.1.
     *
     * @param port the port, or 0 for an ephemeral one (see {@link #url()})
     */
    public static InProcessSchemaRegistry start(int port) {
        return start(port, null, null);
    }

    /**
     * Starts a registry on 127.0.0.1 that answers only requests with HTTP basic auth for {@code
     * user} and {@code password} (both null = no auth).
     *
     * @param port the port, or 0 for an ephemeral one (see {@link #url()})
     */
    public static InProcessSchemaRegistry start(int port, String user, String password) {
        if ((user == null) != (password == null)) {
            throw new IllegalArgumentException("basic auth needs a user and a password");
        }
        String expected = user == null ? null : Credentials.basic(user, password, StandardCharsets.UTF_8);
        AtomicInteger threadNumber = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "schema-registry-" + threadNumber.incrementAndGet());
            t.setDaemon(true); // a test that forgets close() must not keep the JVM alive
            return t;
        });
        try {
            JdkHttpServers.tune(); // before the JVM's first HttpServer fixes the settings
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 0);
            InProcessSchemaRegistry registry = new InProcessSchemaRegistry(server, executor, expected);
            server.createContext("/", registry::handle);
            server.setExecutor(executor);
            server.start();
            return registry;
        } catch (IOException e) {
            executor.shutdownNow();
            throw new UncheckedIOException("cannot start the in-process schema registry", e);
        }
    }

    /** The base URL, like {@code http://127.0.0.1:PORT}. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Requests answered 401 for missing or wrong credentials. */
    public long refused() {
        return refused.get();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    /** An error answered with Confluent's JSON body. */
    private static final class RegistryError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        final int status;
        final int errorCode;

        RegistryError(int status, int errorCode, String message) {
            super(message, null, false, false);
            this.status = status;
            this.errorCode = errorCode;
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        int status = 200;
        Object body;
        try {
            if (authorization != null && !admitted(exchange.getRequestHeaders().getFirst("Authorization"))) {
                refused.incrementAndGet();
                exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"schema-registry\"");
                throw new RegistryError(401, 401, "Unauthorized");
            }
            body = route(exchange.getRequestMethod(), segments(exchange), exchange);
        } catch (RegistryError e) {
            status = e.status;
            body = error(e.errorCode, e.getMessage());
        } catch (RuntimeException e) {
            status = 500;
            body = error(
                    50001, "Error in the backend data store: " + e.getClass().getSimpleName());
        }
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", SchemaRegistryClient.CONTENT_TYPE);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private boolean admitted(String header) {
        return header != null && MessageDigest.isEqual(authorization, header.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> segments(HttpExchange exchange) {
        List<String> segments = new ArrayList<>();
        // Decode each raw segment on its own so that an encoded '/' stays inside its subject name.
        for (String raw : exchange.getRequestURI().getRawPath().split("/")) {
            if (!raw.isEmpty()) {
                segments.add(URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8));
            }
        }
        return segments;
    }

    private Object route(String method, List<String> p, HttpExchange exchange) throws IOException {
        int n = p.size();
        boolean get = method.equals("GET");
        boolean post = method.equals("POST");
        if (n == 1 && p.get(0).equals("config") && get) {
            return Map.of("compatibilityLevel", "BACKWARD");
        }
        if (n == 1 && p.get(0).equals("subjects") && get) {
            return subjectNames();
        }
        if (n == 3 && p.get(0).equals("schemas") && p.get(1).equals("ids") && get) {
            return Map.of("schema", schemaById(p.get(2)).toString());
        }
        if (n >= 2 && p.get(0).equals("subjects")) {
            String subject = p.get(1);
            if (n == 2 && post) {
                return lookup(subject, schemaFrom(exchange));
            }
            if (n == 3 && p.get(2).equals("versions") && get) {
                return versionNumbers(subject);
            }
            if (n == 3 && p.get(2).equals("versions") && post) {
                return Map.of("id", register(subject, schemaFrom(exchange)));
            }
            if (n == 4 && p.get(2).equals("versions") && get) {
                return version(subject, p.get(3));
            }
        }
        if (n == 5
                && p.get(0).equals("compatibility")
                && p.get(1).equals("subjects")
                && p.get(3).equals("versions")
                && post) {
            return Map.of("is_compatible", isCompatible(p.get(2), p.get(4), schemaFrom(exchange)));
        }
        throw new RegistryError(404, 404, "HTTP 404 Not Found");
    }

    private static Schema schemaFrom(HttpExchange exchange) throws IOException {
        JsonNode request;
        try (InputStream in = exchange.getRequestBody()) {
            request = JSON.readTree(in);
        } catch (IOException e) {
            throw new RegistryError(400, 400, "Unrecognized request body: not JSON");
        }
        JsonNode type = request == null ? null : request.get("schemaType");
        if (type != null && !type.asText().equals("AVRO")) {
            throw new RegistryError(422, 42201, "Invalid schema: only AVRO is supported here");
        }
        JsonNode text = request == null ? null : request.get("schema");
        if (text == null || !text.isTextual()) {
            throw new RegistryError(422, 42201, "Invalid schema: missing \"schema\"");
        }
        try {
            return new Schema.Parser().parse(text.asText());
        } catch (RuntimeException e) {
            throw new RegistryError(422, 42201, "Invalid schema: " + e.getMessage());
        }
    }

    private static Map<String, Object> error(int errorCode, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error_code", errorCode);
        body.put("message", message);
        return body;
    }

    private synchronized List<String> subjectNames() {
        return new ArrayList<>(subjects.keySet());
    }

    private synchronized List<Integer> versionNumbers(String subject) {
        int count = versionsOf(subject).size();
        List<Integer> numbers = new ArrayList<>(count);
        for (int v = 1; v <= count; v++) {
            numbers.add(v);
        }
        return numbers;
    }

    private synchronized Schema schemaById(String idText) {
        Schema schema = null;
        try {
            schema = schemasById.get(Integer.parseInt(idText));
        } catch (NumberFormatException e) {
            // fall through: not a number is not found, as in Confluent
        }
        if (schema == null) {
            throw new RegistryError(404, SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema " + idText + " not found");
        }
        return schema;
    }

    private synchronized int register(String subject, Schema schema) {
        String text = schema.toString();
        List<Integer> versions = subjects.get(subject);
        Integer existing = idsByText.get(text);
        if (versions != null && existing != null && versions.contains(existing)) {
            return existing;
        }
        if (versions != null && !versions.isEmpty()) {
            Schema latest = schemasById.get(versions.get(versions.size() - 1));
            SchemaCompatibility.SchemaPairCompatibility result = backward(latest, schema);
            if (result.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
                throw new RegistryError(
                        409,
                        SchemaRegistryException.INCOMPATIBLE,
                        "Schema being registered is incompatible with an earlier schema for subject \"" + subject
                                + "\", details: " + result.getResult().getIncompatibilities());
            }
        }
        int id = existing != null ? existing : schemasById.size() + 1;
        idsByText.put(text, id);
        schemasById.put(id, schema);
        subjects.computeIfAbsent(subject, s -> new ArrayList<>()).add(id);
        return id;
    }

    private synchronized Map<String, Object> lookup(String subject, Schema schema) {
        List<Integer> versions = versionsOf(subject);
        Integer id = idsByText.get(schema.toString());
        int index = id == null ? -1 : versions.indexOf(id);
        if (index < 0) {
            throw new RegistryError(404, SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema not found");
        }
        return versionBody(subject, index + 1, id);
    }

    private synchronized Map<String, Object> version(String subject, String versionText) {
        List<Integer> versions = versionsOf(subject);
        int version = versionNumber(versionText, versions.size());
        if (version < 1 || version > versions.size()) {
            throw new RegistryError(
                    404, SchemaRegistryException.VERSION_NOT_FOUND, "Version " + versionText + " not found.");
        }
        return versionBody(subject, version, versions.get(version - 1));
    }

    private synchronized boolean isCompatible(String subject, String versionText, Schema schema) {
        List<Integer> versions = versionsOf(subject);
        int version = versionNumber(versionText, versions.size());
        if (version < 1 || version > versions.size()) {
            throw new RegistryError(
                    404, SchemaRegistryException.VERSION_NOT_FOUND, "Version " + versionText + " not found.");
        }
        return backward(schemasById.get(versions.get(version - 1)), schema).getType()
                == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE;
    }

    // Caller holds the monitor.
    private List<Integer> versionsOf(String subject) {
        List<Integer> versions = subjects.get(subject);
        if (versions == null) {
            throw new RegistryError(
                    404, SchemaRegistryException.SUBJECT_NOT_FOUND, "Subject '" + subject + "' not found.");
        }
        return versions;
    }

    private static int versionNumber(String text, int latest) {
        if (text.equals("latest") || text.equals("-1")) {
            return latest;
        }
        try {
            int version = Integer.parseInt(text);
            if (version > 0) {
                return version;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new RegistryError(
                422,
                SchemaRegistryException.INVALID_VERSION,
                "The specified version '" + text + "' is not a valid version id. Allowed values are"
                        + " between [1, 2^31-1] and the string \"latest\"");
    }

    // Caller holds the monitor.
    private Map<String, Object> versionBody(String subject, int version, int id) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("subject", subject);
        body.put("version", version);
        body.put("id", id);
        body.put("schema", schemasById.get(id).toString());
        return body;
    }

    /** BACKWARD: the candidate, as reader, must read what the existing schema wrote. */
    private static SchemaCompatibility.SchemaPairCompatibility backward(Schema existing, Schema candidate) {
        return SchemaCompatibility.checkReaderWriterCompatibility(candidate, existing);
    }
}
