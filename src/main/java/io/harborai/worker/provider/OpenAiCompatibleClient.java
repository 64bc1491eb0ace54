package io.harborai.worker.provider;

import com.fasterxml.jackson.databind.JsonNode;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResponse;
import io.harborai.worker.avro.Usage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
 * body is closed. No retries happen here (OkHttp's own connection-level retry aside): retry,
 * backoff and fallback belong to the dispatcher.
 *
 * <p>Concurrency is bounded by the shared client's {@link okhttp3.Dispatcher} ({@code
 * maxRequestsPerHost} defaults to 5, far too low for LLM latencies) and its {@link
 * okhttp3.ConnectionPool}; the owner of the shared client must size both.
 *
 * <p>Threading: immutable after construction and safe for concurrent use. Async callbacks run on
 * OkHttp's dispatcher threads; callers must not block in dependent stages of the returned future.
 */
public final class OpenAiCompatibleClient {
  private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");

  private final ProviderSpec spec;
  private final OkHttpClient http;
  private final HttpUrl url;
  private final String apiKey;
  private final FailureClassifier classifier;

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
  public OpenAiCompatibleClient(
      OkHttpClient shared, ProviderSpec spec, String apiKey, Clock clock) {
    this.spec = Objects.requireNonNull(spec, "spec");
    this.http =
        shared
            .newBuilder()
            .connectTimeout(spec.connectTimeout())
            .readTimeout(spec.readTimeout())
            .writeTimeout(spec.writeTimeout())
            .callTimeout(spec.callTimeout())
            .build();
    this.url = chatCompletionsUrl(spec);
    this.apiKey = apiKey == null || apiKey.isEmpty() ? null : apiKey;
    this.classifier = new FailureClassifier(spec.name(), this.apiKey, clock);
  }

  /**
   * Reads the provider's key from {@code env} ({@code System.getenv()} in production).
   *
   * @return the key, or {@code null} when the spec has no {@code apiKeyEnv}
   * @throws IllegalArgumentException if the variable is named but unset or blank; the message
   *     names the variable, never a value
   */
  public static String resolveKey(ProviderSpec spec, Map<String, String> env) {
    if (spec.apiKeyEnv() == null) {
      return null;
    }
    String key = env.get(spec.apiKeyEnv());
    if (key == null || key.isBlank()) {
      throw new IllegalArgumentException(
          "provider '" + spec.name() + "': environment variable " + spec.apiKeyEnv()
              + " is not set");
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
    Request request;
    try {
      request = buildRequest(req, model);
    } catch (RuntimeException e) {
      return classifier.failure(ErrorCode.INVALID_REQUEST, model, e.getMessage(), 0);
    }
    try (Response response = http.newCall(request).execute()) {
      return read(response, model, start);
    } catch (IOException e) {
      return classifier.classify(model, e, millisSince(start));
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
    Request request;
    try {
      request = buildRequest(req, model);
    } catch (RuntimeException e) {
      future.complete(classifier.failure(ErrorCode.INVALID_REQUEST, model, e.getMessage(), 0));
      return future;
    }
    try {
      http.newCall(request)
          .enqueue(
              new Callback() {
                @Override
                public void onFailure(Call call, IOException e) {
                  future.complete(classifier.classify(model, e, millisSince(start)));
                }

                @Override
                public void onResponse(Call call, Response response) {
                  try (response) {
                    future.complete(read(response, model, start));
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

  private Request buildRequest(ChatRequest req, String model) {
    byte[] body = OpenAiJson.json(OpenAiJson.toBody(req, model)).getBytes(StandardCharsets.UTF_8);
    Request.Builder b =
        new Request.Builder()
            .url(url)
            .header("Idempotency-Key", req.getId())
            .header("Content-Type", "application/json")
            .post(RequestBody.create(body, JSON));
    if (apiKey != null) {
      b.header("Authorization", "Bearer " + apiKey);
    }
    return b.build();
  }

  /** Reads one response; the caller closes it. Never throws for a bad body. */
  private ProviderOutcome read(Response response, String model, long start) {
    int status = response.code();
    String body;
    try {
      body = response.body().string();
    } catch (IOException e) {
      return classifier.classify(model, e, millisSince(start));
    }
    long latency = millisSince(start);
    if (status < 200 || status >= 300) {
      return classifier.classify(model, status, response.headers(), body, latency);
    }
    JsonNode root;
    try {
      root = OpenAiJson.MAPPER.readTree(body);
    } catch (IOException e) {
      return classifier.invalidResponse(model, status, "the body is not JSON", body, latency);
    }
    JsonNode message = root == null ? null : root.path("choices").path(0).path("message");
    if (message == null || !message.isObject()) {
      return classifier.invalidResponse(
          model, status, "the body has no choices[0].message", body, latency);
    }
    JsonNode toolCalls = message.get("tool_calls");
    ChatResponse parsed =
        ChatResponse.newBuilder()
            .setResponseId(textOrNull(root.get("id")))
            .setContent(textOrNull(message.get("content")))
            .setReasoningContent(textOrNull(message.get("reasoning_content")))
            .setFinishReason(textOrNull(root.path("choices").path(0).get("finish_reason")))
            .setToolCallsJson(
                toolCalls != null && toolCalls.isArray() && !toolCalls.isEmpty()
                    ? OpenAiJson.json(toolCalls)
                    : null)
            .setBodyJson(body)
            .build();
    String modelUsed = textOrNull(root.get("model"));
    String requestId = response.header("x-request-id");
    return new ProviderOutcome.Success(
        parsed,
        usage(root.get("usage")),
        modelUsed != null ? modelUsed : model,
        requestId != null ? requestId : parsed.getResponseId(),
        status,
        latency);
  }

  /** OpenAI usage, with DeepSeek's {@code prompt_cache_hit_tokens} as the cached count. */
  static Usage usage(JsonNode u) {
    if (u == null || !u.isObject()) {
      return null;
    }
    int prompt = u.path("prompt_tokens").asInt(0);
    int completion = u.path("completion_tokens").asInt(0);
    JsonNode cached = u.path("prompt_tokens_details").get("cached_tokens");
    if (cached == null || cached.isNull()) {
      cached = u.get("prompt_cache_hit_tokens");
    }
    return Usage.newBuilder()
        .setPromptTokens(prompt)
        .setCompletionTokens(completion)
        .setTotalTokens(u.path("total_tokens").asInt(prompt + completion))
        .setCachedTokens(cached == null ? 0 : cached.asInt(0))
        .setReasoningTokens(u.path("completion_tokens_details").path("reasoning_tokens").asInt(0))
        .build();
  }

  private ProviderOutcome.Failure internal(String model, RuntimeException e, long start) {
    return classifier.failure(
        ErrorCode.INTERNAL, model, "unexpected " + e.getClass().getName() + ": " + e.getMessage(),
        millisSince(start));
  }

  private static String textOrNull(JsonNode n) {
    return n == null || n.isNull() || !n.isValueNode() ? null : n.asText();
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
