package io.harborai.worker.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.harborai.worker.avro.BatchControl;
import io.harborai.worker.batch.BatchCatalog;
import io.harborai.worker.batch.BatchState;
import io.harborai.worker.batch.UploadedFiles;
import io.harborai.worker.provider.OpenAiJson;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code /v1/batches}: create ({@code POST}), retrieve ({@code GET /{id}}), list ({@code GET} with
 * {@code after}/{@code limit}) and cancel ({@code POST /{id}/cancel}), as OpenAI's Batch API. State
 * lives in Kafka only ({@link BatchCatalog}); the lines are handed over by {@link BatchJobs}, so any
 * instance answers for any batch. A batch belongs to the tenant whose key created it.
 */
final class BatchRoutes {
    private static final Pattern WINDOW = Pattern.compile("(\\d{1,6})([mhd])");
    private static final int MAX_LIMIT = 100;

    private final BatchCatalog catalog;
    private final UploadedFiles files;
    private final BatchJobs jobs;
    private final Clock clock;

    BatchRoutes(BatchCatalog catalog, UploadedFiles files, BatchJobs jobs, Clock clock) {
        this.catalog = catalog;
        this.files = files;
        this.jobs = jobs;
        this.clock = clock;
    }

    /** Whether {@code tenant} may see the batch: its creator, or anyone when the gateway has no keys. */
    static boolean visible(BatchState batch, String tenant) {
        String owner = batch.control() == null ? null : batch.control().getTenant();
        return tenant == null || tenant.equals(owner);
    }

    void handle(HttpExchange ex, String tenant) throws IOException {
        String path = ex.getRequestURI().getPath();
        String method = ex.getRequestMethod();
        if (path.equals("/v1/batches") || path.equals("/v1/batches/")) {
            if ("POST".equals(method)) {
                create(ex, tenant);
            } else if ("GET".equals(method)) {
                list(ex, tenant);
            } else {
                Http.send(ex, OpenAiErrors.of(405, "invalid_request_error", "method_not_allowed", "use GET or POST"));
            }
            return;
        }
        String rest = path.substring("/v1/batches/".length());
        boolean cancel = rest.endsWith("/cancel");
        String id = cancel ? rest.substring(0, rest.length() - "/cancel".length()) : rest;
        if (id.isEmpty() || id.contains("/") || !(cancel ? "POST" : "GET").equals(method)) {
            Http.send(
                    ex, OpenAiErrors.of(404, "invalid_request_error", "not_found", "no route " + method + " " + path));
            return;
        }
        long now = clock.millis();
        Optional<BatchState> batch = catalog.get(id, now).filter(b -> visible(b, tenant));
        if (batch.isEmpty()) {
            Http.send(ex, OpenAiErrors.of(404, "invalid_request_error", "not_found", "No such Batch object: " + id));
            return;
        }
        BatchState state = cancel ? catalog.cancel(batch.get(), now) : batch.get();
        Http.sendJson(ex, 200, object(state, now).toString());
    }

    /** The batch as it is now, after recording its end or resuming its submit when due. */
    private ObjectNode object(BatchState state, long now) {
        BatchState s = catalog.finish(state, now);
        jobs.resumeIfStalled(s, now);
        return s.json(OpenAiJson.MAPPER);
    }

    private void create(HttpExchange ex, String tenant) throws IOException {
        JsonNode body;
        try (InputStream in = ex.getRequestBody()) {
            body = OpenAiJson.MAPPER.readTree(in);
        } catch (IOException e) {
            Http.send(ex, OpenAiErrors.of(400, "invalid_request_error", "invalid_json", "the body is not valid JSON"));
            return;
        }
        String fileId = body.path("input_file_id").asText("");
        String endpoint = body.path("endpoint").asText("");
        String window = body.path("completion_window").asText("");
        Matcher w = WINDOW.matcher(window);
        String problem = !"/v1/chat/completions".equals(endpoint)
                ? "endpoint must be /v1/chat/completions, got '" + endpoint + "'"
                : !w.matches()
                        ? "completion_window must be like 24h (minutes m, hours h or days d), got '" + window + "'"
                        : fileId.isEmpty() ? "input_file_id is required" : null;
        Optional<UploadedFiles.FileInfo> file = problem == null
                ? files.info(fileId).filter(f -> tenant == null || tenant.equals(f.tenant()))
                : Optional.empty();
        if (problem == null && file.isEmpty()) {
            problem = "input_file_id " + fileId + " names no file uploaded here";
        }
        if (problem != null) {
            Http.send(ex, OpenAiErrors.of(400, "invalid_request_error", "invalid_request", problem));
            return;
        }
        Map<String, String> metadata = new HashMap<>();
        body.path("metadata")
                .properties()
                .forEach(e -> metadata.put(e.getKey(), e.getValue().asText()));
        long now = clock.millis();
        String id = "batch_" + UploadedFiles.randomHex(12);
        BatchControl control = BatchControl.newBuilder()
                .setBatchId(id)
                .setTenant(tenant)
                .setInputFileId(fileId)
                .setEndpoint(endpoint)
                .setCompletionWindow(window)
                .setMetadata(metadata)
                .setCreatedAtMs(now)
                .setExpiresAtMs(now + window(w).toMillis())
                .build();
        catalog.write(control);
        jobs.start(id, file.get(), tenant);
        BatchState state = catalog.get(id, now).orElseThrow();
        Http.sendJson(ex, 200, state.json(OpenAiJson.MAPPER).toString());
    }

    private static Duration window(Matcher w) {
        long n = Long.parseLong(w.group(1));
        return switch (w.group(2)) {
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    private void list(HttpExchange ex, String tenant) throws IOException {
        Map<String, String> query = query(ex.getRequestURI().getRawQuery());
        int limit;
        try {
            limit = Math.max(1, Math.min(MAX_LIMIT, Integer.parseInt(query.getOrDefault("limit", "20"))));
        } catch (NumberFormatException e) {
            Http.send(ex, OpenAiErrors.of(400, "invalid_request_error", "invalid_limit", "limit must be a number"));
            return;
        }
        String after = query.get("after");
        long now = clock.millis();
        List<BatchState> all =
                catalog.list(now).stream().filter(b -> visible(b, tenant)).toList();
        int from = 0;
        if (after != null) {
            for (int i = 0; i < all.size(); i++) {
                if (all.get(i).id().equals(after)) {
                    from = i + 1;
                    break;
                }
            }
        }
        List<BatchState> page = all.subList(Math.min(from, all.size()), Math.min(from + limit, all.size()));
        ObjectNode node = OpenAiJson.MAPPER.createObjectNode();
        node.put("object", "list");
        ArrayNode data = node.putArray("data");
        page.forEach(b -> data.add(b.json(OpenAiJson.MAPPER)));
        node.put("first_id", page.isEmpty() ? null : page.get(0).id());
        node.put("last_id", page.isEmpty() ? null : page.get(page.size() - 1).id());
        node.put("has_more", from + limit < all.size());
        Http.sendJson(ex, 200, node.toString());
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new HashMap<>();
        if (raw == null) {
            return q;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                q.put(
                        URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return q;
    }
}
