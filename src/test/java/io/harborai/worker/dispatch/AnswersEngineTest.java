package io.harborai.worker.dispatch;

import static io.harborai.worker.dispatch.EngineFixtures.request;
import static io.harborai.worker.dispatch.EngineFixtures.success;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.Cost;
import io.harborai.worker.avro.Params;
import io.harborai.worker.avro.ResponseFormat;
import io.harborai.worker.avro.ResultStatus;
import io.harborai.worker.cost.Price;
import io.harborai.worker.cost.PriceTable;
import io.harborai.worker.cost.TenantBudgets;
import io.harborai.worker.dispatch.EngineFixtures.FakeCaller;
import io.harborai.worker.dispatch.ratelimit.RateLimiter;
import io.harborai.worker.metrics.MetricsCatalog;
import io.harborai.worker.provider.ErrorCode;
import io.harborai.worker.structured.SchemaValidator;
import io.harborai.worker.structured.StructuredOutput;
import io.harborai.worker.testinfra.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The engine with {@link Answers}: structured-output checks and re-asks in the same conversation,
 * usage and cost summed over every call, and the tenant budget checked before each call.
 */
class AnswersEngineTest {
    private static final String SCHEMA =
            "{\"type\":\"object\",\"required\":[\"age\"]," + "\"properties\":{\"age\":{\"type\":\"integer\"}}}";
    /** 1 per million prompt tokens, 2 per million completion tokens: success() uses 3 + 4 tokens. */
    private static final double CALL_COST = (3 * 1.0 + 4 * 2.0) / 1e6;

    private final MutableClock clock = new MutableClock(1_700_000_000_000L);
    private final FakeCaller caller = new FakeCaller(clock);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<ChatResult> results = new ArrayList<>();
    private final Set<String> brokeTenants = new java.util.HashSet<>();
    private final List<Cost> recorded = new ArrayList<>();

    private DispatchEngine engine() {
        TenantBudgets budgets = new TenantBudgets() {
            @Override
            public boolean exceeded(String tenant) {
                return brokeTenants.contains(tenant);
            }

            @Override
            public void record(String tenant, Cost cost) {
                recorded.add(cost);
            }

            @Override
            public void close() {}
        };
        PriceTable prices = PriceTable.of(List.of(Map.entry("m", new Price(1.0, 0.5, 2.0, "USD"))));
        Answers answers = new Answers(new StructuredOutput(new SchemaValidator(16)), 3, prices, budgets, meters);
        DispatchRuntime rt = new DispatchRuntime(
                EngineFixtures.router("p=*"),
                EngineFixtures.settings(Map.of("dispatch.linger-ms", 0)),
                caller,
                RateLimiter.unlimited(),
                clock,
                () -> 0.5,
                meters,
                answers);
        return new DispatchEngine(rt, results::add);
    }

    private static ChatRequest schemaRequest(String id) {
        ChatRequest r = request(id, "m", "how old?");
        r.setParams(Params.newBuilder()
                .setResponseFormat(ResponseFormat.newBuilder()
                        .setType("json_schema")
                        .setJsonSchemaName("age")
                        .setJsonSchemaJson(SCHEMA)
                        .build())
                .build());
        return r;
    }

    /** Answers every open call with {@code content}, then lets the engine forward and re-send. */
    private void answer(DispatchEngine engine, String content) {
        caller.open().forEach(c -> c.complete(success(content)));
        engine.pump();
        engine.pump();
    }

    @Test
    void shouldMakeOneCallWhenTheFirstAnswerIsValid() {
        DispatchEngine engine = engine();
        engine.submit(schemaRequest("a"), clock.millis(), 100, false);
        engine.pump();
        answer(engine, "Sure! ```json\n{\"age\": 42}\n```");
        assertThat(caller.calls).hasSize(1);
        assertThat(results).singleElement().satisfies(r -> {
            assertThat(r.getStatus()).isEqualTo(ResultStatus.SUCCEEDED);
            assertThat(r.getStructured().getValid()).isTrue();
            assertThat(r.getStructured().getAttempts()).isEqualTo(1);
            assertThat(r.getStructured().getJson()).isEqualTo("{\"age\":42}");
            assertThat(r.getCost().getAmount()).isCloseTo(CALL_COST, within(1e-15));
            assertThat(r.getCost().getCurrency()).isEqualTo("USD");
        });
    }

