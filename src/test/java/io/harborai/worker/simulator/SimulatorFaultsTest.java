package io.harborai.worker.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.harborai.worker.provider.ErrorCode;
import io.harborai.worker.provider.OpenAiCompatibleClient;
import io.harborai.worker.provider.OpenAiJson;
import io.harborai.worker.provider.ProviderOutcome;
import io.harborai.worker.provider.ProviderSpec;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The simulator's latency distributions and fault knobs, over real HTTP. */
class SimulatorFaultsTest {
    static final OkHttpClient HTTP = SimulatorServerTest.SHARED;
    static final String BODY = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";

    @RegisterExtension
    final Simulators sims = new Simulators();

    static SimulatorOptions faults(double r429, double r500, double timeout, double malformed) {
        return SimulatorOptions.defaults()
                .withFaults(new FaultRates(r429, 3, r500, timeout, malformed, Duration.ofMinutes(10)));
    }

    /** One reply as seen by the client: status, Retry-After, body, elapsed ms. */
    record Reply(int status, String retryAfter, String body, long elapsedMs) {}

    static Request post(SimulatorServer sim, String key) {
        Request.Builder b = new Request.Builder()
                .url(sim.baseUrl() + "/chat/completions")
                .post(RequestBody.create(BODY, MediaType.get("application/json")));
        if (key != null) {
            b.header("Idempotency-Key", key);
        }
        return b.build();
    }

    static CompletableFuture<Reply> send(OkHttpClient client, Request request) {
        long start = System.nanoTime();
        CompletableFuture<Reply> f = new CompletableFuture<>();
        client.newCall(request).enqueue(new Callback() {
            @Override
            public void onFailure(Call call, IOException e) {
                f.completeExceptionally(e);
            }

            @Override
            public void onResponse(Call call, Response r) {
                try (r) {
                    String body = r.body().string();
                    f.complete(new Reply(
                            r.code(), r.header("Retry-After"), body, (System.nanoTime() - start) / 1_000_000));
                } catch (IOException e) {
                    f.completeExceptionally(e);
                }
            }
        });
        return f;
    }

