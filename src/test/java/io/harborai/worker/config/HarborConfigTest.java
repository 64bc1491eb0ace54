package io.harborai.worker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HarborConfigTest {
    @TempDir
    Path dir;

    private Path yaml(String text) throws IOException {
        Path f = dir.resolve("harbor.yaml");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void shouldUseDocumentedDefaultsWithoutAFile() {
        HarborConfig c = HarborConfig.load(null, Map.of(), Map.of());
        assertThat(c.string(HarborConfigDef.TOPIC_REQUESTS)).isEqualTo("harbor.requests");
        assertThat(c.string(HarborConfigDef.PROCESSING_GUARANTEE)).isEqualTo("exactly_once_v2");
        assertThat(c.providers()).isEmpty();
        assertThat(c.kafkaBootstrap()).isEqualTo("localhost:9092");
    }

    @Test
    void shouldReadProvidersAndPassKafkaKeysThrough() throws IOException {
        HarborConfig c = HarborConfig.load(yaml("""
            kafka:
              bootstrap.servers: broker:9092
              compression.type: lz4
            topics:
              results: my.results
            providers:
              deepseek:
                base-url: https://api.deepseek.com/v1/
                api-key-env: DEEPSEEK_API_KEY
                models: [deepseek-*]
                read-timeout-ms: 90000
            """), Map.of("DEEPSEEK_API_KEY", "sk-test"), Map.of());
        assertThat(c.kafka())
                .containsEntry("compression.type", "lz4")
                .containsEntry("bootstrap.servers", "broker:9092");
        assertThat(c.string(HarborConfigDef.TOPIC_RESULTS)).isEqualTo("my.results");
        assertThat(c.providers()).singleElement().satisfies(p -> {
            assertThat(p.name()).isEqualTo("deepseek");
            assertThat(p.baseUrl()).isEqualTo("https://api.deepseek.com/v1");
            assertThat(p.apiKeyEnv()).isEqualTo("DEEPSEEK_API_KEY");
            assertThat(p.models()).containsExactly("deepseek-*");
            assertThat(p.readTimeout()).isEqualTo(Duration.ofSeconds(90));
            assertThat(p.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        });
    }

    @Test
    void shouldLetEnvironmentOverrideTheFile() throws IOException {
        HarborConfig c = HarborConfig.load(
                yaml("""
            kafka:
              bootstrap.servers: file:9092
            schema-registry:
              url: http://file:8081
            """),
                Map.of(
                        "HARBOR_KAFKA_BOOTSTRAP",
                        "env:9092",
                        "HARBOR_SCHEMA_REGISTRY_URL",
                        "http://env:8081",
                        "HARBOR_REDIS_URL",
                        "redis://:s3cret@env:6379"),
                Map.of());
        assertThat(c.kafkaBootstrap()).isEqualTo("env:9092");
        assertThat(c.string(HarborConfigDef.SCHEMA_REGISTRY_URL)).isEqualTo("http://env:8081");
        assertThat(c.secret(HarborConfigDef.REDIS_URL)).isEqualTo("redis://:s3cret@env:6379");
        assertThat(c.toString()).doesNotContain("s3cret");
    }

    @Test
    void shouldReportEveryBadKeyInOneMessage() throws IOException {
        Path f = yaml("""
            topics:
              partitions: 0
              create: maybe
            worker:
              processing-guarantee: exactly_once
              commit-interval-ms: -5
              colour: blue
            providers:
              broken:
                base-url: ftp://nope
                api-key-env: sk-live-THIS-IS-A-KEY
                models: []
                read-timeout-ms: soon
            """);
        assertThatThrownBy(() -> HarborConfig.load(f, Map.of("sk-live-THIS-IS-A-KEY", "x"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> {
                    ConfigException ce = (ConfigException) e;
                    assertThat(ce.problems()).hasSize(9);
                    assertThat(ce.getMessage())
                            .contains(
                                    "topics.partitions",
                                    "topics.create",
                                    "worker.processing-guarantee",
                                    "worker.commit-interval-ms",
                                    "worker.colour: unknown key",
                                    "providers.broken.base-url",
                                    "providers.broken.api-key-env",
                                    "providers.broken.models",
                                    "providers.broken.read-timeout-ms");
                    assertThat(ce.getMessage()).doesNotContain("sk-live-THIS-IS-A-KEY");
                });
    }

    @Test
    void shouldRequireTheNamedKeyVariableToBeSet() throws IOException {
        Path f = yaml("""
            providers:
              openai:
                base-url: https://api.openai.com/v1
                api-key-env: OPENAI_API_KEY
                models: ["gpt-*"]
            """);
        assertThatThrownBy(() -> HarborConfig.load(f, Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("providers.openai.api-key-env: environment variable OPENAI_API_KEY is not set");
        assertThat(HarborConfig.load(f, Map.of("OPENAI_API_KEY", "sk-1"), Map.of())
                        .providers())
                .hasSize(1);
    }

    @Test
    void shouldReadPerProviderRateLimits() throws IOException {
        HarborConfig c = HarborConfig.load(yaml("""
            ratelimit:
              local-share: 0.5
            providers:
              deepseek:
                base-url: https://api.deepseek.com/v1
                models: [deepseek-*]
                rpm: 600
                tpm: 1000000
              vllm:
                base-url: http://vllm:8000/v1
                models: ["*"]
            """), Map.of(), Map.of());
        assertThat(c.rateLimits()).singleElement().satisfies(r -> {
            assertThat(r.provider()).isEqualTo("deepseek");
            assertThat(r.requestsPerMinute()).isEqualTo(600);
            assertThat(r.tokensPerMinute()).isEqualTo(1_000_000);
        });
        assertThat(c.doubleValue(HarborConfigDef.RATELIMIT_LOCAL_SHARE)).isEqualTo(0.5);
        assertThatThrownBy(() -> HarborConfig.load(yaml("""
            providers:
              p:
                base-url: http://x
                models: [a]
                rpm: -1
                tpm: lots
            """), Map.of(), Map.of()))
                .hasMessageContaining("providers.p.rpm")
                .hasMessageContaining("providers.p.tpm");
    }

    @Test
    void shouldReadPricingBudgetsAndStructuredAttempts() throws IOException {
        HarborConfig c = HarborConfig.load(yaml("""
            pricing:
              - {match: "my-model*", input: 1.0, cached-input: 0.25, output: 4.0, currency: CNY}
            budget:
              daily-default: 5
              currency: CNY
              daily:
                acme: 20
                free: 0
            structured:
              max-attempts: 2
            """), Map.of(), Map.of());
        assertThat(c.prices().price("my-model-x")).hasValueSatisfying(p -> {
            assertThat(p.cachedInputPerMillion()).isEqualTo(0.25);
            assertThat(p.currency()).isEqualTo("CNY");
        });
        assertThat(c.budgets().limitFor("acme")).isEqualTo(20.0);
        assertThat(c.budgets().limitFor("free")).isZero();
        assertThat(c.budgets().limitFor("other")).isEqualTo(5.0);
        assertThat(c.budgets().currency()).isEqualTo("CNY");
        assertThat(c.intValue(HarborConfigDef.STRUCTURED_MAX_ATTEMPTS)).isEqualTo(2);
    }

    @Test
    void shouldNameEveryBadPricingAndBudgetKeyAtOnce() throws IOException {
        assertThatThrownBy(() -> HarborConfig.load(yaml("""
            pricing:
              - {match: "m", input: -1, output: 1}
            budget:
              currency: dollars
              daily:
                acme: lots
            structured:
              max-attempts: 0
            """), Map.of(), Map.of()))
                .isInstanceOfSatisfying(
                        ConfigException.class,
                        e -> assertThat(String.join("\n", e.problems()))
                                .contains(
                                        "pricing[0].input",
                                        "budget.currency",
                                        "budget.daily.acme",
                                        "structured.max-attempts"));
    }
}
