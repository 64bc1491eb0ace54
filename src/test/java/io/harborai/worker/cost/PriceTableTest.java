package io.harborai.worker.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.harborai.worker.avro.Cost;
import io.harborai.worker.avro.Usage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PriceTableTest {

    private static Usage usage(int prompt, int cached, int completion, int reasoning) {
        return Usage.newBuilder()
                .setPromptTokens(prompt)
                .setCompletionTokens(completion)
                .setTotalTokens(prompt + completion)
                .setCachedTokens(cached)
                .setReasoningTokens(reasoning)
                .build();
    }

    private static Map<String, Object> entry(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void shouldPriceUncachedCachedAndCompletionTokensSeparately() {
        PriceTable table = PriceTable.of(List.of(Map.entry("m", Price.usd(2.0, 0.5, 8.0))));
        // 1000 uncached at 2, 3000 cached at 0.5, 500 completion at 8 (per million)
        Cost cost = table.cost("m", usage(4000, 3000, 500, 0)).orElseThrow();
        assertThat(cost.getAmount()).isCloseTo((1000 * 2.0 + 3000 * 0.5 + 500 * 8.0) / 1e6, within(1e-12));
        assertThat(cost.getCurrency()).isEqualTo("USD");
    }

    @Test
    void shouldNotChargeReasoningTokensOnTopOfCompletionTokens() {
        PriceTable table = PriceTable.builtIn();
        double without = table.cost("o3", usage(100, 0, 1000, 0)).orElseThrow().getAmount();
        double with = table.cost("o3", usage(100, 0, 1000, 900)).orElseThrow().getAmount();
        assertThat(with).isEqualTo(without);
        assertThat(with).isCloseTo((100 * 2.0 + 1000 * 8.0) / 1e6, within(1e-12));
    }

    @Test
    void shouldCapCachedTokensAtThePromptCount() {
        PriceTable table = PriceTable.of(List.of(Map.entry("m", Price.usd(1.0, 0.0, 0.0))));
        assertThat(table.cost("m", usage(10, 50, 0, 0)).orElseThrow().getAmount())
                .isZero();
    }

    @Test
    void shouldPriceDeepSeekCacheHitsAtTheCacheHitRate() {
        Cost cost = PriceTable.builtIn()
                .cost("deepseek-chat", usage(1_000_000, 400_000, 1_000_000, 0))
                .orElseThrow();
        assertThat(cost.getAmount()).isCloseTo(600_000 * 0.27 / 1e6 + 400_000 * 0.07 / 1e6 + 1.10, within(1e-9));
    }

    @Test
    void shouldLetTheFirstMatchingGlobWin() {
        PriceTable table = PriceTable.builtIn();
        assertThat(table.price("gpt-4o-mini").orElseThrow().outputPerMillion()).isEqualTo(0.60);
        assertThat(table.price("gpt-4o-mini-2024-07-18").orElseThrow().outputPerMillion())
                .isEqualTo(0.60);
        assertThat(table.price("gpt-4o").orElseThrow().outputPerMillion()).isEqualTo(10.0);
        assertThat(table.price("gpt-4.1-mini-2025-04-14").orElseThrow().outputPerMillion())
                .isEqualTo(1.60);
        assertThat(table.price("gpt-4.1").orElseThrow().outputPerMillion()).isEqualTo(8.0);
        assertThat(table.price("o3-mini").orElseThrow().outputPerMillion()).isEqualTo(4.40);
        assertThat(table.price("o3-2025-04-16").orElseThrow().outputPerMillion())
                .isEqualTo(8.0);
        assertThat(table.price("o1-mini"))
                .as("o1's glob does not swallow o1-mini")
                .isEmpty();

        PriceTable ordered = PriceTable.of(
                List.of(Map.entry("acme-?", Price.usd(1, 1, 1)), Map.entry("acme-*", Price.usd(2, 2, 2))));
        assertThat(ordered.price("acme-x").orElseThrow().inputPerMillion()).isEqualTo(1);
        assertThat(ordered.price("acme-xy").orElseThrow().inputPerMillion()).isEqualTo(2);
        assertThat(ordered.price("acme.x"))
                .as("'-' and '.' are literal, not regex")
                .isEmpty();
    }

    @Test
    void shouldAnswerEmptyForAnUnknownModelOrMissingUsage() {
        PriceTable table = PriceTable.builtIn();
        assertThat(table.cost("no-such-model", usage(1, 0, 1, 0))).isEmpty();
        assertThat(table.cost(null, usage(1, 0, 1, 0))).isEmpty();
        assertThat(table.cost("gpt-4o", null)).isEmpty();
    }

    @Test
    void shouldCarryTheCurrencyOfThePrice() {
        Cost cost = PriceTable.builtIn()
                .cost("doubao-1.5-pro-32k-250115", usage(1_000_000, 0, 0, 0))
                .orElseThrow();
        assertThat(cost.getCurrency()).isEqualTo("CNY");
        assertThat(cost.getAmount()).isCloseTo(0.80, within(1e-12));
    }

    @Test
    void shouldPutConfiguredPricesBeforeBuiltInOnesAndDefaultCachedInputAndCurrency() {
        List<String> problems = new ArrayList<>();
        PriceTable table = PriceTable.fromConfig(
                List.of(
                        entry("match", "gpt-4o", "input", 1, "output", 4.5),
                        entry("match", "ernie-*", "input", 3, "cached-input", 1, "output", 9, "currency", "CNY")),
                problems);

        assertThat(problems).isEmpty();
        assertThat(table.price("gpt-4o")).contains(new Price(1, 1, 4.5, "USD"));
        assertThat(table.price("ernie-4.0-turbo-8k")).contains(new Price(3, 1, 9, "CNY"));
        assertThat(table.price("gpt-4o-mini").orElseThrow().outputPerMillion())
                .as("built-ins still there")
                .isEqualTo(0.60);
        assertThat(table.globs().subList(0, 2)).containsExactly("gpt-4o", "ernie-*");
    }

    @Test
    void shouldNameEveryBadEntryAndFieldAtOnce() {
        List<String> problems = new ArrayList<>();
        PriceTable table = PriceTable.fromConfig(
                List.of(
                        entry("match", "ok-*", "input", 1, "output", 2),
                        entry("match", "a", "input", 1, "output", -2),
                        entry("input", "cheap", "output", 1, "colour", "red"),
                        "not a map",
                        entry("match", "b", "input", 1, "cached-input", Double.NaN, "output", 1, "currency", "usd")),
                problems);

        assertThat(problems)
                .containsExactly(
                        "pricing[1].output: must be a number >= 0 (price per million tokens)",
                        "pricing[2].colour: unknown key (allowed: match, input, cached-input, output, currency)",
                        "pricing[2].match: required, a model name or glob (* any run, ? one character)",
                        "pricing[2].input: must be a number >= 0 (price per million tokens)",
                        "pricing[3]: must be a map with match, input and output",
                        "pricing[4].cached-input: must be a number >= 0 (price per million tokens)",
                        "pricing[4].currency: must be a three-letter currency code such as USD or CNY");
        assertThat(table.price("ok-1")).as("good entries kept").contains(new Price(1, 1, 2, "USD"));
        assertThat(table.price("a")).as("bad entries left out").isEmpty();
    }

    @Test
    void shouldReportMissingPricesAndANonListValue() {
        List<String> problems = new ArrayList<>();
        PriceTable.fromConfig(List.of(entry("match", "x")), problems);
        PriceTable.fromConfig(Map.of("match", "x"), problems);
        assertThat(problems)
                .containsExactly(
                        "pricing[0].input: required, a number >= 0 (price per million tokens)",
                        "pricing[0].output: required, a number >= 0 (price per million tokens)",
                        "pricing: must be a list of {match, input, output} maps");
        List<String> none = new ArrayList<>();
        assertThat(PriceTable.fromConfig(null, none).price("gpt-4o")).isPresent();
        assertThat(none).isEmpty();
    }

    @Test
    void shouldRejectANegativePriceOrMalformedCurrencyInCode() {
        assertThatThrownBy(() -> Price.usd(-1, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Price(1, 1, 1, "dollars")).isInstanceOf(IllegalArgumentException.class);
    }
}
