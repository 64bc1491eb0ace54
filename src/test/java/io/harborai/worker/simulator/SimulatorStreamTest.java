package io.harborai.worker.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.harborai.worker.provider.OpenAiJson;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SimulatorStreamTest {
    SimulatorServer sim;

    @AfterEach
    void stop() {
        if (sim != null) {
            sim.close();
        }
    }

    /** The {@code data:} payloads of an event stream, in order. */
    static List<String> events(HttpResponse<String> r) {
        List<String> out = new ArrayList<>();
        for (String block : r.body().split("\n\n")) {
            if (block.startsWith("data: ")) {
                out.add(block.substring("data: ".length()));
            }
        }
        return out;
    }

    static List<JsonNode> chunks(List<String> events) {
        List<JsonNode> out = new ArrayList<>();
        for (String e : events) {
            if (!e.equals("[DONE]")) {
                try {
                    out.add(OpenAiJson.MAPPER.readTree(e));
                } catch (java.io.IOException ex) {
                    throw new AssertionError("bad chunk " + e, ex);
                }
            }
        }
        return out;
    }

    static String concat(List<JsonNode> chunks, String field) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode c : chunks) {
            JsonNode delta = c.path("choices").path(0).path("delta");
            if (delta.hasNonNull(field)) {
                sb.append(delta.get(field).asText());
            }
        }
        return sb.toString();
    }

    @Test
    void shouldStreamTheSameContentAsTheNonStreamedAnswer() {
        sim = SimulatorServer.start(SimulatorOptions.defaults().withLatency(Duration.ofMillis(50)));
        var plain = SimHttp.body("gpt-4o", "Tell me about Kafka Streams");

        HttpResponse<String> whole = SimHttp.post(sim, plain);
        HttpResponse<String> streamed = SimHttp.post(sim, plain.deepCopy().put("stream", true));

        assertThat(streamed.statusCode()).isEqualTo(200);
        assertThat(streamed.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        List<String> events = events(streamed);
        assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
        List<JsonNode> chunks = chunks(events);
        assertThat(chunks).allSatisfy(c -> assertThat(c.path("object").asText()).isEqualTo("chat.completion.chunk"));
        assertThat(chunks.get(0).at("/choices/0/delta/role").asText()).isEqualTo("assistant");
        assertThat(chunks.size()).isGreaterThan(3);
        assertThat(concat(chunks, "content")).isEqualTo(SimHttp.content(whole));
        assertThat(chunks.get(chunks.size() - 1).at("/choices/0/finish_reason").asText())
                .isEqualTo("stop");
        assertThat(chunks).noneMatch(c -> c.hasNonNull("usage"));
    }

    @Test
    void shouldSendAUsageChunkOnlyWithIncludeUsage() {
        sim = SimulatorServer.start(SimulatorOptions.defaults());
        var body = SimHttp.body("gpt-4o", "usage please").put("stream", true);
        body.putObject("stream_options").put("include_usage", true);

        List<JsonNode> chunks = chunks(events(SimHttp.post(sim, body)));
        JsonNode last = chunks.get(chunks.size() - 1);

        assertThat(last.path("choices").isArray()).isTrue();
        assertThat(last.path("choices").isEmpty()).isTrue();
        assertThat(last.at("/usage/total_tokens").asInt()).isPositive();
        assertThat(chunks.subList(0, chunks.size() - 1))
                .allSatisfy(c -> assertThat(c.get("usage").isNull()).isTrue());
    }

    @Test
    void shouldStreamReasoningBeforeContentForDeepseekReasoner() {
        sim = SimulatorServer.start(SimulatorOptions.defaults().withDialect(SimulatorDialect.DEEPSEEK));
        var plain = SimHttp.body("deepseek-reasoner", "Think first");

        JsonNode whole = SimHttp.json(SimHttp.post(sim, plain));
        List<JsonNode> chunks = chunks(events(SimHttp.post(sim, plain.deepCopy().put("stream", true))));

        assertThat(concat(chunks, "reasoning_content"))
                .isEqualTo(whole.at("/choices/0/message/reasoning_content").asText());
        assertThat(concat(chunks, "content"))
                .isEqualTo(whole.at("/choices/0/message/content").asText());
        int firstReasoning = -1;
        int firstContent = -1;
        for (int i = 0; i < chunks.size(); i++) {
            JsonNode d = chunks.get(i).at("/choices/0/delta");
            if (firstReasoning < 0 && d.hasNonNull("reasoning_content")) {
                firstReasoning = i;
            }
            if (firstContent < 0 && !d.path("content").asText("").isEmpty()) {
                firstContent = i;
            }
        }
        assertThat(firstReasoning).isPositive().isLessThan(firstContent);
    }

    @Test
    void shouldAnswerA429AsPlainJsonEvenWhenStreaming() {
        sim = SimulatorServer.start(
                SimulatorOptions.defaults().withFaults(new FaultRates(1.0, 1, 0, 0, 0, Duration.ofMinutes(1))));

        HttpResponse<String> r = SimHttp.post(sim, SimHttp.body("gpt-4o", "x").put("stream", true));

        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(SimHttp.json(r).at("/error/code").asText()).isEqualTo("rate_limit_exceeded");
    }
}
