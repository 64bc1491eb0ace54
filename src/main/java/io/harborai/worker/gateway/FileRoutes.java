package io.harborai.worker.gateway;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.harborai.worker.batch.BatchCatalog;
import io.harborai.worker.batch.BatchState;
import io.harborai.worker.batch.ResultFiles;
import io.harborai.worker.batch.UploadedFiles;
import io.harborai.worker.provider.OpenAiJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.stream.EntityState;
import org.apache.james.mime4j.stream.MimeConfig;
import org.apache.james.mime4j.stream.MimeTokenStream;

/**
 * {@code /v1/files}: {@code POST} (multipart upload, purpose {@code batch}), {@code GET /{id}} and
 * {@code GET /{id}/content}. Uploads stream into {@code topics.files} ({@link UploadedFiles}) as
 * they arrive, never held whole; a batch's output and error files stream from the results topic
 * ({@link ResultFiles}). A file belongs to the tenant whose key uploaded it (or, for output files,
 * created the batch): another tenant gets 404.
 */
final class FileRoutes {
    private static final Pattern NAME = Pattern.compile("(?i)\\bname=\"([^\"]*)\"");
    private static final Pattern FILENAME = Pattern.compile("(?i)\\bfilename=\"([^\"]*)\"");
    private static final MimeConfig MIME = new MimeConfig.Builder()
            .setMaxLineLen(-1)
            .setMaxHeaderLen(-1)
            .setMaxContentLen(-1)
            .build();

    private final UploadedFiles files;
    private final BatchCatalog batches;

    FileRoutes(UploadedFiles files, BatchCatalog batches) {
        this.files = files;
        this.batches = batches;
    }

    void handle(HttpExchange ex, String tenant) throws IOException {
        String path = ex.getRequestURI().getPath();
        String method = ex.getRequestMethod();
        if (path.equals("/v1/files") || path.equals("/v1/files/")) {
            if (!"POST".equals(method)) {
                Http.send(ex, OpenAiErrors.of(405, "invalid_request_error", "method_not_allowed", "use POST"));
                return;
            }
            upload(ex, tenant);
            return;
        }
        String rest = path.substring("/v1/files/".length());
        boolean content = rest.endsWith("/content");
        String id = content ? rest.substring(0, rest.length() - "/content".length()) : rest;
        if (!"GET".equals(method) || id.isEmpty() || id.contains("/")) {
            Http.send(ex, OpenAiErrors.of(404, "invalid_request_error", "not_found", "no route " + path));
            return;
        }
        if (UploadedFiles.isUploadId(id)) {
            Optional<UploadedFiles.FileInfo> info =
                    files.info(id).filter(f -> tenant == null || tenant.equals(f.tenant()));
            if (info.isEmpty()) {
                notFound(ex, id);
            } else if (content) {
                ex.getResponseHeaders().set("Content-Type", "application/jsonl");
                ex.sendResponseHeaders(
                        200, info.get().bytes() == 0 ? -1 : info.get().bytes());
                try (InputStream in = files.open(info.get());
                        OutputStream out = ex.getResponseBody()) {
                    in.transferTo(out);
                }
            } else {
                Http.sendJson(ex, 200, fileObject(info.get()));
            }
            return;
        }
        Optional<ResultFiles.Ref> ref = ResultFiles.parse(id);
        Optional<BatchState> batch = ref.flatMap(r -> batches.get(r.batchId(), System.currentTimeMillis()))
                .filter(b -> BatchRoutes.visible(b, tenant) && b.submit() != null);
        if (batch.isEmpty()) {
            notFound(ex, id);
        } else if (content) {
            ex.getResponseHeaders().set("Content-Type", "application/jsonl");
            ex.sendResponseHeaders(200, 0); // chunked: the length is known only at the end
            try (OutputStream out = ex.getResponseBody()) {
                batches.writeResults(batch.get().submit(), ref.get().errors(), out);
            }
        } else {
            ObjectNode node = OpenAiJson.MAPPER.createObjectNode();
            node.put("id", id);
            node.put("object", "file");
            node.put("bytes", 0); // streamed on demand: not known without reading it
            node.put("created_at", batch.get().submit().getCreatedAtMs() / 1000);
            node.put("filename", ref.get().batchId() + (ref.get().errors() ? "_errors.jsonl" : "_output.jsonl"));
            node.put("purpose", "batch_output");
            node.put("status", "processed");
            Http.sendJson(ex, 200, node.toString());
        }
    }

    private static void notFound(HttpExchange ex, String id) throws IOException {
        Http.send(ex, OpenAiErrors.of(404, "invalid_request_error", "not_found", "No such File object: " + id));
    }

    /** Streams the multipart body: the {@code file} part goes to the topic as it is read. */
    private void upload(HttpExchange ex, String tenant) throws IOException {
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("multipart/form-data")) {
            Http.send(
                    ex,
                    OpenAiErrors.of(
                            400,
                            "invalid_request_error",
                            "invalid_content_type",
                            "POST /v1/files takes multipart/form-data with the parts file and purpose"));
            return;
        }
        MimeTokenStream parts = new MimeTokenStream(MIME);
        String purpose = null;
        UploadedFiles.FileInfo stored = null;
        try (InputStream in = ex.getRequestBody()) {
            parts.parseHeadless(in, type);
            String name = null;
            String filename = null;
            for (EntityState s = parts.getState(); s != EntityState.T_END_OF_STREAM; s = parts.next()) {
                if (s == EntityState.T_START_BODYPART) {
                    name = null;
                    filename = null;
                } else if (s == EntityState.T_FIELD
                        && "content-disposition"
                                .equalsIgnoreCase(parts.getField().getName())) {
                    String value = parts.getField().getBody();
                    name = group(NAME, value);
                    filename = group(FILENAME, value);
                } else if (s == EntityState.T_BODY && "purpose".equals(name)) {
                    purpose = new String(parts.getDecodedInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                } else if (s == EntityState.T_BODY && "file".equals(name) && stored == null) {
                    stored = files.upload(
                            parts.getDecodedInputStream(),
                            Objects.requireNonNullElse(filename, "upload.jsonl"),
                            "batch",
                            tenant);
                }
            }
        } catch (MimeException e) {
            Http.send(ex, OpenAiErrors.of(400, "invalid_request_error", "invalid_multipart", e.getMessage()));
            return;
        }
        if (!"batch".equals(purpose)) {
            Http.send(
                    ex,
                    OpenAiErrors.of(
                            400,
                            "invalid_request_error",
                            "invalid_purpose",
                            "purpose must be 'batch' (the gateway keeps files for batches only), got " + purpose));
            return;
        }
        if (stored == null) {
            Http.send(ex, OpenAiErrors.of(400, "invalid_request_error", "missing_file", "no part named 'file'"));
            return;
        }
        Http.sendJson(ex, 200, fileObject(stored));
    }

    private static String group(Pattern p, String text) {
        Matcher m = p.matcher(text);
        return m.find() ? m.group(1) : null;
    }

    private static String fileObject(UploadedFiles.FileInfo f) {
        ObjectNode node = OpenAiJson.MAPPER.createObjectNode();
        node.put("id", f.id());
        node.put("object", "file");
        node.put("bytes", f.bytes());
        node.put("created_at", f.createdAtSeconds());
        node.put("filename", f.filename());
        node.put("purpose", f.purpose());
        node.put("status", "processed");
        return node.toString();
    }
}
