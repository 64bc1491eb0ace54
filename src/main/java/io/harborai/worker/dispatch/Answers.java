package io.harborai.worker.dispatch;

import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.Cost;
import io.harborai.worker.avro.ResultStatus;
import io.harborai.worker.avro.Usage;
import io.harborai.worker.cost.PriceTable;
import io.harborai.worker.cost.TenantBudgets;
import io.harborai.worker.metrics.MetricsCatalog;
import io.harborai.worker.provider.ErrorCode;
import io.harborai.worker.provider.ProviderOutcome;
import io.harborai.worker.structured.SchemaValidator;
import io.harborai.worker.structured.StructuredOutput;
import io.harborai.worker.structured.Verdict;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What happens to a provider's successful answer before it becomes a result: its cost (from the
 * price table, added to the request's running total and to its tenant's daily budget), and, for
 * structured-output requests, the check of the answer's JSON against the request's schema with a
 * re-ask in the same conversation when it is not valid.
 *
 * <p>Re-asks: the answer and a message listing the validation errors are appended to the
 * conversation ({@link StructuredOutput#reask}) and the request is dispatched again, up to {@code
 * structuredMaxAttempts} answers in all; then the result is FAILED with SCHEMA_VALIDATION and
 * carries the last answer. A valid first answer costs exactly one call. Usage and cost of a result
 * are the sums over every call made for it.
 *
 * <p>Threading: called on stream threads only; the price table, the structured checker and the
 * budgets are thread-safe, so one instance serves every engine of a worker.
 */
public final class Answers {
    private final StructuredOutput structured;
    private final int structuredMaxAttempts;
    private final PriceTable prices;
    private final TenantBudgets budgets;
    private final MeterRegistry meters;
    private final Counter reasks;
    private final Counter schemaFailures;
    private final Map<String, Counter> costCounters = new ConcurrentHashMap<>();

    /**
     * @param structuredMaxAttempts answers checked per request before SCHEMA_VALIDATION (>= 1)
     */
    public Answers(
            StructuredOutput structured,
            int structuredMaxAttempts,
            PriceTable prices,
            TenantBudgets budgets,
            MeterRegistry meters) {
        if (structuredMaxAttempts < 1) {
            throw new IllegalArgumentException("structuredMaxAttempts must be >= 1");
        }
        this.structured = Objects.requireNonNull(structured, "structured");
        this.structuredMaxAttempts = structuredMaxAttempts;
        this.prices = Objects.requireNonNull(prices, "prices");
        this.budgets = Objects.requireNonNull(budgets, "budgets");
        this.meters = meters;
        this.reasks = Counter.builder(MetricsCatalog.STRUCTURED_REASKS)
                .description("structured-output answers that failed validation and were re-asked")
                .register(meters);
        this.schemaFailures = Counter.builder(MetricsCatalog.STRUCTURED_FAILURES)
                .description("results FAILED with SCHEMA_VALIDATION after every attempt")
                .register(meters);
    }

    /** Built-in prices, no budgets, three structured attempts. */
    public static Answers defaults(MeterRegistry meters) {
        return new Answers(
                new StructuredOutput(new SchemaValidator(SchemaValidator.DEFAULT_CACHE_SIZE)),
                3,
                PriceTable.builtIn(),
                TenantBudgets.none(),
                meters);
    }

    /**
     * Registers the {@code harbor.cost} series of a configured {@code model} of {@code provider}
     * ahead of its first answer, when the price table prices that name; globs and unpriced names
     * get their series with the first priced answer.
     */
    void declareCost(String provider, String model) {
        prices.price(model).ifPresent(p -> costCounter(provider, model, p.currency()));
    }

    /** Whether {@code request}'s tenant has spent its daily budget (the budgets count rejections). */
    boolean overBudget(ChatRequest request) {
        return budgets.exceeded(request.getTenant());
    }

    /**
     * Takes a successful call's answer for {@code e}.
     *
     * @return the result to emit, or empty when {@code e} was re-asked ({@code e.current} now holds
     *     the longer conversation and must be dispatched again)
     */
    Optional<ChatResult> onSuccess(PendingEntry e, ProviderOutcome.Success ok, Results.Trail trail, long nowMs) {
        String model = ok.modelUsed() == null ? e.model() : ok.modelUsed();
        account(e, trail.provider(), model, ok.usage());
        if (!StructuredOutput.wanted(e.request)) {
            return Optional.of(result(e, ok, trail, nowMs, null));
        }
        e.answers++;
        Verdict v = check(e, ok);
        if (v.valid()) {
            return Optional.of(result(e, ok, trail, nowMs, structuredOf(v, e.answers)));
        }
        if (e.answers < structuredMaxAttempts) {
            reasks.increment();
            e.current = StructuredOutput.reask(e.current, content(ok), v.errors());
            return Optional.empty();
        }
        schemaFailures.increment();
        String msg = "the answer was not valid for the requested "
                + e.request.getParams().getResponseFormat().getType() + " after " + e.answers + " attempt(s): "
                + String.join("; ", v.errors());
        ChatResult failed =
                Results.failed(e.request, trail, ErrorCode.SCHEMA_VALIDATION, msg, null, e.receivedAtMs, nowMs);
        return Optional.of(ChatResult.newBuilder(failed)
                .setResponse(ok.response())
                .setModelUsed(model)
                .setUsage(e.usage)
                .setCost(e.cost)
                .setStructured(structuredOf(v, e.answers))
                .build());
    }

    private Verdict check(PendingEntry e, ProviderOutcome.Success ok) {
        try {
            return structured.check(e.request, content(ok));
        } catch (IllegalArgumentException badSchema) {
            // The schema itself cannot be compiled: no answer can ever pass, so do not re-ask.
            e.answers = structuredMaxAttempts;
            return new Verdict(false, null, java.util.List.of(badSchema.getMessage()));
        }
    }

    private ChatResult result(
            PendingEntry e,
            ProviderOutcome.Success ok,
            Results.Trail trail,
            long nowMs,
            io.harborai.worker.avro.StructuredOutput so) {
        ChatResult r = Results.of(e.request, trail, ok, e.receivedAtMs, nowMs);
        return ChatResult.newBuilder(r)
                .setUsage(e.usage)
                .setCost(e.cost)
                .setStructured(so)
                .setStatus(ResultStatus.SUCCEEDED)
                .build();
    }

    /** Adds one call's usage and cost to the request's totals, the tenant's budget and the meters. */
    private void account(PendingEntry e, String provider, String model, Usage usage) {
        if (usage == null) {
            return;
        }
        e.usage = e.usage == null ? usage : add(e.usage, usage);
        Optional<Cost> cost = prices.cost(model, usage);
        if (cost.isEmpty()) {
            return;
        }
        Cost c = cost.get();
        if (e.cost == null) {
            e.cost = Cost.newBuilder(c).build();
        } else if (e.cost.getCurrency().equals(c.getCurrency())) {
            e.cost.setAmount(e.cost.getAmount() + c.getAmount());
        }
        budgets.record(e.request.getTenant(), c);
        costCounter(provider == null ? "none" : provider, model, c.getCurrency())
                .increment(c.getAmount());
    }

    /** The {@code harbor.cost} series, looked up in the registry once per tag combination. */
    private Counter costCounter(String provider, String model, String currency) {
        return costCounters.computeIfAbsent(
                provider + '\u0000' + model + '\u0000' + currency,
                k -> meters.counter(MetricsCatalog.COST, "provider", provider, "model", model, "currency", currency));
    }

    private static io.harborai.worker.avro.StructuredOutput structuredOf(Verdict v, int attempts) {
        return io.harborai.worker.avro.StructuredOutput.newBuilder()
                .setJson(v.json())
                .setValid(v.valid())
                .setAttempts(attempts)
                .build();
    }

    private static String content(ProviderOutcome.Success ok) {
        String c = ok.response().getContent();
        return c == null ? "" : c;
    }

    static Usage add(Usage a, Usage b) {
        return Usage.newBuilder()
                .setPromptTokens(a.getPromptTokens() + b.getPromptTokens())
                .setCompletionTokens(a.getCompletionTokens() + b.getCompletionTokens())
                .setTotalTokens(a.getTotalTokens() + b.getTotalTokens())
                .setCachedTokens(a.getCachedTokens() + b.getCachedTokens())
                .setReasoningTokens(a.getReasoningTokens() + b.getReasoningTokens())
                .build();
    }
}
