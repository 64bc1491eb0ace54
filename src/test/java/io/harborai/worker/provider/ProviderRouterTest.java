package io.harborai.worker.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

class ProviderRouterTest {
    static final OkHttpClient SHARED = new OkHttpClient();

    static ProviderSpec spec(String name, String... models) {
        return ProviderSpec.of(name, "http://127.0.0.1:1/v1", null, List.of(models));
    }

    static Optional<String> providerFor(ProviderRouter router, String model) {
        return router.route(model).map(ProviderRouter.Route::providerName);
    }

    @Test
    void shouldPreferAnExactNameOverAnEarlierGlob() {
        ProviderRouter router = ProviderRouter.create(
                List.of(spec("catch-all", "*"), spec("deepseek", "deepseek-chat")), SHARED, Map.of());

        assertThat(providerFor(router, "deepseek-chat")).contains("deepseek");
        assertThat(providerFor(router, "anything-else")).contains("catch-all");
    }

    @Test
    void shouldTryGlobsInDeclarationOrder() {
        ProviderRouter router = ProviderRouter.create(
                List.of(spec("openai", "gpt-4o*", "o?-mini"), spec("proxy", "gpt-*"), spec("ds", "deepseek-*")),
                SHARED,
                Map.of());

        assertThat(providerFor(router, "gpt-4o-mini")).contains("openai");
        assertThat(providerFor(router, "o3-mini")).contains("openai");
        assertThat(providerFor(router, "gpt-5")).contains("proxy");
        assertThat(providerFor(router, "deepseek-reasoner")).contains("ds");
    }

    @Test
    void shouldReturnEmptyForAnUnknownModel() {
        ProviderRouter router = ProviderRouter.create(List.of(spec("ds", "deepseek-*")), SHARED, Map.of());

        assertThat(router.route("gpt-4o")).isEmpty();
        assertThat(router.route("xdeepseek-chat")).isEmpty();
        assertThat(router.route(null)).isEmpty();
    }

    @Test
    void shouldTreatRegexCharactersInModelNamesLiterally() {
        ProviderRouter router = ProviderRouter.create(List.of(spec("q", "qwen2.5-*")), SHARED, Map.of());

        assertThat(providerFor(router, "qwen2.5-72b")).contains("q");
        assertThat(router.route("qwen2x5-72b")).isEmpty();
    }

    @Test
    void shouldBuildOneClientPerProvider() {
        ProviderRouter router =
                ProviderRouter.create(List.of(spec("a", "a1", "a2"), spec("b", "b*")), SHARED, Map.of());

        assertThat(router.route("a1").get().client())
                .isSameAs(router.route("a2").get().client());
        assertThat(router.routes())
                .extracting(ProviderRouter.Route::providerName)
                .containsExactly("a", "b");
    }

    @Test
    void shouldRejectDuplicateProviderNamesAndMissingKeysWithoutLeakingValues() {
        assertThatThrownBy(() -> ProviderRouter.create(List.of(spec("a", "x"), spec("a", "y")), SHARED, Map.of()))
                .hasMessageContaining("duplicate provider name 'a'");
        ProviderSpec keyed = ProviderSpec.of("openai", "https://api.openai.com/v1", "OPENAI_API_KEY", List.of("*"));
        assertThatThrownBy(() -> ProviderRouter.create(List.of(keyed), SHARED, Map.of()))
                .hasMessage("provider 'openai': environment variable OPENAI_API_KEY is not set");
        assertThat(OpenAiCompatibleClient.resolveKey(keyed, Map.of("OPENAI_API_KEY", " sk-1 ")))
                .isEqualTo("sk-1");
        assertThat(keyed.toString()).doesNotContain("sk-1");
    }
}
