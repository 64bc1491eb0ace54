package io.harborai.worker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.harborai.worker.provider.Dialect;
import io.harborai.worker.provider.capability.StructuredSupport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HarborConfigDialectTest {
    @TempDir
    Path dir;

    private Path yaml(String text) throws IOException {
        Path f = dir.resolve("harbor.yaml");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void shouldFillBaseUrlAndKeyFromTheDialectAndReadStreamSettings() throws IOException {
        HarborConfig c = HarborConfig.load(yaml("""
            providers:
              ds:
                dialect: deepseek
                models: [deepseek-*]
                stream: true
                ttft-timeout-ms: 1500
              local:
                base-url: http://localhost:8000/v1
                models: ["*"]
            """), Map.of("DEEPSEEK_API_KEY", "sk-x"), Map.of());
        assertThat(c.providers()).hasSize(2);
        assertThat(c.providers().get(0)).satisfies(p -> {
            assertThat(p.dialect()).isEqualTo(Dialect.DEEPSEEK);
            assertThat(p.baseUrl()).isEqualTo("https://api.deepseek.com");
            assertThat(p.apiKeyEnv()).isEqualTo("DEEPSEEK_API_KEY");
            assertThat(p.stream()).isTrue();
            assertThat(p.ttftTimeout()).isEqualTo(Duration.ofMillis(1500));
        });
        assertThat(c.providers().get(1)).satisfies(p -> {
            assertThat(p.dialect()).isEqualTo(Dialect.GENERIC);
            assertThat(p.apiKeyEnv()).isNull();
            assertThat(p.stream()).isFalse();
            assertThat(p.ttftTimeout()).isZero();
        });
    }

    @Test
    void shouldReportBadDialectSettingsTogether() throws IOException {
        assertThatThrownBy(() -> HarborConfig.load(yaml("""
            providers:
              x:
                dialect: anthropic
                models: [a]
              y:
                models: [b]
                stream: maybe
                ttft-timeout-ms: -5
            capabilities:
              - match: b
                structured-output: xml
            """), Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("providers.x.dialect: must be one of [openai, deepseek, doubao, wenxin, generic]")
                .hasMessageContaining("providers.y.base-url: required for dialect generic")
                .hasMessageContaining("providers.y.stream: must be true or false")
                .hasMessageContaining(
                        "providers.y.ttft-timeout-ms: must be an integer number of milliseconds in [0, 3600000]")
                .hasMessageContaining(
                        "capabilities[0].structured-output: must be one of [json_schema, json_object, none]");
    }

    @Test
    void shouldReadCapabilityOverrides() throws IOException {
        HarborConfig c = HarborConfig.load(yaml("""
            capabilities:
              - match: my-finetune-*
                structured-output: none
                max-output-tokens: 2048
            """), Map.of(), Map.of());
        assertThat(c.capabilities().forModel("my-finetune-7b").structured()).isEqualTo(StructuredSupport.NONE);
        assertThat(c.capabilities().forModel("my-finetune-7b").maxOutputTokens())
                .isEqualTo(2048);
        assertThat(c.capabilities().forModel("deepseek-chat").maxOutputTokens()).isEqualTo(8192);
    }
}
