package io.harborai.worker.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.harborai.worker.http.JdkHttpServers;
import io.harborai.worker.provider.OpenAiJson;
import io.harborai.worker.simulator.SimulatorDialect.ErrorKind;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
 * <p>Answers, usage and error bodies take the shape of the configured {@link SimulatorDialect}.
 * Reasoning models (see {@link SimulatorReasoning}) answer with reasoning tokens and, with strict
 * parameters on, 400 at once to a parameter their real endpoints reject. {@code "stream": true}
 * gets the answer as server-sent events (see {@link SimulatorStream}) after the same latency, the
 * time to first token. A call asking for JSON may get invalid content on purpose (see {@link
 * SimulatorOptions#invalidJsonRate()}), counted as {@code invalid_json} in {@code /stats}. {@code
 * GET /stats/params} counts, per model, the calls carrying each top-level body key (see {@link
 * SimulatorParamLog}).
 *
 * <p>Two knobs break requests regardless of the draws: a poison rate answers 500 to the same
 * requests, chosen by their contents, in every run (see {@link SimulatorPoison}); an outage
 * answers 503 or refuses connections for a while, then recovers (see {@link SimulatorOutage},
 * {@link #startOutage}). Both are counted apart in {@code /stats} ({@code poison}, {@code outage}).
 *
 * <p>Draws are seeded per call by arrival order: the n-th call gets the same latency and outcome
 * in every run with the same seed, whatever thread handles it.
 *
 * <p>Threading: the JDK server's dispatcher thread accepts connections and reads request heads;
 * a small fixed pool runs handlers, which parse and compute the answer and then either write it
 * (no latency) or hand it to {@link SimulatorDelays}, whose scheduler writes it when the latency
 * has elapsed. The {@link SimulatorListener} owns the listening socket (closed and reopened by a
 * refusing outage); {@link SimulatorOutages} runs outages on its own timer thread. Counters are
 * atomics, readable from any thread.
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
    private final SimulatorListener listener;
    private final SimulatorOutages outages;
    private final ExecutorService handlers;
    private final SimulatorDelays delays = new SimulatorDelays();
    private final Clock clock = Clock.systemUTC();
    private final long startedAtMs;
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong[] outcomes = SimulatorExchanges.newCounters(FaultRates.Outcome.values().length);
    private final AtomicLong paramRejections = new AtomicLong();
    private final AtomicLong invalidJson = new AtomicLong();
    private final AtomicLong streams = new AtomicLong();
    private final SimulatorCallLog callLog;
    private final SimulatorParamLog paramLog = new SimulatorParamLog();

    private SimulatorServer(SimulatorOptions options) throws IOException {
        this.options = options;
        this.callLog = new SimulatorCallLog(options.callLogKeys());
        this.handlers = Executors.newFixedThreadPool(HANDLER_THREADS, SimulatorExchanges.daemon("harbor-sim-handler"));
        this.listener = new SimulatorListener(options.host(), options.port(), this::handle, handlers);
        this.startedAtMs = clock.millis();
        this.outages = new SimulatorOutages(clock, listener, options.outage());
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
            throw new UncheckedIOException("cannot start simulator on " + opts.host() + ":" + opts.port(), e);
        }
    }

    /** The OpenAI-style base URL, e.g. {@code http://127.0.0.1:54321/v1}. */
    public String baseUrl() {
        String host = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
        return "http://" + host + ":" + port() + "/v1";
    }

    /** The bound port. */
    public int port() {
        return listener.port();
    }

    /**
     * Starts an outage now, for {@code length}: chat completions answer 503, or connections are
     * refused, until it ends. One started while another is on replaces it.
     *
     * @throws IllegalArgumentException if the length is not positive
     */
    public void startOutage(Duration length, SimulatorOutage.Mode mode) {
        outages.start(length, mode);
    }

    /** Whether an outage is on now. */
    public boolean outageActive() {
        return outages.active(clock.millis());
    }

    /** Chat-completion requests received so far, valid or not. */
    public long calls() {
        return calls.get();
    }

    /**
     * Chat-completion answers written so far (2xx, 500 or a truncated body, at once or after their
     * latency); not the 400s, 429s and 503s answered before any work. A call received and not yet
     * answered is in flight: {@code calls() - answered()} bounds the calls in flight from above.
     */
    public long answered() {
        return delays.written();
    }

    /**
     * Calls answered (or held) with the given outcome so far: valid calls, except {@link
     * FaultRates.Outcome#OUTAGE}, the 503s of an outage, sent before the body is read.
     */
    public long outcomes(FaultRates.Outcome outcome) {
        return outcomes[outcome.ordinal()].get();
    }

    /**
     * Per model, how many calls so far carried each top-level body key ({@code stream} included),
     * rejected calls too: an immutable snapshot, models and keys sorted.
     */
    public Map<String, Map<String, Long>> paramCounts() {
        return paramLog.snapshot();
    }

    /** Answers deliberately made invalid JSON so far (see {@link SimulatorOptions#invalidJsonRate()}). */
    public long invalidJsonAnswers() {
        return invalidJson.get();
    }

    /** Calls answered 400 because a reasoning model rejects one of their parameters. */
    public long paramRejections() {
        return paramRejections.get();
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
        outages.close();
        listener.close();
        delays.close();
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
                    send(ex, 200, stats("true".equals(SimulatorExchanges.queryParam(ex, "detail"))));
                    break;
                case "/stats/params":
                    send(ex, 200, paramLog.json());
                    break;
                case "/calls":
                    String key = SimulatorExchanges.queryParam(ex, "key");
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
        SimulatorDialect dialect = options.dialect();
        if (outages.answers503(arrivedAtMs)) {
            // A provider that is down answers before reading the request: no latency, no draws.
            outcomes[FaultRates.Outcome.OUTAGE.ordinal()].incrementAndGet();
            callLog.record(
                    ex.getRequestHeaders().getFirst("Idempotency-Key"), arrivedAtMs, FaultRates.Outcome.OUTAGE, 0);
            send(ex, 503, dialect.error(ErrorKind.SERVER_ERROR, SimulatorOutages.MESSAGE, null));
            return;
        }
        JsonNode body;
        try (InputStream in = ex.getRequestBody()) {
            body = OpenAiJson.MAPPER.readTree(in);
            paramLog.record(body);
            OpenAiJson.fromBody(body); // the same validation the worker applies to batch lines
        } catch (IOException e) {
            errors.incrementAndGet();
            send(
                    ex,
                    400,
                    dialect.error(ErrorKind.BAD_REQUEST, "We could not parse the JSON body of your request.", null));
            return;
        } catch (IllegalArgumentException e) {
            errors.incrementAndGet();
            send(ex, 400, dialect.error(ErrorKind.BAD_REQUEST, e.getMessage(), null));
            return;
        }
        String rejected = options.strictParams() ? SimulatorReasoning.rejectedParameter(body) : null;
        if (rejected != null) {
            // Like a real endpoint: checked before any work, so no latency and no fault draw.
            errors.incrementAndGet();
            paramRejections.incrementAndGet();
            String model = body.path("model").asText();
            send(
                    ex,
                    400,
                    dialect.error(
                            ErrorKind.BAD_REQUEST, SimulatorReasoning.rejectionMessage(model, rejected), rejected));
            return;
        }
        // One draw source per call, seeded by arrival index: repeatable without a shared lock.
        SplittableRandom random = new SplittableRandom(options.seed() + index * 0x9E3779B97F4A7C15L);
        FaultRates faults = options.faults();
        FaultRates.Outcome outcome = faults.pick(random.nextDouble());
        long delayMs = options.latencyModel().sampleMillis(random);
        boolean spoilJson = random.nextDouble() < options.invalidJsonRate();
        if (SimulatorPoison.poisoned(body, options.poisonRate())) {
            // Drawn above all the same, so the other calls' draws do not depend on the poison rate.
            outcome = FaultRates.Outcome.POISONED;
        }
        outcomes[outcome.ordinal()].incrementAndGet();
        int retryAfter = outcome == FaultRates.Outcome.RATE_LIMITED ? faults.retryAfterSeconds() : 0;
        callLog.record(ex.getRequestHeaders().getFirst("Idempotency-Key"), arrivedAtMs, outcome, retryAfter);
        switch (outcome) {
            case RATE_LIMITED:
                // Real providers reject over-limit calls before doing any work: no latency.
                ex.getResponseHeaders().set("Retry-After", Integer.toString(retryAfter));
                send(
                        ex,
                        429,
                        dialect.error(
                                ErrorKind.RATE_LIMITED,
                                "Rate limit reached for requests. Please try again in " + retryAfter + "s.",
                                null));
                break;
            case TIMEOUT:
                delays.hold(ex, faults.timeoutHold().toMillis());
                break;
            case SERVER_ERROR:
                delays.later(
                        ex,
                        delayMs,
                        500,
                        SimulatedCompletion.utf8(dialect.error(
                                ErrorKind.SERVER_ERROR,
                                "The server had an error while processing your request. Sorry about that!",
                                null)),
                        SimulatorExchanges.JSON);
                break;
            case POISONED:
                delays.later(
                        ex,
                        delayMs,
                        500,
                        SimulatedCompletion.utf8(dialect.error(ErrorKind.SERVER_ERROR, SimulatorPoison.MESSAGE, null)),
                        SimulatorExchanges.JSON);
                break;
            case MALFORMED:
                answer(ex, body, delayMs, SimulatorStructured.Invalid.NONE, true);
                break;
            default:
                SimulatorStructured.Invalid invalid = SimulatorStructured.Invalid.NONE;
                if (spoilJson && SimulatorStructured.of(body).asksForJson()) {
                    invalid = SimulatorStructured.Invalid.rotation(invalidJson.getAndIncrement());
                }
                answer(ex, body, delayMs, invalid, false);
        }
    }

    /**
     * Schedules a 200 answer, as JSON or as an event stream. A truncated answer is cut in half: any
     * proper prefix of a JSON object is unparseable, and a cut stream lacks {@code [DONE]}.
     */
    private void answer(
            HttpExchange ex, JsonNode body, long delayMs, SimulatorStructured.Invalid invalid, boolean truncated) {
        ObjectNode completion = SimulatedCompletion.respond(body, clock.millis() / 1000, options.dialect(), invalid);
        boolean stream = SimulatorStream.requested(body);
        byte[] bytes;
        String contentType;
        if (stream) {
            streams.incrementAndGet();
            bytes = SimulatorStream.events(completion, SimulatorStream.includeUsage(body));
            contentType = SimulatorStream.CONTENT_TYPE;
        } else {
            bytes = SimulatedCompletion.utf8(completion);
            contentType = SimulatorExchanges.JSON;
        }
        delays.later(ex, delayMs, 200, truncated ? Arrays.copyOf(bytes, bytes.length / 2) : bytes, contentType);
    }

    private ObjectNode stats(boolean detail) {
        ObjectNode s = JsonNodeFactory.instance.objectNode();
        s.put("calls", calls.get());
        s.put("errors", errors.get());
        s.put("in_flight", delays.inFlight());
        s.put("held", delays.held());
        s.put("latency_ms", options.latency().toMillis());
        s.put("latency", options.latencyModel().describe());
        s.put("seed", options.seed());
        s.put("dialect", options.dialect().id());
        s.put("strict_params", options.strictParams());
        s.put("invalid_json_rate", options.invalidJsonRate());
        s.put("poison_rate", options.poisonRate());
        s.set("outage", outages.stats(clock.millis()));
        ObjectNode byOutcome = s.putObject("outcomes");
        for (FaultRates.Outcome o : FaultRates.Outcome.values()) {
            byOutcome.put(o.statName(), outcomes[o.ordinal()].get());
        }
        s.put("invalid_json", invalidJson.get());
        s.put("param_rejections", paramRejections.get());
        s.put("streams", streams.get());
        s.put("uptime_ms", clock.millis() - startedAtMs);
        s.set("call_log", callLog.summary());
        if (detail) {
            s.set("calls_by_key", callLog.all());
        }
        return s;
    }

    private static void send(HttpExchange ex, int status, JsonNode json) {
        SimulatorExchanges.send(ex, status, json);
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
}
