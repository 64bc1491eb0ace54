package io.harborai.worker.jmh;

import io.harborai.worker.avro.CacheOutcome;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResponse;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.Message;
import io.harborai.worker.avro.Params;
import io.harborai.worker.avro.ResultStatus;
import io.harborai.worker.avro.Usage;
import io.harborai.worker.cache.CacheKey;
import io.harborai.worker.cache.CachedAnswer;
import io.harborai.worker.cache.CachedResults;
import io.harborai.worker.cache.L1Cache;
import io.harborai.worker.cache.TwoTierCache;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What an L1 hit costs the stream thread: the cache key of a typical request (a system prompt, a
 * question, sampling parameters, a JSON schema), the L1 lookup with decoding, and building the
 * result. Sample mode, so JMH reports p50/p99/p99.9 per operation. Run with {@code bin/jmh}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xmx512m", "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.harborai.worker.avro"})
public class CacheHitBenchmark {
    private ChatRequest request;
    private String key;
    private TwoTierCache tiers;

    @Setup
    public void setUp() {
        request = ChatRequest.newBuilder()
                .setId("req-1")
                .setTenant("acme")
                .setModel("deepseek-chat")
                .setMessages(List.of(
                        Message.newBuilder()
                                .setRole("system")
                                .setContent("You are a concise assistant. ".repeat(10))
                                .build(),
                        Message.newBuilder()
                                .setRole("user")
                                .setContent("Summarise the quarterly report in three bullet points. ".repeat(5))
                                .build()))
                .setParams(Params.newBuilder()
                        .setTemperature(0.2)
                        .setMaxTokens(512)
                        .setTopP(0.9)
                        .setToolsJson("[{\"type\":\"function\",\"function\":{\"name\":\"lookup\",\"parameters\":"
                                + "{\"type\":\"object\",\"properties\":{\"q\":{\"type\":\"string\"}}}}}]")
                        .build())
                .build();
        key = CacheKey.of(request, true);
        tiers = new TwoTierCache(
                new L1Cache(64L << 20, System::currentTimeMillis),
                null,
                System::currentTimeMillis,
                new SimpleMeterRegistry());
        ChatResult answer = ChatResult.newBuilder()
                .setId("first")
                .setStatus(ResultStatus.SUCCEEDED)
                .setModelRequested("deepseek-chat")
                .setModelUsed("deepseek-chat")
                .setProvider("deepseek")
                .setResponse(ChatResponse.newBuilder()
                        .setContent("- Revenue grew.\n- Costs fell.\n- Outlook stable. ".repeat(8))
                        .setFinishReason("stop")
                        .build())
                .setUsage(Usage.newBuilder()
                        .setPromptTokens(420)
                        .setCompletionTokens(96)
                        .setTotalTokens(516)
                        .build())
                .build();
        tiers.store(key, answer, Duration.ofHours(1));
    }

    @Benchmark
    public String cacheKey() {
        return CacheKey.of(request, true);
    }

    @Benchmark
    public ChatResult l1HitPath() {
        String k = CacheKey.of(request, true);
        Optional<CachedAnswer> hit = tiers.getL1(k, null);
        long now = System.currentTimeMillis();
        return CachedResults.fromCache(request, hit.orElseThrow().answer(), CacheOutcome.L1, now, now);
    }
}
