package io.harborai.worker.provider;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.provider.capability.CapabilityTable;
import io.harborai.worker.provider.capability.ModelCapability;
import io.harborai.worker.provider.capability.RequestAdapter;
import io.harborai.worker.provider.stream.SseChatAssembler;
import io.harborai.worker.provider.stream.TtftWatch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * Calls one OpenAI-compatible provider's {@code POST {baseUrl}/chat/completions}.
 *
 * <p>Contract: {@link #complete} and {@link #completeAsync} never throw for a failed call; every
 * outcome, including a request that cannot be serialized, is a {@link ProviderOutcome}. Failures
 * are classified by {@link FailureClassifier}; messages never contain the API key. Every response
 * body is closed. The body is fitted to the model by {@link RequestAdapter} with the model's
 * {@link ModelCapability} from the {@link CapabilityTable}. The call streams (SSE) when the spec
 * says so, when a first-token timeout is set, or when the model is stream-only; a stream is
 * assembled into the same {@link ProviderOutcome.Success} as an unstreamed call, with a
 * synthesized {@code chat.completion} as {@code body_json}. No retries happen here (OkHttp's own connection-level retry aside): retry,
 * backoff and fallback belong to the dispatcher.
 *
 * <p>Concurrency is bounded by the shared client's {@link okhttp3.Dispatcher} ({@code
 * maxRequestsPerHost} defaults to 5, far too low for LLM latencies) and its {@link
 * okhttp3.ConnectionPool}; the owner of the shared client must size both.
 *
 * <p>Threading: immutable after construction and safe for concurrent use. Async callbacks run on
 * OkHttp's dispatcher threads; callers must not block in dependent stages of the returned future.
 * A first-token timeout cancels the call from the JDK's delayed-executor thread.
 */
public final class OpenAiCompatibleClient {
    private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");

    private final ProviderSpec spec;
    private final OkHttpClient http;
    private final HttpUrl url;
    private final String apiKey;
    private final FailureClassifier classifier;
    private final CompletionReader reader;
    private final CapabilityTable capabilities;

    /**
     * @param shared the process-wide client; a variant with this spec's four timeouts is derived
     *     from it, so connection pool and dispatcher stay shared
     * @param spec the provider
     * @param apiKey the resolved key (see {@link #resolveKey}), or {@code null} when keyless
     */
    public OpenAiCompatibleClient(OkHttpClient shared, ProviderSpec spec, String apiKey) {
        this(shared, spec, apiKey, Clock.systemUTC());
    }

    /** As above, with the clock used for HTTP-date {@code Retry-After} values. */
    public OpenAiCompatibleClient(OkHttpClient shared, ProviderSpec spec, String apiKey, Clock clock) {
        this(shared, spec, apiKey, clock, CapabilityTable.builtIns());
    }

    /** As above, with the model capabilities used to fit each request to its model. */
    public OpenAiCompatibleClient(
            OkHttpClient shared, ProviderSpec spec, String apiKey, Clock clock, CapabilityTable capabilities) {
        this.capabilities = Objects.requireNonNull(capabilities, "capabilities");
        this.spec = Objects.requireNonNull(spec, "spec");
        this.http = shared.newBuilder()
                .connectTimeout(spec.connectTimeout())
                .readTimeout(spec.readTimeout())
                .writeTimeout(spec.writeTimeout())
                .callTimeout(spec.callTimeout())
                .build();
        this.url = chatCompletionsUrl(spec);
        this.apiKey = apiKey == null || apiKey.isEmpty() ? null : apiKey;
        this.classifier = new FailureClassifier(spec.name(), this.apiKey, clock);
        this.reader = new CompletionReader(classifier, spec.dialect());
    }

    /**
     * Reads the provider's key: from the file {@code apiKeyFile} (surrounding whitespace and the
     * trailing newline trimmed), else from {@code env} ({@code System.getenv()} in production). Read
     * once, at start-up: a rotated key is picked up by a restart.
     *
     * @return the key, or {@code null} when the spec names neither a variable nor a file
     * @throws IllegalArgumentException if the variable is unset or blank, or the file is missing,
     *     unreadable or empty; the message names the variable or the path, never a value
     */
    public static String resolveKey(ProviderSpec spec, Map<String, String> env) {
        if (spec.apiKeyFile() != null) {
            String key;
            try {
                key = Files.readString(Path.of(spec.apiKeyFile()), StandardCharsets.UTF_8);
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException("provider '" + spec.name() + "': cannot read api-key-file "
                        + spec.apiKeyFile() + " (" + e.getClass().getSimpleName() + ")");
            }
            if (key.isBlank()) {
                throw new IllegalArgumentException(
                        "provider '" + spec.name() + "': api-key-file " + spec.apiKeyFile() + " is empty");
            }
            return key.strip();
        }
        if (spec.apiKeyEnv() == null) {
            return null;
        }
        String key = env.get(spec.apiKeyEnv());
        if (key == null || key.isBlank()) {
            throw new IllegalArgumentException(
                    "provider '" + spec.name() + "': environment variable " + spec.apiKeyEnv() + " is not set");
        }
        return key.strip();
    }

    /** The provider this client calls. */
    public ProviderSpec spec() {
        return spec;
    }

