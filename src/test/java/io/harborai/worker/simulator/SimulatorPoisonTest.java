package io.harborai.worker.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harborai.worker.provider.OpenAiJson;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The poison rate: the same requests, chosen by their contents, fail in every run. */
class SimulatorPoisonTest {
    static final OkHttpClient HTTP = SimulatorServerTest.SHARED;

    @RegisterExtension
    final Simulators sims = new Simulators();

    /** Status and body of one call with one user message, sent with an Idempotency-Key. */
    static Response post(SimulatorServer sim, String content, String key) throws IOException {
        String body = OpenAiJson.json(SimHttp.body("m", content));
        Request request = new Request.Builder()
                .url(sim.baseUrl() + "/chat/completions")
                .header("Idempotency-Key", key)
                .post(RequestBody.create(body, MediaType.get("application/json")))
                .build();
        return HTTP.newCall(request).execute();
    }

    @Test
    void shouldPoisonTheSameContentsInEveryRunWhateverTheSeed() throws Exception {
        SimulatorServer a =
                sims.start(SimulatorOptions.defaults().withPoisonRate(0.3).withSeed(1));
        SimulatorServer b =
                sims.start(SimulatorOptions.defaults().withPoisonRate(0.3).withSeed(99));
        int n = 200;
        int poisoned = 0;

        for (int i = 0; i < n; i++) {
            String content = "line " + i + ": summarise the harbour log";
            boolean expected = SimulatorPoison.poisoned(List.of(content), 0.3);
            poisoned += expected ? 1 : 0;
            for (SimulatorServer sim : List.of(a, b)) {
                try (Response r = post(sim, content, "k-" + i)) {
                    String body = r.body().string();
                    assertThat(r.code())
                            .as("%s on seed %d", content, sim.options().seed())
                            .isEqualTo(expected ? 500 : 200);
                    if (expected) {
                        JsonNode error = OpenAiJson.parse(body, "error").path("error");
                        assertThat(error.path("type").asText()).isEqualTo("server_error");
                        assertThat(error.path("message").asText()).contains("poison");
                    }
                }
            }
        }

        // 0.3 of 200: far from both 0 and 200, so the comparison above is not vacuous.
        assertThat(poisoned).isBetween(30, 90);
        for (SimulatorServer sim : List.of(a, b)) {
            JsonNode stats = SimulatorFaultsTest.get(sim, "/stats");
            assertThat(stats.path("poison_rate").asDouble()).isEqualTo(0.3);
            assertThat(stats.path("outcomes").path("poison").asLong()).isEqualTo(poisoned);
            assertThat(stats.path("outcomes").path("500").asLong())
                    .as("not a drawn 500")
                    .isZero();
            assertThat(sim.outcomes(FaultRates.Outcome.POISONED)).isEqualTo(poisoned);
        }
        int firstPoisoned = 0;
        while (!SimulatorPoison.poisoned(List.of("line " + firstPoisoned + ": summarise the harbour log"), 0.3)) {
            firstPoisoned++;
        }
        JsonNode calls = SimulatorFaultsTest.get(a, "/calls?key=k-" + firstPoisoned);
        assertThat(calls.path("calls").path(0).path("outcome").asText()).isEqualTo("poison");
    }

    @Test
    void shouldPoisonAShareOfRandomContentsCloseToTheRate() {
        Random random = new Random(7);
        int n = 10_000;
        int poisoned = 0;
        for (int i = 0; i < n; i++) {
            byte[] bytes = new byte[24];
            random.nextBytes(bytes);
            if (SimulatorPoison.poisoned(List.of(Arrays.toString(bytes)), 0.06)) {
                poisoned++;
            }
        }
        // 4 standard deviations of a binomial(10000, 0.06) proportion: 0.0095.
        assertThat(poisoned / (double) n).isCloseTo(0.06, within(0.0095));
    }

    @Test
    void shouldPoisonNothingAtZeroAndEverythingAtOne() {
        for (int i = 0; i < 100; i++) {
            List<String> contents = List.of("c" + i);
            assertThat(SimulatorPoison.poisoned(contents, 0)).isFalse();
            assertThat(SimulatorPoison.poisoned(contents, 1)).isTrue();
        }
    }

    @Test
    void shouldHashEveryMessageContentInOrderWithNullAsEmpty() {
        ObjectNode body = OpenAiJson.MAPPER.createObjectNode().put("model", "m");
        body.putArray("messages")
                .add(OpenAiJson.MAPPER.createObjectNode().put("role", "system").put("content", "be brief"))
                .add(OpenAiJson.MAPPER.createObjectNode().put("role", "user").put("content", "hi"))
                .add(OpenAiJson.MAPPER
                        .createObjectNode()
                        .put("role", "assistant")
                        .putNull("content"));
        List<String> contents = Arrays.asList("be brief", "hi", null);

        assertThat(SimulatorPoison.fraction(contents))
                .isEqualTo(SimulatorPoison.fraction(List.of("be brief", "hi", "")))
                .isNotEqualTo(SimulatorPoison.fraction(List.of("hi", "be brief", "")))
                .isNotEqualTo(SimulatorPoison.fraction(List.of("be brief", "hi")));
        // The rate just above the fraction poisons the body, the fraction itself does not.
        double f = SimulatorPoison.fraction(contents);
        assertThat(f).isBetween(0.0, 1.0);
        assertThat(SimulatorPoison.poisoned(body, Math.nextUp(f))).isTrue();
        assertThat(SimulatorPoison.poisoned(body, f)).isFalse();
        assertThat(SimulatorPoison.poisoned(contents, Math.nextUp(f))).isTrue();
    }

    @Test
    void shouldRejectARateOutsideZeroToOne() {
        assertThatThrownBy(() -> SimulatorPoison.poisoned(List.of("x"), 1.5)).hasMessageContaining("poison rate");
        assertThatThrownBy(() -> SimulatorOptions.defaults().withPoisonRate(-0.1))
                .hasMessageContaining("poison rate");
    }
}
