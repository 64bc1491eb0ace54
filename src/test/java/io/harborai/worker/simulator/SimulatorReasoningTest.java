package io.harborai.worker.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SimulatorReasoningTest {
    SimulatorServer sim;

    @AfterEach
    void stop() {
        if (sim != null) {
            sim.close();
        }
    }

    void start(SimulatorOptions options) {
        sim = SimulatorServer.start(options);
    }

    @Test
    void shouldRecogniseReasoningModelsByTheDocumentedRule() {
        for (String m : new String[] {
            "deepseek-reasoner",
            "o1",
            "o3-mini",
            "o4-mini",
            "openai/o3",
            "qwen3-thinking",
            "ernie-x1-turbo-32k",
            "doubao-seed-1-6-250615"
        }) {
            assertThat(SimulatorReasoning.isReasoningModel(m)).as(m).isTrue();
        }
        for (String m : new String[] {"deepseek-chat", "gpt-4o", "ernie-4.0-8k", "doubao-pro-32k"}) {
            assertThat(SimulatorReasoning.isReasoningModel(m)).as(m).isFalse();
        }
    }

    @Test
    void shouldReturnReasoningContentForDeepseekReasoner() {
        start(SimulatorOptions.defaults().withDialect(SimulatorDialect.DEEPSEEK));

        JsonNode c = SimHttp.json(SimHttp.post(sim, SimHttp.body("deepseek-reasoner", "Why?")));

        assertThat(c.at("/choices/0/message/reasoning_content").asText()).startsWith("Simulated reasoning");
        assertThat(c.at("/choices/0/message/content").asText()).startsWith("Simulated answer");
        int reasoning =
                c.at("/usage/completion_tokens_details/reasoning_tokens").asInt();
        assertThat(reasoning).isPositive();
        assertThat(c.at("/usage/completion_tokens").asInt()).isGreaterThan(reasoning);
    }

    @Test
    void shouldCountButNotReturnReasoningForO3UnderOpenAi() {
        start(SimulatorOptions.defaults());

        JsonNode c = SimHttp.json(SimHttp.post(sim, SimHttp.body("o3", "Why?")));

        assertThat(c.at("/choices/0/message").has("reasoning_content")).isFalse();
        assertThat(c.at("/usage/completion_tokens_details/reasoning_tokens").asInt())
                .isPositive();
    }

    @Test
    void shouldRejectLogprobsForAReasoningModelAndTemperatureForO3() {
        start(SimulatorOptions.defaults());

        HttpResponse<String> logprobs =
                SimHttp.post(sim, SimHttp.body("deepseek-reasoner", "hi").put("top_logprobs", 2));
        HttpResponse<String> temperature =
                SimHttp.post(sim, SimHttp.body("o3-mini", "hi").put("temperature", 0.2));
        HttpResponse<String> maxTokens =
                SimHttp.post(sim, SimHttp.body("o1", "hi").put("max_tokens", 10));
        HttpResponse<String> allowed =
                SimHttp.post(sim, SimHttp.body("o3", "hi").put("max_completion_tokens", 10));
        HttpResponse<String> chatModel = SimHttp.post(
                sim, SimHttp.body("gpt-4o", "hi").put("temperature", 0.2).put("logprobs", true));
        HttpResponse<String> deepseekTemperature =
                SimHttp.post(sim, SimHttp.body("deepseek-reasoner", "hi").put("temperature", 0.2));

        assertThat(logprobs.statusCode()).isEqualTo(400);
        assertThat(SimHttp.json(logprobs).at("/error/message").asText()).contains("top_logprobs");
        assertThat(temperature.statusCode()).isEqualTo(400);
        assertThat(SimHttp.json(temperature).at("/error/param").asText()).isEqualTo("temperature");
        assertThat(SimHttp.json(maxTokens).at("/error/message").asText()).contains("max_completion_tokens");
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(chatModel.statusCode()).isEqualTo(200);
        assertThat(deepseekTemperature.statusCode()).isEqualTo(200);
        assertThat(sim.paramRejections()).isEqualTo(3);
    }

    @Test
    void shouldRejectReasoningContentSentBackToDeepseekReasoner() {
        start(SimulatorOptions.defaults().withDialect(SimulatorDialect.DEEPSEEK));
        var body = SimHttp.body("deepseek-reasoner", "first");
        body.withArray("messages")
                .addObject()
                .put("role", "assistant")
                .put("content", "answer")
                .put("reasoning_content", "thoughts");
        body.withArray("messages").addObject().put("role", "user").put("content", "second");

        HttpResponse<String> r = SimHttp.post(sim, body);

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(SimHttp.json(r).at("/error/message").asText()).contains("reasoning_content");
    }

    @Test
    void shouldAcceptEveryParameterWhenNotStrict() {
        start(SimulatorOptions.defaults().withStrictParams(false));

        HttpResponse<String> r = SimHttp.post(
                sim, SimHttp.body("o3", "hi").put("temperature", 0.2).put("logprobs", true));

        assertThat(r.statusCode()).isEqualTo(200);
    }

    @Test
    void shouldCountTheParametersEachModelReceived() {
        start(SimulatorOptions.defaults());
        SimHttp.post(sim, SimHttp.body("o3", "a").put("max_completion_tokens", 5));
        SimHttp.post(sim, SimHttp.body("o3", "b").put("temperature", 0.1)); // rejected, still received
        SimHttp.post(sim, SimHttp.body("gpt-4o", "c").put("stream", false).put("seed", 1));

        Map<String, Map<String, Long>> counts = sim.paramCounts();
        JsonNode http = SimHttp.json(SimHttp.get(sim, "/stats/params"));

        assertThat(counts.get("o3"))
                .containsEntry("model", 2L)
                .containsEntry("messages", 2L)
                .containsEntry("max_completion_tokens", 1L)
                .containsEntry("temperature", 1L)
                .doesNotContainKey("stream");
        assertThat(counts.get("gpt-4o")).containsEntry("stream", 1L).containsEntry("seed", 1L);
        assertThat(http.at("/o3/temperature").asLong()).isEqualTo(1);
        assertThat(http.at("/gpt-4o/stream").asLong()).isEqualTo(1);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> counts.get("o3").put("x", 1L))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
