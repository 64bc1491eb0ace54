package io.harborai.worker.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Clock;
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
 * deterministically (see {@link SimulatedCompletion}) after the configured latency; an invalid
 * body answers 400 at once with an OpenAI error body. {@code GET /stats}, {@code GET /v1/models},
 * {@code GET /health}. Any model name is accepted; no key is checked.
 *
 * <p>Threading: the JDK server's dispatcher thread accepts connections and reads request heads;
 * a small fixed pool runs handlers, which parse and compute the answer and then either write it
 * (no latency) or hand it to a two-thread scheduler that writes it when the latency has elapsed.
 * So hundreds of requests can wait out their latency without holding a thread each. Counters are
 * atomics, readable from any thread.
 */
public final class SimulatorServer implements AutoCloseable {
  static {
    // The JDK server reads this once, when its ServerConfig class loads, so it must be set before
    // the first HttpServer in the JVM starts. Its default (200) makes the server close pooled
    // keep-alive connections under load, and clients at high concurrency then see read errors
    // ("unexpected end of stream") on requests sent down connections being closed.
    if (System.getProperty("sun.net.httpserver.maxIdleConnections") == null) {
      System.setProperty("sun.net.httpserver.maxIdleConnections", "10000");
    }
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

  private SimulatorServer(SimulatorOptions options) throws IOException {
    this.options = options;
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

  /** Stops accepting, drops delayed answers not yet written, and frees the threads. */
  @Override
  public void close() {
    server.stop(0);
    scheduler.shutdownNow();
    handlers.shutdownNow();
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
          send(ex, 200, stats());
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
    calls.incrementAndGet();
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
    ObjectNode answer = SimulatedCompletion.respond(body, clock.millis() / 1000);
    long delayMs = options.latency().toMillis();
    if (delayMs <= 0) {
      send(ex, 200, answer);
      return;
    }
    inFlight.incrementAndGet();
    try {
      // The exchange stays open after this handler returns; the scheduler writes it later.
      scheduler.schedule(
          () -> {
            inFlight.decrementAndGet();
            send(ex, 200, answer);
          },
          delayMs,
          TimeUnit.MILLISECONDS);
    } catch (RuntimeException rejectedOnClose) {
      inFlight.decrementAndGet();
      ex.close();
    }
  }

  private ObjectNode stats() {
    ObjectNode s = JsonNodeFactory.instance.objectNode();
    s.put("calls", calls.get());
    s.put("errors", errors.get());
    s.put("in_flight", inFlight.get());
    s.put("latency_ms", options.latency().toMillis());
    s.put("uptime_ms", clock.millis() - startedAtMs);
    return s;
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

  /** Writes a JSON response and closes the exchange; a vanished client is not an error here. */
  private static void send(HttpExchange ex, int status, JsonNode json) {
    byte[] bytes = SimulatedCompletion.utf8(json);
    try (ex; OutputStream out = ex.getResponseBody()) {
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(status, bytes.length);
      out.write(bytes);
    } catch (IOException clientGone) {
      // the client timed out or disconnected; nothing to answer
    }
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
