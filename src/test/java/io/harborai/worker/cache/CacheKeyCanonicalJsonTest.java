package io.harborai.worker.cache;

import static io.harborai.worker.cache.CacheKeyCases.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.harborai.worker.avro.ChatRequest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * {@link CacheKey} on JSON text: how a JSON value or a number is spelled never changes the key, and
 * text that is not JSON never throws and still keeps different values apart. See {@link CacheKeyCases}
 * for the seeds.
 */
class CacheKeyCanonicalJsonTest {
    // ---- spelling of JSON text and numbers never changes the key ----

    @Test
    void shouldIgnoreKeyOrderWhitespaceAndNumberSpellingInsideJsonText() {
        int[] differentText = {0};
        forAll(seed -> {
            // Same structure seed, different style seeds: same request, spelled differently.
            ChatRequest a = new RandomChatRequests(new Random(seed), new Random(seed + 1)).request();
            ChatRequest b = new RandomChatRequests(new Random(seed), new Random(seed + 2)).request();
            differentText[0] += a.equals(b) ? 0 : 1;
            assertThat(CacheKey.canonicalJson(b, true)).as("seed %d", seed).isEqualTo(CacheKey.canonicalJson(a, true));
            assertThat(CacheKey.of(b, true)).as("seed %d", seed).isEqualTo(CacheKey.of(a, true));
            assertThat(CacheKey.of(b, false)).as("seed %d", seed).isEqualTo(CacheKey.of(a, false));
        });
        assertThat(differentText[0])
                .as("cases whose JSON text was spelled differently")
                .isGreaterThan(RUNS * 9 / 10);
    }

    @Test
    void shouldTreatEverySpellingOfANumberAsOneValue() {
        ChatRequest base = simple();
        for (String field : List.of("extra_json", "tools_json")) {
            Set<String> ones = new TreeSet<>();
            for (String one : List.of("1", "1.0", "1.00", "1e0", "1E+0", "10e-1", "0.1e1", "100E-2")) {
                ones.add(CacheKey.of(jsonField(field).apply(base, "{\"x\":[" + one + "]}"), false));
            }
            assertThat(ones).as(field + ": spellings of 1").hasSize(1);
            Set<String> zeros = new TreeSet<>();
            for (String zero : List.of("0", "-0", "0.0", "-0.0", "0e10", "-0E-3")) {
                zeros.add(CacheKey.of(jsonField(field).apply(base, "{\"x\":" + zero + "}"), false));
            }
            assertThat(zeros).as(field + ": spellings of 0").hasSize(1);
            assertThat(CacheKey.of(jsonField(field).apply(base, "{\"x\":1}"), false))
                    .isNotEqualTo(CacheKey.of(jsonField(field).apply(base, "{\"x\":1.0000000000000000001}"), false))
                    .isNotEqualTo(CacheKey.of(jsonField(field).apply(base, "{\"x\":\"1\"}"), false));
        }
        assertThat(CacheKey.of(withParams(base, p -> p.setTemperature(1.0)), false))
                .isEqualTo(CacheKey.of(withParams(base, p -> p.setTemperature((double) 1)), false));
        assertThat(CacheKey.of(withParams(base, p -> p.setTemperature(-0.0)), false))
                .isEqualTo(CacheKey.of(withParams(base, p -> p.setTemperature(0.0)), false));
        assertThat(CacheKey.canonicalJson(
                        withParams(base, p -> p.setTemperature(1.0).setTopP(0.7)), false))
                .contains("\"temperature\":1,")
                .contains("\"top_p\":0.7}");
        assertThat(CacheKey.canonicalJson(jsonField("extra_json").apply(base, "{\"big\":1e3,\"small\":1e-7}"), false))
                .contains("{\"big\":1000,\"small\":1E-7}");
    }

    // ---- text that is not JSON ----

    @Test
    void shouldNeverThrowOnInvalidJsonTextAndStillTellValuesApart() {
        String deep = "[".repeat(5000) + "]".repeat(5000);
        List<String> texts = List.of(
                "{not json",
                "{not json!",
                "",
                "   ",
                "{} trailing",
                "{}",
                "\"abc\"",
                "abc",
                "[1,2",
                "nul",
                "null",
                "NaN",
                "1e999999999",
                "1e999999998",
                "100e2147483647",
                "1e-2147483648",
                deep,
                deep.substring(1),
                "\"\\ud800\"",
                "\"?\"",
                "{\"a\":1,\"a\":2}");
        for (String field : JSON_FIELDS) {
            Map<String, String> byKey = new HashMap<>();
            byKey.put(CacheKey.of(jsonField(field).apply(simple(), null), false), "<absent>");
            for (String text : texts) {
                ChatRequest q = jsonField(field).apply(simple(), text);
                assertThatCode(() -> CacheKey.of(q, true))
                        .as(field + " = " + abbreviate(text))
                        .doesNotThrowAnyException();
                String other = byKey.put(CacheKey.of(q, false), text);
                assertThat(other)
                        .as("%s: %s and %s share a key", field, abbreviate(text), abbreviate(other))
                        .isNull();
            }
        }
    }
}