    static List<Reply> sendMany(SimulatorServer sim, int n) throws Exception {
        List<CompletableFuture<Reply>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            futures.add(send(HTTP, post(sim, "k-" + i)));
        }
        List<Reply> replies = new ArrayList<>();
        for (CompletableFuture<Reply> f : futures) {
            replies.add(f.get(30, TimeUnit.SECONDS));
        }
        return replies;
    }

    static JsonNode get(SimulatorServer sim, String pathAndQuery) throws IOException {
        String root = sim.baseUrl().substring(0, sim.baseUrl().length() - "/v1".length());
        try (Response r = HTTP.newCall(
                        new Request.Builder().url(root + pathAndQuery).build())
                .execute()) {
            assertThat(r.code()).isEqualTo(200);
            return OpenAiJson.parse(r.body().string(), pathAndQuery);
        }
    }

    @Test
    void shouldDrawEachOutcomeAtItsRateAndCountItInStats() throws Exception {
        SimulatorServer sim = sims.start(faults(0.2, 0.1, 0, 0.15));
        int n = 2000;

        List<Reply> replies = sendMany(sim, n);

        Map<FaultRates.Outcome, Integer> seen = new EnumMap<>(FaultRates.Outcome.class);
        for (Reply r : replies) {
            FaultRates.Outcome o = r.status() == 429
                    ? FaultRates.Outcome.RATE_LIMITED
                    : r.status() == 500
                            ? FaultRates.Outcome.SERVER_ERROR
                            : parses(r.body()) ? FaultRates.Outcome.OK : FaultRates.Outcome.MALFORMED;
            seen.merge(o, 1, Integer::sum);
        }
        // 4 standard deviations of a binomial(2000, p) proportion: a fixed seed makes this exact anyway.
        assertThat(seen.get(FaultRates.Outcome.RATE_LIMITED) / (double) n).isCloseTo(0.20, within(0.036));
        assertThat(seen.get(FaultRates.Outcome.SERVER_ERROR) / (double) n).isCloseTo(0.10, within(0.027));
        assertThat(seen.get(FaultRates.Outcome.MALFORMED) / (double) n).isCloseTo(0.15, within(0.032));
        assertThat(seen.get(FaultRates.Outcome.OK) / (double) n).isCloseTo(0.55, within(0.045));
        JsonNode stats = get(sim, "/stats");
        assertThat(stats.path("calls").asLong()).isEqualTo(n);
        for (FaultRates.Outcome o : FaultRates.Outcome.values()) {
            assertThat(stats.path("outcomes").path(o.statName()).asLong())
                    .as(o.statName())
                    .isEqualTo(seen.getOrDefault(o, 0).longValue());
        }
    }

    @Test
    void shouldDrawTheSameOutcomesForTheSameSeedWhateverTheArrivalOrder() throws Exception {
        SimulatorServer a = sims.start(faults(0.3, 0.2, 0, 0));
        SimulatorServer b = sims.start(faults(0.3, 0.2, 0, 0));
        SimulatorServer other = sims.start(faults(0.3, 0.2, 0, 0).withSeed(7));

        sendMany(a, 500);
        sendMany(b, 500);
        sendMany(other, 500);

        assertThat(a.outcomes(FaultRates.Outcome.RATE_LIMITED)).isEqualTo(b.outcomes(FaultRates.Outcome.RATE_LIMITED));
        assertThat(a.outcomes(FaultRates.Outcome.SERVER_ERROR)).isEqualTo(b.outcomes(FaultRates.Outcome.SERVER_ERROR));
        assertThat(other.outcomes(FaultRates.Outcome.RATE_LIMITED) * 1000
                        + other.outcomes(FaultRates.Outcome.SERVER_ERROR))
                .as("another seed draws differently")
                .isNotEqualTo(a.outcomes(FaultRates.Outcome.RATE_LIMITED) * 1000
                        + a.outcomes(FaultRates.Outcome.SERVER_ERROR));
    }

    @Test
    void shouldSend429WithRetryAfterAndAnOpenAiRateLimitBody() throws Exception {
        SimulatorServer sim = sims.start(faults(1.0, 0, 0, 0));

        Reply r = send(HTTP, post(sim, "k")).get(10, TimeUnit.SECONDS);

        assertThat(r.status()).isEqualTo(429);
        assertThat(r.retryAfter()).isEqualTo("3");
        JsonNode error = OpenAiJson.parse(r.body(), "429").path("error");
        assertThat(error.path("code").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(error.path("message").asText()).contains("3s");
    }

    @Test
    void shouldSend500WithAnOpenAiServerErrorBody() throws Exception {
        SimulatorServer sim = sims.start(faults(0, 1.0, 0, 0));

        Reply r = send(HTTP, post(sim, "k")).get(10, TimeUnit.SECONDS);

        assertThat(r.status()).isEqualTo(500);
        assertThat(OpenAiJson.parse(r.body(), "500").path("error").path("type").asText())
                .isEqualTo("server_error");
    }

    @Test
    void shouldSendMalformedBodiesThatNoJsonParserAcceptsAndTheClientCallsInvalid() throws Exception {
        SimulatorServer sim = sims.start(faults(0, 0, 0, 1.0));

        Reply r = send(HTTP, post(sim, "k")).get(10, TimeUnit.SECONDS);

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).startsWith("{\"id\":\"chatcmpl-sim-");
        assertThat(parses(r.body())).isFalse();
        OpenAiCompatibleClient client =
                new OpenAiCompatibleClient(HTTP, ProviderSpec.of("sim", sim.baseUrl(), null, List.of("*")), null);
        ProviderOutcome outcome = client.complete(SimulatorServerTest.request("m", "x"), "m");
        assertThat(outcome)
                .isInstanceOfSatisfying(
                        ProviderOutcome.Failure.class, f -> assertThat(f.code()).isEqualTo(ErrorCode.INVALID_RESPONSE));
    }

    @Test
    void shouldHoldTimedOutCallsWithoutAThreadEachAndCloseThemOnClose() throws Exception {
        SimulatorServer sim = sims.start(faults(0, 0, 1.0, 0));
        OkHttpClient impatient =
                HTTP.newBuilder().readTimeout(Duration.ofMillis(1500)).build();
        int n = 60; // far more than the simulator's handler threads

        List<CompletableFuture<Reply>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            futures.add(send(impatient, post(sim, "t-" + i)));
        }

        // Handlers are free: /stats answers while every call is held.
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(5))
                .until(() -> get(sim, "/stats").path("held").asInt() == n);
        assertThat(get(sim, "/stats").path("outcomes").path("timeout").asLong()).isEqualTo(n);
        for (CompletableFuture<Reply> f : futures) {
            assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(InterruptedIOException.class);
        }
        sim.close();
        assertThat(sim.outcomes(FaultRates.Outcome.TIMEOUT)).isEqualTo(n);
    }

    @Test
    void shouldListEachKeysCallsWithTheirRetryAfter() throws Exception {
        SimulatorServer sim = sims.start(faults(1.0, 0, 0, 0));
        long before = System.currentTimeMillis();

        for (int i = 0; i < 3; i++) {
            send(HTTP, post(sim, "key with space/1")).get(10, TimeUnit.SECONDS);
        }
        send(HTTP, post(sim, "other")).get(10, TimeUnit.SECONDS);

        JsonNode calls = get(sim, "/calls?key=key%20with%20space%2F1");
        assertThat(calls.path("total").asInt()).isEqualTo(3);
        assertThat(calls.path("calls")).hasSize(3).allSatisfy(c -> {
            assertThat(c.path("at_ms").asLong()).isBetween(before, System.currentTimeMillis());
            assertThat(c.path("outcome").asText()).isEqualTo("429");
            assertThat(c.path("retry_after_s").asInt()).isEqualTo(3);
        });
        assertThat(get(sim, "/calls?key=unknown").path("calls")).isEmpty();
        JsonNode detail = get(sim, "/stats?detail=true").path("calls_by_key");
        assertThat(detail.path("other")).hasSize(1);
        assertThat(get(sim, "/stats").has("calls_by_key")).isFalse();
    }

    @Test
    void shouldBoundTheCallLogByDroppingTheOldestKeys() throws Exception {
        SimulatorServer sim = sims.start(SimulatorOptions.defaults().withCallLogKeys(5));

        for (int i = 0; i < 8; i++) {
            send(HTTP, post(sim, "k-" + i)).get(10, TimeUnit.SECONDS);
        }

        JsonNode log = get(sim, "/stats").path("call_log");
        assertThat(log.path("keys").asInt()).isEqualTo(5);
        assertThat(log.path("dropped_keys").asInt()).isEqualTo(3);
        assertThat(get(sim, "/calls?key=k-0").path("calls")).isEmpty();
        assertThat(get(sim, "/calls?key=k-7").path("calls")).hasSize(1);
    }

    @Test
    void shouldKeepUniformLatencyWithinItsBoundsOverHttp() throws Exception {
        SimulatorServer sim = sims.start(SimulatorOptions.defaults()
                .withLatencyModel(LatencyModel.uniform(Duration.ofMillis(60), Duration.ofMillis(160))));

        SimulatorServer instant = sims.start(SimulatorOptions.defaults());

        Map<SimulatorServer, List<Reply>> replies = sendManyAtOnce(List.of(sim, instant), 60);

        List<Reply> uniform = replies.get(sim);
        long min = uniform.stream().mapToLong(Reply::elapsedMs).min().orElseThrow();
        long max = uniform.stream().mapToLong(Reply::elapsedMs).max().orElseThrow();
        assertThat(min).isGreaterThanOrEqualTo(60);
        assertThat(max)
                .as("160 ms plus the overhead measured alongside")
                .isLessThan(160 + slackMs(replies.get(instant)));
        assertThat(max - min).as("spread, not a fixed delay").isGreaterThan(40);
    }

    @Test
    void shouldKeepCappedLogNormalLatencyWithinItsCapOverHttp() throws Exception {
        SimulatorServer sim = sims.start(SimulatorOptions.defaults()
                .withLatencyModel(LatencyModel.logNormal(Duration.ofMillis(40), 1.5, Duration.ofMillis(120))));

        SimulatorServer instant = sims.start(SimulatorOptions.defaults());

        Map<SimulatorServer, List<Reply>> replies = sendManyAtOnce(List.of(sim, instant), 60);

        assertThat(replies.get(sim)).allSatisfy(r -> assertThat(r.status()).isEqualTo(200));
        assertThat(replies.get(sim).stream().mapToLong(Reply::elapsedMs).max().orElseThrow())
                .as("the 120 ms cap plus the overhead measured alongside")
                .isLessThan(120 + slackMs(replies.get(instant)));
    }

    /**
     * Sends {@code n} requests to each server, interleaved, so that every server's replies see the
     * same load: the replies of a zero-latency server among them measure this machine's overhead
     * at that moment (see {@link #slackMs}).
     */
    static Map<SimulatorServer, List<Reply>> sendManyAtOnce(List<SimulatorServer> sims, int n) throws Exception {
        Map<SimulatorServer, List<CompletableFuture<Reply>>> futures = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            for (SimulatorServer sim : sims) {
                futures.computeIfAbsent(sim, s -> new ArrayList<>()).add(send(HTTP, post(sim, "k-" + i)));
            }
        }
        Map<SimulatorServer, List<Reply>> replies = new LinkedHashMap<>();
        for (var e : futures.entrySet()) {
            List<Reply> got = new ArrayList<>();
            for (CompletableFuture<Reply> f : e.getValue()) {
                got.add(f.get(30, TimeUnit.SECONDS));
            }
            replies.put(e.getKey(), got);
        }
        return replies;
    }

    /**
     * How late a reply may come beyond its drawn latency: a generous multiple of the slowest reply
     * of a zero-latency server sent alongside (connection set-up, scheduling on a loaded machine),
     * plus a floor for a stall that hit one side only. A missing cap still shows: 60 uncapped
     * log-normal draws (median 40 ms, sigma 1.5) reach well over a second.
     */
    static long slackMs(List<Reply> instantReplies) {
        long overhead =
                instantReplies.stream().mapToLong(Reply::elapsedMs).max().orElseThrow();
        return 4 * overhead + 500;
    }

    private static boolean parses(String body) {
        try {
            OpenAiJson.MAPPER.readTree(body);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static org.assertj.core.data.Offset<Double> within(double d) {
        return org.assertj.core.data.Offset.offset(d);
    }
}