    @Test
    void shouldReaskInTheSameConversationAndSumUsageAndCost() {
        DispatchEngine engine = engine();
        engine.submit(schemaRequest("a"), clock.millis(), 100, false);
        engine.pump();
        answer(engine, "{\"age\": \"forty\"}");
        assertThat(results).isEmpty();
        assertThat(caller.calls).hasSize(2);
        ChatRequest second = caller.last().request();
        assertThat(second.getMessages()).hasSize(3);
        assertThat(second.getMessages().get(1).getRole()).isEqualTo("assistant");
        assertThat(second.getMessages().get(1).getContent()).isEqualTo("{\"age\": \"forty\"}");
        assertThat(second.getMessages().get(2).getRole()).isEqualTo("user");
        assertThat(second.getMessages().get(2).getContent()).contains("age");
        assertThat(second.getId()).isEqualTo("a");

        answer(engine, "{\"age\": 40}");
        assertThat(results).singleElement().satisfies(r -> {
            assertThat(r.getStatus()).isEqualTo(ResultStatus.SUCCEEDED);
            assertThat(r.getAttempts()).isEqualTo(2);
            assertThat(r.getStructured().getAttempts()).isEqualTo(2);
            assertThat(r.getUsage().getTotalTokens()).isEqualTo(14);
            assertThat(r.getCost().getAmount()).isCloseTo(2 * CALL_COST, within(1e-15));
            assertThat(r.getResponse().getContent()).isEqualTo("{\"age\": 40}");
        });
        assertThat(recorded).hasSize(2);
        assertThat(meters.get(MetricsCatalog.STRUCTURED_REASKS).counter().count())
                .isEqualTo(1.0);
        assertThat(meters.get(MetricsCatalog.COST).tag("model", "m").counter().count())
                .isCloseTo(2 * CALL_COST, within(1e-15));
    }

    @Test
    void shouldFailWithSchemaValidationAfterTheConfiguredAttempts() {
        DispatchEngine engine = engine();
        engine.submit(schemaRequest("a"), clock.millis(), 100, false);
        engine.pump();
        answer(engine, "I am not sure.");
        answer(engine, "{\"age\": null}");
        answer(engine, "{\"years\": 3}");
        assertThat(caller.calls).hasSize(3);
        assertThat(results).singleElement().satisfies(r -> {
            assertThat(r.getStatus()).isEqualTo(ResultStatus.FAILED);
            assertThat(r.getError().getCode()).isEqualTo(ErrorCode.SCHEMA_VALIDATION.name());
            assertThat(r.getError().getMessage()).contains("3 attempt");
            assertThat(r.getStructured().getValid()).isFalse();
            assertThat(r.getStructured().getAttempts()).isEqualTo(3);
            assertThat(r.getStructured().getJson()).isEqualTo("{\"years\":3}");
            assertThat(r.getResponse().getContent()).isEqualTo("{\"years\": 3}");
            assertThat(r.getCost().getAmount()).isCloseTo(3 * CALL_COST, within(1e-15));
        });
        assertThat(caller.calls.get(2).request().getMessages()).hasSize(5);
    }

    @Test
    void shouldLeavePlainRequestsUncheckedButPriced() {
        DispatchEngine engine = engine();
        engine.submit(request("a", "m", "hi"), clock.millis(), 100, false);
        engine.submit(request("b", "unpriced", "hi"), clock.millis(), 100, false);
        engine.pump();
        answer(engine, "not JSON at all");
        assertThat(caller.calls).hasSize(2);
        assertThat(results).hasSize(2).allSatisfy(r -> {
            assertThat(r.getStatus()).isEqualTo(ResultStatus.SUCCEEDED);
            assertThat(r.getStructured()).isNull();
        });
        assertThat(results)
                .filteredOn(r -> r.getId().equals("a"))
                .singleElement()
                .satisfies(r -> assertThat(r.getCost().getAmount()).isCloseTo(CALL_COST, within(1e-15)));
        assertThat(results)
                .filteredOn(r -> r.getId().equals("b"))
                .singleElement()
                .satisfies(r -> assertThat(r.getCost()).isNull());
    }

    @Test
    void shouldAnswerBudgetExceededWithoutACall() {
        brokeTenants.add("broke");
        DispatchEngine engine = engine();
        ChatRequest broke = request("a", "m", "hi");
        broke.setTenant("broke");
        ChatRequest fine = request("b", "m", "hi");
        fine.setTenant("fine");
        engine.submit(broke, clock.millis(), 100, false);
        engine.submit(fine, clock.millis(), 100, false);
        engine.pump();
        assertThat(caller.calls)
                .singleElement()
                .satisfies(c -> assertThat(c.request().getId()).isEqualTo("b"));
        assertThat(results).singleElement().satisfies(r -> {
            assertThat(r.getId()).isEqualTo("a");
            assertThat(r.getError().getCode()).isEqualTo(ErrorCode.BUDGET_EXCEEDED.name());
            assertThat(r.getAttempts()).isZero();
        });
    }
}
