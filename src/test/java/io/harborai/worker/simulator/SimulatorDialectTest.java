package io.harborai.worker.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SimulatorDialectTest {
    SimulatorServer sim;

    @AfterEach
    void stop() {
        if (sim != null) {
            sim.close();
        }
    }

    SimulatorServer start(SimulatorOptions options) {
        sim = SimulatorServer.start(options);
        return sim;
    }

    static SimulatorOptions faults(SimulatorDialect dialect, double r429, double r500) {
        return SimulatorOptions.defaults()
                .withDialect(dialect)
                .withFaults(new FaultRates(r429, 2, r500, 0, 0, Duration.ofMinutes(1)));
    }

    @ParameterizedTest
    @EnumSource(SimulatorDialect.class)
    void shouldAnswerInEachDialectsCompletionShape(SimulatorDialect dialect) {
        start(SimulatorOptions.defaults().withDialect(dialect));

        HttpResponse<String> r = SimHttp.post(sim, SimHttp.body("chat-model", "What is Kafka?"));

        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode c = SimHttp.json(r);
        assertThat(c.path("object").asText()).isEqualTo("chat.completion");
        assertThat(SimHttp.content(r)).startsWith("Simulated answer (chat-model) to: What is Kafka?");
        JsonNode usage = c.path("usage");
        assertThat(usage.path("total_tokens").asInt())
                .isEqualTo(usage.path("prompt_tokens").asInt()
                        + usage.path("completion_tokens").asInt());
        assertThat(usage.at("/prompt_tokens_details/cached_tokens").isInt()).isTrue();
        assertThat(usage.at("/completion_tokens_details/reasoning_tokens").asInt(-1))
                .isZero();
        String id = c.path("id").asText();
        switch (dialect) {
            case OPENAI:
                assertThat(id).startsWith("chatcmpl-");
                assertThat(usage.has("prompt_cache_hit_tokens")).isFalse();
                break;
            case DEEPSEEK:
                assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
                assertThat(usage.path("prompt_cache_hit_tokens").asInt(-1)).isZero();
                assertThat(usage.path("prompt_cache_miss_tokens").asInt())
                        .isEqualTo(usage.path("prompt_tokens").asInt());
                break;
            case DOUBAO:
                assertThat(id).startsWith("021").doesNotContain("-");
                assertThat(c.path("service_tier").asText()).isEqualTo("default");
                break;
            default:
                assertThat(id).startsWith("as-");
        }
    }

    @ParameterizedTest
    @EnumSource(SimulatorDialect.class)
    void shouldShapeRateLimitAndServerErrorsPerDialect(SimulatorDialect dialect) {
        start(faults(dialect, 1.0, 0));
        HttpResponse<String> limited = SimHttp.post(sim, SimHttp.body("m", "hi"));
        sim.close();
        start(faults(dialect, 0, 1.0));
        HttpResponse<String> failed = SimHttp.post(sim, SimHttp.body("m", "hi"));

        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).contains("2");
        assertThat(failed.statusCode()).isEqualTo(500);
        JsonNode e429 = SimHttp.json(limited).path("error");
        JsonNode e500 = SimHttp.json(failed).path("error");
        assertThat(e429.path("message").asText()).contains("Rate limit");
        assertThat(e500.path("message").asText()).isNotBlank();
        switch (dialect) {
            case DOUBAO:
                assertThat(e429.path("type").asText()).isEqualTo("TooManyRequests");
                assertThat(e429.path("code").asText()).isEqualTo("RateLimitExceeded.EndpointRPMExceeded");
                assertThat(e500.path("code").asText()).isEqualTo("InternalServiceError");
                break;
            case WENXIN:
                assertThat(e429.path("code").asText()).isEqualTo("rpm_rate_limit_exceeded");
                assertThat(e500.path("code").asText()).isEqualTo("internal_error");
                break;
            default:
                assertThat(e429.path("code").asText()).isEqualTo("rate_limit_exceeded");
                assertThat(e500.path("type").asText()).isEqualTo("server_error");
                assertThat(e429.has("param")).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(SimulatorDialect.class)
    void shouldShapeBadRequestsPerDialectNamingTheParameter(SimulatorDialect dialect) {
        start(SimulatorOptions.defaults().withDialect(dialect));
        var body = SimHttp.body("deepseek-reasoner", "hi").put("logprobs", true);

        HttpResponse<String> r = SimHttp.post(sim, body);

        assertThat(r.statusCode()).isEqualTo(400);
        JsonNode e = SimHttp.json(r).path("error");
        assertThat(e.path("message").asText()).contains("logprobs");
        switch (dialect) {
            case DOUBAO:
                assertThat(e.path("type").asText()).isEqualTo("BadRequest");
                assertThat(e.path("code").asText()).isEqualTo("InvalidParameter.logprobs");
                assertThat(e.path("param").asText()).isEqualTo("logprobs");
                break;
            case WENXIN:
                assertThat(e.path("code").asText()).isEqualTo("invalid_argument");
                break;
            default:
                assertThat(e.path("type").asText()).isEqualTo("invalid_request_error");
                assertThat(e.path("param").asText()).isEqualTo("logprobs");
        }
    }

    @Test
    void shouldReportTheDialectInStats() {
        start(SimulatorOptions.defaults().withDialect(SimulatorDialect.parse("Qianfan")));

        JsonNode stats = SimHttp.json(SimHttp.get(sim, "/stats"));

        assertThat(stats.path("dialect").asText()).isEqualTo("wenxin");
        assertThat(stats.path("strict_params").asBoolean()).isTrue();
    }
}