    /** Calls the provider on the current thread. */
    public ProviderOutcome complete(ChatRequest req, String model) {
        long start = System.nanoTime();
        boolean streaming = streams(model);
        Request request;
        try {
            request = buildRequest(req, model, streaming);
        } catch (RuntimeException e) {
            return classifier.failure(ErrorCode.INVALID_REQUEST, model, e.getMessage(), 0);
        }
        Call call = http.newCall(request);
        TtftWatch watch = streaming ? TtftWatch.start(spec.ttftTimeout(), call::cancel) : TtftWatch.none();
        try (Response response = call.execute()) {
            return read(response, model, start, streaming, watch);
        } catch (IOException e) {
            return ioFailure(model, e, start, watch);
        } catch (RuntimeException e) {
            return internal(model, e, start);
        }
    }

    /**
     * Calls the provider without blocking the caller. The future always completes normally, on an
     * OkHttp thread (or immediately when the request cannot be built).
     */
    public CompletableFuture<ProviderOutcome> completeAsync(ChatRequest req, String model) {
        long start = System.nanoTime();
        CompletableFuture<ProviderOutcome> future = new CompletableFuture<>();
        boolean streaming = streams(model);
        Request request;
        try {
            request = buildRequest(req, model, streaming);
        } catch (RuntimeException e) {
            future.complete(classifier.failure(ErrorCode.INVALID_REQUEST, model, e.getMessage(), 0));
            return future;
        }
        try {
            Call call = http.newCall(request);
            TtftWatch watch = streaming ? TtftWatch.start(spec.ttftTimeout(), call::cancel) : TtftWatch.none();
            call.enqueue(new Callback() {
                @Override
                public void onFailure(Call c, IOException e) {
                    future.complete(ioFailure(model, e, start, watch));
                }

                @Override
                public void onResponse(Call c, Response response) {
                    try (response) {
                        future.complete(read(response, model, start, streaming, watch));
                    } catch (IOException e) {
                        future.complete(ioFailure(model, e, start, watch));
                    } catch (RuntimeException e) {
                        future.complete(internal(model, e, start));
                    }
                }
            });
        } catch (RuntimeException e) {
            // e.g. the dispatcher's executor was shut down
            future.complete(internal(model, e, start));
        }
        return future;
    }

    /** Whether a call for {@code model} streams. */
    boolean streams(String model) {
        return spec.streamsAlways() || capabilities.forModel(model).streamOnly();
    }

    /** The body sent for {@code model}: OpenAI JSON fitted to the model, plus the stream flags. */
    ObjectNode body(ChatRequest req, String model, boolean streaming) {
        ObjectNode body = RequestAdapter.adapt(OpenAiJson.toBody(req, model), capabilities.forModel(model));
        if (streaming) {
            body.put("stream", true);
            if (spec.dialect().acceptsStreamUsage()) {
                body.putObject("stream_options").put("include_usage", true);
            }
        }
        return body;
    }

    private Request buildRequest(ChatRequest req, String model, boolean streaming) {
        byte[] body = OpenAiJson.json(body(req, model, streaming)).getBytes(StandardCharsets.UTF_8);
        Request.Builder b = new Request.Builder()
                .url(url)
                .header("Idempotency-Key", req.getId())
                .header("Content-Type", "application/json")
                .post(RequestBody.create(body, JSON));
        if (streaming) {
            b.header("Accept", "text/event-stream");
        }
        if (apiKey != null) {
            b.header("Authorization", "Bearer " + apiKey);
        }
        return b.build();
    }

    /** Reads one response; the caller closes it. Never throws for a bad body. */
    private ProviderOutcome read(Response response, String model, long start, boolean streaming, TtftWatch watch)
            throws IOException {
        int status = response.code();
        String requestId = response.header("x-request-id");
        if (status < 200 || status >= 300 || !streaming) {
            String body = response.body().string();
            long latency = millisSince(start);
            if (status < 200 || status >= 300) {
                return classifier.classify(model, status, response.headers(), body, latency);
            }
            return reader.fromText(model, status, requestId, body, latency);
        }
        SseChatAssembler.Result result = SseChatAssembler.read(response, watch);
        return reader.fromStream(model, status, requestId, result, millisSince(start));
    }

    private ProviderOutcome.Failure ioFailure(String model, IOException e, long start, TtftWatch watch) {
        if (watch.expired()) {
            return classifier.failure(ErrorCode.TIMEOUT, model, watch.message(), millisSince(start));
        }
        return classifier.classify(model, e, millisSince(start));
    }

    private ProviderOutcome.Failure internal(String model, RuntimeException e, long start) {
        return classifier.failure(
                ErrorCode.INTERNAL,
                model,
                "unexpected " + e.getClass().getName() + ": " + e.getMessage(),
                millisSince(start));
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    private static HttpUrl chatCompletionsUrl(ProviderSpec spec) {
        String base = spec.baseUrl().strip();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        HttpUrl url = HttpUrl.parse(base + "/chat/completions");
        if (url == null) {
            throw new IllegalArgumentException(
                    "provider '" + spec.name() + "': baseUrl is not an http(s) URL: " + spec.baseUrl());
        }
        return url;
    }
}
