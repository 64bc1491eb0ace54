package io.harborai.worker.dispatch;

import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResponse;
import io.harborai.worker.avro.Message;
import io.harborai.worker.avro.Params;
import io.harborai.worker.avro.Usage;
import io.harborai.worker.config.HarborConfig;
import io.harborai.worker.config.StageSettings;
import io.harborai.worker.dispatch.ratelimit.RateLimiter;
import io.harborai.worker.provider.ErrorCode;
import io.harborai.worker.provider.OpenAiCompatibleClient;
import io.harborai.worker.provider.ProviderOutcome;
import io.harborai.worker.provider.ProviderRouter;
import io.harborai.worker.provider.ProviderSpec;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import okhttp3.OkHttpClient;

/** Test doubles for the dispatch engine: a hand-moved clock, a provider caller completed by hand. */
public final class EngineFixtures {
    private static final OkHttpClient HTTP = new OkHttpClient();

    private EngineFixtures() {}

    /** One started provider call, completed by the test (or at once by {@link FakeCaller#auto}). */
    public record Call(
            String provider, String model, ChatRequest request, long atMs, CompletableFuture<ProviderOutcome> future) {
        public void complete(ProviderOutcome outcome) {
            future.complete(outcome);
        }
    }

    /** Records calls; answers them at once with {@code auto} when set, else leaves them open. */
    public static final class FakeCaller implements ProviderCaller {
        public final List<Call> calls = Collections.synchronizedList(new ArrayList<>());
        private final Clock clock;
        public volatile Function<Call, ProviderOutcome> auto;

        public FakeCaller(Clock clock) {
            this.clock = clock;
        }

        @Override
        public CompletableFuture<ProviderOutcome> call(ProviderRouter.Route route, ChatRequest request, String model) {
            Call c = new Call(route.providerName(), model, request, clock.millis(), new CompletableFuture<>());
            calls.add(c);
            Function<Call, ProviderOutcome> a = auto;
            if (a != null) {
                c.complete(a.apply(c));
            }
            return c.future();
        }

        public Call last() {
            return calls.get(calls.size() - 1);
        }

        public List<Call> open() {
            synchronized (calls) {
                return calls.stream().filter(c -> !c.future().isDone()).toList();
            }
        }
    }

    /** Providers as {@code "name=glob1,glob2"}; clients point nowhere and are never called. */
    public static ProviderRouter router(String... providers) {
        List<ProviderSpec> specs = new ArrayList<>();
        for (String p : providers) {
            String[] parts = p.split("=");
            specs.add(ProviderSpec.of(parts[0], "http://127.0.0.1:9/v1", null, List.of(parts[1].split(","))));
        }
        return new ProviderRouter(specs, spec -> new OpenAiCompatibleClient(HTTP, spec, null));
    }

    /** An online runtime over {@link #router} (one provider {@code p=*} when none is named), jitter 0.5. */
    public static DispatchRuntime runtime(
            Map<String, ?> config,
            ProviderCaller caller,
            RateLimiter rateLimiter,
            Clock clock,
            MeterRegistry meters,
            String... providers) {
        return new DispatchRuntime(
                router(providers.length == 0 ? new String[] {"p=*"} : providers),
                settings(config),
                caller,
                rateLimiter,
                clock,
                () -> 0.5,
                meters);
    }

    /** The documented defaults with {@code overrides} applied, validated like a real config. */
    public static DispatchSettings settings(Map<String, ?> overrides) {
        return StageSettings.dispatch(HarborConfig.fromMap(overrides));
    }

    public static ProviderOutcome.Success success(String content) {
        return new ProviderOutcome.Success(
                ChatResponse.newBuilder().setContent(content).build(),
                Usage.newBuilder()
                        .setPromptTokens(3)
                        .setCompletionTokens(4)
                        .setTotalTokens(7)
                        .build(),
                null,
                "r",
                200,
                5);
    }

    public static ProviderOutcome.Failure failure(ErrorCode code, Integer status, Duration retryAfter) {
        return new ProviderOutcome.Failure(code, "provider 'p' model 'm': " + code, status, retryAfter, 5);
    }

    public static ChatRequest request(String id, String model, String text) {
        return ChatRequest.newBuilder()
                .setId(id)
                .setModel(model)
                .setMessages(List.of(
                        Message.newBuilder().setRole("user").setContent(text).build()))
                .setParams(Params.newBuilder().build())
                .build();
    }
}
