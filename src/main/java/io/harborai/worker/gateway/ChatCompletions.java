package io.harborai.worker.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.ResultStatus;
import io.harborai.worker.batch.BatchOutput;
import io.harborai.worker.client.HarborClient;
import io.harborai.worker.provider.OpenAiJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code POST /v1/chat/completions}: the OpenAI request body becomes a {@link ChatRequest} on the
 * requests topic, and the request's one result becomes the OpenAI answer: the completion body,
 * SSE chunks for {@code stream: true}, or an OpenAI error body with its HTTP status.
 *
 * <p>The request id is derived from the {@code Idempotency-Key} header when there is one, so a retry
 * with the same key is the same request: the worker takes it once, calls once, and the retry is
 * answered with the first answer (also from another gateway instance, or after a restart: see
 * {@link HarborClient}). Without the header each request gets a fresh id.
 *
 * <p>Threading: {@link #handle} runs on an HTTP server thread and does not wait for the result: no
 * thread is held per waiting request. The answer is written on a {@code responders} thread (never
 * on the client's reply reader, which a slow HTTP client must not hold up).
 */
final class ChatCompletions {
    /** How long after its deadline a request is still waited for: the worker answers it at the deadline. */
    static final Duration DEADLINE_GRACE = Duration.ofSeconds(5);

    private final HarborClient client;
    private final Tenants tenants;
    private final ModelCatalog models;
    private final GatewayMeters meters;
    private final Duration timeout;
    private final Clock clock;
    private final BatchOutput output = new BatchOutput(OpenAiJson.MAPPER);
    private final Executor responders;
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    ChatCompletions(
            HarborClient client,
            Tenants tenants,
            ModelCatalog models,
            GatewayMeters meters,
            Duration timeout,
            Clock clock,
            Executor responders) {
        this.responders = responders;
        this.meters = meters;
        this.client = client;
        this.tenants = tenants;
        this.models = models;
        this.timeout = timeout;
        this.clock = clock;
    }

    /**
     * Answers one request of {@code tenant} (null when the gateway takes requests without a key):
     * checks and produces it on the calling thread, and returns at once; the answer is written by
     * {@code responders} once the result is in, and the returned stage completes after that.
     */
    CompletableFuture<Void> handle(HttpExchange ex, String tenant) throws IOException {
        long receivedAt = System.nanoTime();
        if (!"POST".equals(ex.getRequestMethod())) {
            Http.send(ex, OpenAiErrors.of(405, "invalid_request_error", "method_not_allowed", "use POST"));
            return DONE;
        }
        JsonNode body;
        try (InputStream in = ex.getRequestBody()) {
            body = OpenAiJson.MAPPER.readTree(in);
        } catch (IOException e) {
            Http.send(ex, OpenAiErrors.of(400, "invalid_request_error", "invalid_json", "the body is not valid JSON"));
            return DONE;
        }
        ChatRequest.Builder request;
        try {
            request = OpenAiJson.fromBody(body);
        } catch (IllegalArgumentException | org.apache.avro.AvroRuntimeException e) {
            Http.send(ex, OpenAiErrors.of(400, "invalid_request_error", "invalid_request", e.getMessage()));
            return DONE;
        }
        if (!models.serves(request.getModel())) {
            Http.send(
                    ex,
                    OpenAiErrors.of(
                            404,
                            "invalid_request_error",
                            "model_not_found",
                            "The model '" + request.getModel() + "' does not exist or is not served here"));
            return DONE;
        }
        if (tenant != null && !tenants.admit(tenant)) {
            Http.send(
                    ex,
                    OpenAiErrors.of(
                            429,
                            "rate_limit_error",
                            "rate_limit_exceeded",
                            "Rate limit reached for your requests per minute; retry after the Retry-After seconds",
                            tenants.retryAfterSeconds(tenant)));
            return DONE;
        }
        long now = clock.millis();
        ChatRequest req = request.setId(requestId(tenant, ex.getRequestHeaders().getFirst("Idempotency-Key")))
                .setTenant(tenant)
                .setCreatedAtMs(now)
                .setDeadlineMs(now + timeout.toMillis())
                .build();
        AtomicLong sentAt = new AtomicLong();
        AtomicLong answeredAt = new AtomicLong();
        GatewayMeters.Waiting waiting = meters.waiting();
        Duration limit = timeout.plus(DEADLINE_GRACE);
        // The client's future fails with a TimeoutException once the limit passes.
        return client.submit(req, limit, () -> sentAt.set(System.nanoTime()))
                .whenComplete((r, e) -> {
                    answeredAt.set(System.nanoTime());
                    waiting.close();
                })
                .handleAsync(
                        (result, error) -> {
                            try {
                                answer(ex, body, result, error);
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                            if (sentAt.get() != 0 && error == null) {
                                // What the gateway adds: HTTP in to the request taken by Kafka, result in to HTTP out.
                                meters.added((sentAt.get() - receivedAt) + (System.nanoTime() - answeredAt.get()));
                            }
                            return null;
                        },
                        responders);
    }

    /** Writes the answer to a request whose result (or failure to get one) is in. */
    private void answer(HttpExchange ex, JsonNode body, ChatResult result, Throwable error) throws IOException {
        if (error != null) {
            Throwable cause = error instanceof java.util.concurrent.CompletionException ? error.getCause() : error;
            Http.send(
                    ex,
                    cause instanceof TimeoutException
                            ? OpenAiErrors.of(504, "timeout", "timeout", "no result within " + timeout)
                            : OpenAiErrors.of(
                                    503, "server_error", "unavailable", "cannot reach the pipeline: " + cause));
        } else if (result.getStatus() != ResultStatus.SUCCEEDED) {
            Http.send(ex, OpenAiErrors.forResult(result));
        } else if (body.path("stream").asBoolean(false)) {
            stream(
                    ex,
                    completion(result),
                    body.path("stream_options").path("include_usage").asBoolean(false));
        } else {
            Http.sendJson(ex, 200, completion(result).toString());
        }
    }

    /** The result's completion body, its {@code id} and {@code model} as the gateway's client knows them. */
    private JsonNode completion(ChatResult result) {
        JsonNode b = output.body(result);
        ObjectNode body = b.isObject() ? (ObjectNode) b : OpenAiJson.MAPPER.createObjectNode();
        if (!body.hasNonNull("id")) {
            body.put("id", result.getId());
        }
        if (!body.hasNonNull("created")) {
            body.put("created", result.getCompletedAtMs() / 1000);
        }
        return body;
    }

    private static void stream(HttpExchange ex, JsonNode completion, boolean includeUsage) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "text/event-stream");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0);
        try (OutputStream out = ex.getResponseBody()) {
            for (String chunk : CompletionChunks.of(completion, includeUsage)) {
                out.write(("data: " + chunk + "\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        }
    }

    /**
     * For an idempotency key, {@code gw-idem-} and the SHA-256 of tenant and key (two tenants' equal
     * keys are different requests); else a fresh id.
     */
    static String requestId(String tenant, String idempotencyKey) {
        if (idempotencyKey == null || idempotencyKey.isBlank()) {
            return "gw-" + UUID.randomUUID();
        }
        return "gw-idem-"
                + Tenants.sha256((tenant == null ? "" : tenant) + "\n" + idempotencyKey)
                        .substring(0, 32);
    }
}
