package io.harborai.worker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.harborai.worker.provider.OpenAiCompatibleClient;
import io.harborai.worker.provider.ProviderSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code *-file} keys: read, trimmed, checked, and never echoed. */
class SecretFilesTest {
    private static final String KEY = "sk-test-Secret-4711";
    private static final String PASSWORD = "p@ss:w/rd%41 with space";

    @TempDir
    Path dir;

    private String file(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content).toString();
    }

    private static Map<String, Object> provider(Map<String, Object> extra) {
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("providers.p.base-url", "http://127.0.0.1:9/v1");
        cfg.put("providers.p.models", List.of("*"));
        cfg.putAll(extra);
        return cfg;
    }

    private static ConfigException failure(Map<String, Object> cfg) {
        try {
            HarborConfig.load(null, Map.of(), cfg);
        } catch (ConfigException e) {
            return e;
        }
        throw new AssertionError("expected a ConfigException");
    }

    @Test
    void shouldReadTheProviderKeyFromAFileTrimmingTheNewline() throws IOException {
        String path = file("key", KEY + "\n");
        HarborConfig c = HarborConfig.load(null, Map.of(), provider(Map.of("providers.p.api-key-file", path)));
        ProviderSpec spec = c.providers().get(0);
        assertThat(spec.apiKeyFile()).isEqualTo(path);
        assertThat(spec.apiKeyEnv()).isNull();
        assertThat(OpenAiCompatibleClient.resolveKey(spec, Map.of())).isEqualTo(KEY);
        assertThat(spec.toString() + c).doesNotContain(KEY);
    }

    @Test
    void shouldReplaceTheDialectsDefaultVariableWithTheFile() throws IOException {
        Map<String, Object> cfg =
                provider(Map.of("providers.p.dialect", "openai", "providers.p.api-key-file", file("k", KEY)));
        ProviderSpec spec = HarborConfig.load(null, Map.of(), cfg).providers().get(0);
        assertThat(spec.apiKeyEnv()).as("OPENAI_API_KEY is not needed").isNull();
    }

    @Test
    void shouldNameTheKeyAndPathOfAMissingOrEmptyFile() throws IOException {
        String missing = dir.resolve("nope").toString();
        assertThat(failure(provider(Map.of("providers.p.api-key-file", missing)))
                        .problems())
                .containsExactly("providers.p.api-key-file: cannot read " + missing + " (NoSuchFileException)");
        String empty = file("empty", " \n");
        assertThat(failure(provider(Map.of("providers.p.api-key-file", empty))).problems())
                .containsExactly("providers.p.api-key-file: file " + empty + " is empty");
        ProviderSpec gone = new ProviderSpec(
                "p",
                "http://x",
                null,
                List.of("*"),
                java.time.Duration.ofSeconds(1),
                java.time.Duration.ofSeconds(1),
                java.time.Duration.ofSeconds(1),
                java.time.Duration.ofSeconds(1),
                io.harborai.worker.provider.Dialect.GENERIC,
                false,
                java.time.Duration.ZERO,
                missing);
        assertThatThrownBy(() -> OpenAiCompatibleClient.resolveKey(gone, Map.of()))
                .hasMessage("provider 'p': cannot read api-key-file " + missing + " (NoSuchFileException)");
    }

    @Test
    void shouldRefuseBothTheKeyVariableAndTheKeyFile() throws IOException {
        ConfigException e = failure(
                provider(Map.of("providers.p.api-key-env", "SOME_KEY", "providers.p.api-key-file", file("k", KEY))));
        assertThat(e.problems())
                .anySatisfy(p -> assertThat(p)
                        .startsWith("providers.p.api-key-file: set either api-key-env or api-key-file, not both"));
        assertThat(e.getMessage()).doesNotContain(KEY);
    }

    @Test
    void shouldPutTheRedisUserAndPasswordFileIntoTheUrl() throws IOException {
        HarborConfig c = HarborConfig.load(
                null,
                Map.of(),
                Map.of(
                        "redis.url",
                        "rediss://cache:6380/2",
                        "redis.username",
                        "harbor",
                        "redis.password-file",
                        file("redis", PASSWORD + "\n"),
                        "simulator.enabled",
                        true));
        var url = io.harborai.worker.redis.RedisClients.RedisUrl.parse(c.redisUrl());
        assertThat(url.address()).isEqualTo("rediss://cache:6380");
        assertThat(url.database()).isEqualTo(2);
        assertThat(url.username()).isEqualTo("harbor");
        assertThat(url.password()).isEqualTo(PASSWORD);
        assertThat(c.toString() + WorkerSettings.from(c)).doesNotContain("w/rd");
    }

    @Test
    void shouldUseTheDefaultUserForAPasswordFileAlone() throws IOException {
        HarborConfig c = HarborConfig.load(null, Map.of(), Map.of("redis.password-file", file("redis", "pw1")));
        var url = io.harborai.worker.redis.RedisClients.RedisUrl.parse(c.redisUrl());
        assertThat(url.username()).isNull();
        assertThat(url.password()).isEqualTo("pw1");
    }

    @Test
    void shouldRefuseRedisCredentialsInBothTheUrlAndTheFile() throws IOException {
        ConfigException e = failure(Map.of(
                "redis.url", "redis://:inurl-Secret@cache:6379", "redis.password-file", file("redis", PASSWORD)));
        assertThat(e.problems())
                .containsExactly("redis.password-file: redis.url carries credentials too; give them in "
                        + "the URL or in the file, not both");
        assertThat(e.getMessage()).doesNotContain("inurl-Secret").doesNotContain("w/rd");
        assertThat(failure(Map.of("redis.username", "harbor")).problems())
                .containsExactly("redis.username: needs redis.password-file (the user's password)");
    }

    @Test
    void shouldPutTheRegistryUserAndPasswordFileIntoTheUrlAndHideThem() throws IOException {
        HarborConfig c = HarborConfig.load(
                null,
                Map.of(),
                Map.of(
                        "schema-registry.url", "http://registry:8081",
                        "schema-registry.username", "svc",
                        "schema-registry.password-file", file("reg", PASSWORD)));
        okhttp3.HttpUrl url = okhttp3.HttpUrl.parse(c.schemaRegistryUrl());
        assertThat(url.username()).isEqualTo("svc");
        assertThat(url.password()).isEqualTo(PASSWORD);
        assertThat(c.toString())
                .contains("schema-registry.url=http://registry:8081/")
                .doesNotContain("w/rd");
        assertThat(StageSettings.batch(c).toString()).doesNotContain("w/rd");
    }

    @Test
    void shouldReportEveryBadRegistryAndMetricsFileAtOnce() throws IOException {
        String missing = dir.resolve("gone").toString();
        ConfigException e = failure(Map.of(
                "schema-registry.url",
                "http://user:inurl-Secret@registry:8081",
                "schema-registry.username",
                "svc",
                "schema-registry.password-file",
                file("reg", PASSWORD),
                "metrics.bearer-token-file",
                missing));
        assertThat(e.problems())
                .containsExactly(
                        "schema-registry.password-file: schema-registry.url carries credentials too; give them in "
                                + "the URL or in the file, not both",
                        "metrics.bearer-token-file: cannot read " + missing + " (NoSuchFileException)");
        assertThat(e.getMessage()).doesNotContain("inurl-Secret").doesNotContain("w/rd");
        assertThat(failure(Map.of("schema-registry.username", "svc")).problems())
                .containsExactly("schema-registry.username and schema-registry.password-file: basic auth needs both, "
                        + "or neither");
    }

    @Test
    void shouldReadTheMetricsTokenAndBindAddress() throws IOException {
        HarborConfig c = HarborConfig.load(
                null,
                Map.of("HARBOR_METRICS_BIND_ADDRESS", "127.0.0.1"),
                Map.of("metrics.bearer-token-file", file("tok", "tok-1\n"), "simulator.enabled", true));
        assertThat(c.metricsBearerToken()).isEqualTo("tok-1");
        assertThat(c.string(HarborConfigDef.METRICS_BIND_ADDRESS)).isEqualTo("127.0.0.1");
        WorkerSettings.Metrics m = WorkerSettings.from(c).metrics();
        assertThat(m.bindAddress()).isEqualTo("127.0.0.1");
        assertThat(m.bearerToken().value()).isEqualTo("tok-1");
        assertThat(m.toString()).doesNotContain("tok-1");
        HarborConfig defaults = HarborConfig.load(null, Map.of(), Map.of());
        assertThat(defaults.string(HarborConfigDef.METRICS_BIND_ADDRESS)).isEqualTo("0.0.0.0");
        assertThat(defaults.metricsBearerToken()).isNull();
    }
}
