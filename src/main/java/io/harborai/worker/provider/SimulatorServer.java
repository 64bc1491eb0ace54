package io.harborai.worker.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.harborai.worker.embedded.JdkHttpServers;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Arrays;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The built-in simulator provider: an OpenAI-compatible HTTP server for development, tests and
 * benchmarks without a real provider or network.
 *
 * <p>Endpoints: {@code POST /v1/chat/completions} and {@code POST /chat/completions} answer
 * deterministically (see {@link SimulatedCompletion}) after a delay drawn from the
 * {@link LatencyModel}; an invalid body answers 400 at once with an OpenAI error body. Valid calls
 * may instead get a fault (see {@link FaultRates}): a 429 with {@code Retry-After} (at once), a 500
 * or a truncated 200 body (after the delay), or no answer at all. {@code GET /stats} counts calls
 * and outcomes ({@code ?detail=true} adds the per-key call log); {@code GET /calls?key=K} lists the
 * calls made with {@code Idempotency-Key: K} (see {@link SimulatorCallLog}); {@code GET
 * /v1/models}, {@code GET /health}. Any model name is accepted; no key is checked.
 *
 * <p>Draws are seeded per call by arrival order: the n-th call gets the same latency and outcome
 * in every run with the same seed, whatever thread handles it.
 *
 * <p>Threading: the JDK server's dispatcher thread accepts connections and reads request heads;
 * a small fixed pool runs handlers, which parse and compute the answer and then either write it
 * (no latency) or hand it to a two-thread scheduler that writes it when the latency has elapsed.
 * So hundreds of requests can wait out their latency, and timed-out calls can be held for
 * minutes, without holding a thread each. Held exchanges live in a concurrent set so that
 * {@link #close()} can close them. Counters are atomics, readable from any thread.
 */
public final class SimulatorServer implements AutoCloseable {
  static {
    // Before the first HttpServer in the JVM: see JdkHttpServers.
    JdkHttpServers.tune();
  }

  /** Handlers only parse and compute (latency is waited out elsewhere), so a few suffice. */
  private static final int HANDLER_THREADS =
      Math.max(4, 2 * Runtime.getRuntime().availableProcessors());

  private final SimulatorOptions options;
  private final HttpServer server;
  private final ExecutorService handlers;
  private final ScheduledExecutorService scheduler;
  private final Clock clock = Clock.systemUTC();
  private final long startedAtMs;
  private final AtomicLong calls = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private final AtomicLong inFlight = new AtomicLong();
  private final AtomicLong[] outcomes = newCounters(FaultRates.Outcome.values().length);
  private final Set<HttpExchange> held = ConcurrentHashMap.newKeySet();
  private final SimulatorCallLog callLog;

  private SimulatorServer(SimulatorOptions options) throws IOException {
    this.options = options;
    this.callLog = new SimulatorCallLog(options.callLogKeys());
    this.handlers = Executors.newFixedThreadPool(HANDLER_THREADS, daemon("harbor-sim-handler"));
    this.scheduler = Executors.newScheduledThreadPool(2, daemon("harbor-sim-latency"));
    this.server = HttpServer.create(new InetSocketAddress(options.host(), options.port()), 1024);
    server.setExecutor(handlers);
    server.createContext("/", this::handle);
    server.start();
    this.startedAtMs = clock.millis();
  }

  /**
   * Binds and starts a simulator.
   *
   * @throws UncheckedIOException if the address cannot be bound
   */
  public static SimulatorServer start(SimulatorOptions opts) {
    try {
      return new SimulatorServer(opts);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot start simulator on " + opts.host() + ":" + opts.port(), e);
    }
  }

  /** The OpenAI-style base URL, e.g. {@code http://127.0.0.1:54321/v1}. */
  public String baseUrl() {
    String host = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
    return "http://" + host + ":" + port() + "/v1";
  }

  /** The bound port. */
  public int port() {
    return server.getAddress().getPort();
  }

  /** Chat-completion requests received so far, valid or not. */
  public long calls() {
    return calls.get();
  }

  /** Valid calls answered (or held) with the given outcome so far. */
  public long outcomes(FaultRates.Outcome outcome) {
    return outcomes[outcome.ordinal()].get();
  }

  /** The options this simulator runs with. */
  public SimulatorOptions options() {
    return options;
  }

  /**
   * Stops accepting, drops delayed answers not yet written, closes held (timed-out) exchanges,
   * and frees the threads.
   */
  @Override
  public void close() {
    server.stop(0);
    scheduler.shutdownNow();
    handlers.shutdownNow();
    for (HttpExchange ex : held) {
      if (held.remove(ex)) {
        ex.close();
      }
    }
  }

  private void handle(HttpExchange ex) {
    try {
      String path = ex.getRequestURI().getPath();
      String method = ex.getRequestMethod();
      switch (path) {
        case "/v1/chat/completions":
        case "/chat/completions":
          if (method.equals("POST")) {
            chatCompletion(ex);
          } else {
            send(ex, 405, SimulatedCompletion.error("use POST", "invalid_request_error"));
          }
          break;
        case "/stats":
          send(ex, 200, stats("true".equals(queryParam(ex, "detail"))));
          break;
        case "/calls":
          String key = queryParam(ex, "key");
          if (key == null) {
            send(ex, 400, SimulatedCompletion.error("?key= is required", "invalid_request_error"));
          } else {
            send(ex, 200, callLog.forKey(key));
          }
          break;
        case "/v1/models":
        case "/models":
          send(ex, 200, models());
          break;
        case "/health":
          send(ex, 200, JsonNodeFactory.instance.objectNode().put("status", "ok"));
          break;
        default:
          send(ex, 404, SimulatedCompletion.error("no route " + path, "invalid_request_error"));
      }
    } catch (RuntimeException e) {
      errors.incrementAndGet();
      send(ex, 500, SimulatedCompletion.error("simulator failure: " + e, "server_error"));
    }
  }

  private void chatCompletion(HttpExchange ex) {
    long index = calls.incrementAndGet();
    long arrivedAtMs = clock.millis();
    JsonNode body;
    try (InputStream in = ex.getRequestBody()) {
      body = OpenAiJson.MAPPER.readTree(in);
      OpenAiJson.fromBody(body); // the same validation the worker applies to batch lines
    } catch (IOException e) {
      errors.incrementAndGet();
      send(ex, 400, SimulatedCompletion.error(
          "We could not parse the JSON body of your request.", "invalid_request_error"));
      return;
    } catch (IllegalArgumentException e) {
      errors.incrementAndGet();
      send(ex, 400, SimulatedCompletion.error(e.getMessage(), "invalid_request_error"));
      return;
    }
    // One draw source per call, seeded by arrival index: repeatable without a shared lock.
    SplittableRandom random = new SplittableRandom(options.seed() + index * 0x9E3779B97F4A7C15L);
    FaultRates faults = options.faults();
    FaultRates.Outcome outcome = faults.pick(random.nextDouble());
    long delayMs = options.latencyModel().sampleMillis(random);
    outcomes[outcome.ordinal()].incrementAndGet();
    int retryAfter = outcome == FaultRates.Outcome.RATE_LIMITED ? faults.retryAfterSeconds() : 0;
    callLog.record(ex.getRequestHeaders().getFirst("Idempotency-Key"), arrivedAtMs, outcome, retryAfter);
    switch (outcome) {
      case RATE_LIMITED:
        // Real providers reject over-limit calls before doing any work: no latency.
        ex.getResponseHeaders().set("Retry-After", Integer.toString(retryAfter));
        send(ex, 429, SimulatedCompletion.error(
            "Rate limit reached for requests. Please try again in " + retryAfter + "s.",
            "requests", "rate_limit_exceeded"));
        break;
      case TIMEOUT:
        hold(ex, faults.timeoutHold().toMillis());
        break;
      case SERVER_ERROR:
        later(ex, delayMs, 500, utf8(SimulatedCompletion.error(
            "The server had an error while processing your request. Sorry about that!",
            "server_error")));
        break;
      case MALFORMED:
        byte[] whole = utf8(SimulatedCompletion.respond(body, clock.millis() / 1000));
        // Any proper prefix of a JSON object is unparseable: the closing brace is missing.
        later(ex, delayMs, 200, Arrays.copyOf(whole, whole.length / 2));
        break;
      default:
        later(ex, delayMs, 200, utf8(SimulatedCompletion.respond(body, clock.millis() / 1000)));
    }
  }

  /** Writes the answer after {@code delayMs}, from the scheduler; at once when there is none. */
  private void later(HttpExchange ex, long delayMs, int status, byte[] bytes) {
    if (delayMs <= 0) {
      send(ex, status, bytes);
      return;
    }
    inFlight.incrementAndGet();
    try {
      // The exchange stays open after this handler returns; the scheduler writes it later.
      scheduler.schedule(
          () -> {
            inFlight.decrementAndGet();
            send(ex, status, bytes);
          },
          delayMs,
          TimeUnit.MILLISECONDS);
    } catch (RuntimeException rejectedOnClose) {
      inFlight.decrementAndGet();
      ex.close();
    }
  }

  /** Never answers: closes the exchange (no response) after {@code holdMs}, or at {@link #close()}. */
  private void hold(HttpExchange ex, long holdMs) {
    held.add(ex);
    try {
      scheduler.schedule(
          () -> {
            if (held.remove(ex)) {
              ex.close();
            }
          },
          holdMs,
          TimeUnit.MILLISECONDS);
    } catch (RuntimeException rejectedOnClose) {
      if (held.remove(ex)) {
        ex.close();
      }
    }
  }

  private ObjectNode stats(boolean detail) {
    ObjectNode s = JsonNodeFactory.instance.objectNode();
    s.put("calls", calls.get());
    s.put("errors", errors.get());
    s.put("in_flight", inFlight.get());
    s.put("held", held.size());
    s.put("latency_ms", options.latency().toMillis());
    s.put("latency", options.latencyModel().describe());
    s.put("seed", options.seed());
    ObjectNode byOutcome = s.putObject("outcomes");
    for (FaultRates.Outcome o : FaultRates.Outcome.values()) {
      byOutcome.put(o.statName(), outcomes[o.ordinal()].get());
    }
    s.put("uptime_ms", clock.millis() - startedAtMs);
    s.set("call_log", callLog.summary());
    if (detail) {
      s.set("calls_by_key", callLog.all());
    }
    return s;
  }

  /** A decoded query parameter, or null. */
  private static String queryParam(HttpExchange ex, String name) {
    String query = ex.getRequestURI().getRawQuery();
    if (query == null) {
      return null;
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String k = eq < 0 ? pair : pair.substring(0, eq);
      if (URLDecoder.decode(k, StandardCharsets.UTF_8).equals(name)) {
        return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  private static ObjectNode models() {
    ObjectNode list = JsonNodeFactory.instance.objectNode().put("object", "list");
    list.putArray("data")
        .addObject()
        .put("id", "harbor-simulator")
        .put("object", "model")
        .put("created", 0)
        .put("owned_by", "harborai");
    return list;
  }

  private static byte[] utf8(JsonNode json) {
    return SimulatedCompletion.utf8(json);
  }

  /** Writes a JSON response and closes the exchange. */
  private static void send(HttpExchange ex, int status, JsonNode json) {
    send(ex, status, utf8(json));
  }

  /** Writes a response body and closes the exchange; a vanished client is not an error here. */
  private static void send(HttpExchange ex, int status, byte[] bytes) {
    try (ex; OutputStream out = ex.getResponseBody()) {
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(status, bytes.length);
      out.write(bytes);
    } catch (IOException clientGone) {
      // the client timed out or disconnected; nothing to answer
    }
  }

  private static AtomicLong[] newCounters(int n) {
    AtomicLong[] counters = new AtomicLong[n];
    Arrays.setAll(counters, i -> new AtomicLong());
    return counters;
  }

  private static ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
