package io.harborai.worker.cost;

import io.harborai.worker.avro.Cost;
import io.harborai.worker.avro.Usage;
import io.harborai.worker.provider.capability.ModelGlob;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Model name to {@link Price}, by glob, and the cost of one call's {@link Usage}.
 *
 * <p>Matching: globs ({@code *} any run of characters, empty included; {@code ?} exactly one; all
 * else literal and case-sensitive) are tried in order and the first match wins. A table built by
 * {@link #fromConfig} puts the configured entries before the built-in ones ({@link BuiltInPrices}),
 * so an operator overrides a built-in price by listing the same model.
 *
 * <p>Cost: {@code ((prompt - cached) * input + cached * cachedInput + completion * output) / 1e6},
 * in the price's currency. Reasoning tokens are not added: OpenAI and DeepSeek report them inside
 * {@code completion_tokens} and bill them as output, so {@code reasoning_tokens} is a breakdown,
 * not a further charge. Cached tokens above the prompt count (a provider bug) are capped at it.
 * Not modelled: batch discounts, off-peak rates, long-context tiers, tool or image charges.
 *
 * <p>Threading: immutable after construction; any thread may call any method.
 */
public final class PriceTable {

    /** The config key whose value {@link #fromConfig} reads. */
    public static final String CONFIG_KEY = "pricing";

    private static final Set<String> ENTRY_KEYS = Set.of("match", "input", "cached-input", "output", "currency");
    private static final String ALLOWED_KEYS = "match, input, cached-input, output, currency";

    private record Rule(String glob, Pattern pattern, Price price) {}

    private final List<Rule> rules;

    private PriceTable(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    /** The built-in prices only. */
    public static PriceTable builtIn() {
        return new PriceTable(builtInRules());
    }

    /** {@code overrides} (glob to price, in order) before the built-in prices. */
    public static PriceTable of(List<Map.Entry<String, Price>> overrides) {
        List<Rule> rules = new ArrayList<>();
        for (Map.Entry<String, Price> e : overrides) {
            rules.add(new Rule(e.getKey(), ModelGlob.compile(e.getKey()), e.getValue()));
        }
        rules.addAll(builtInRules());
        return new PriceTable(rules);
    }

    /**
     * Reads the value of the YAML key {@value #CONFIG_KEY}: a list of maps {@code {match: glob,
     * input: n, cached-input: n, output: n, currency: USD}}, prices per million tokens; {@code
     * cached-input} defaults to {@code input}, {@code currency} to {@code USD}. Every bad entry adds
     * one problem per bad field, named like {@code pricing[1].output: must be a number >= 0}
     * (indexes from 0), and is left out; the rest, then the built-ins, form the table.
     *
     * @param yamlValue the parsed YAML value; {@code null} (key absent) gives the built-ins only
     * @param problems receives the problems; the caller reports them all at once
     */
    public static PriceTable fromConfig(Object yamlValue, List<String> problems) {
        List<Map.Entry<String, Price>> overrides = new ArrayList<>();
        if (yamlValue != null && !(yamlValue instanceof List<?>)) {
            problems.add(CONFIG_KEY + ": must be a list of {match, input, output} maps");
        } else if (yamlValue != null) {
            List<?> entries = (List<?>) yamlValue;
            for (int i = 0; i < entries.size(); i++) {
                Map.Entry<String, Price> entry = entry(CONFIG_KEY + "[" + i + "]", entries.get(i), problems);
                if (entry != null) {
                    overrides.add(entry);
                }
            }
        }
        return of(overrides);
    }

    /** The price of the first rule matching {@code model}; empty for a null or unpriced model. */
    public Optional<Price> price(String model) {
        if (model == null) {
            return Optional.empty();
        }
        for (Rule r : rules) {
            if (r.pattern().matcher(model).matches()) {
                return Optional.of(r.price());
            }
        }
        return Optional.empty();
    }

    /** What {@code usage} of {@code model} cost; empty when the model has no price or usage is null. */
    public Optional<Cost> cost(String model, Usage usage) {
        if (usage == null) {
            return Optional.empty();
        }
        return price(model)
                .map(p -> Cost.newBuilder()
                        .setAmount(amount(p, usage))
                        .setCurrency(p.currency())
                        .build());
    }

    /** The cost formula of the class doc; negative counts count as zero. */
    static double amount(Price p, Usage usage) {
        long prompt = Math.max(0, usage.getPromptTokens());
        long cached = Math.min(prompt, Math.max(0, usage.getCachedTokens()));
        long completion = Math.max(0, usage.getCompletionTokens());
        return ((prompt - cached) * p.inputPerMillion()
                        + cached * p.cachedInputPerMillion()
                        + completion * p.outputPerMillion())
                / 1_000_000.0;
    }

    /** The globs in match order (tests, diagnostics). */
    List<String> globs() {
        return rules.stream().map(Rule::glob).toList();
    }

    private static List<Rule> builtInRules() {
        List<Rule> rules = new ArrayList<>();
        for (BuiltInPrices.Entry e : BuiltInPrices.ENTRIES) {
            rules.add(new Rule(e.glob(), ModelGlob.compile(e.glob()), e.price()));
        }
        return rules;
    }

    private static Map.Entry<String, Price> entry(String name, Object value, List<String> problems) {
        if (!(value instanceof Map<?, ?> map)) {
            problems.add(name + ": must be a map with match, input and output");
            return null;
        }
        int before = problems.size();
        for (Object key : map.keySet()) {
            if (!ENTRY_KEYS.contains(String.valueOf(key))) {
                problems.add(name + "." + key + ": unknown key (allowed: " + ALLOWED_KEYS + ")");
            }
        }
        Object match = map.get("match");
        if (!(match instanceof String s) || s.isBlank()) {
            problems.add(name + ".match: required, a model name or glob (* any run, ? one character)");
        }
        Double input = number(name + ".input", map.get("input"), true, problems);
        Double cachedInput = number(name + ".cached-input", map.get("cached-input"), false, problems);
        Double output = number(name + ".output", map.get("output"), true, problems);
        Object currency = map.containsKey("currency") ? map.get("currency") : "USD";
        if (!(currency instanceof String c) || !Price.isCurrency(c)) {
            problems.add(name + ".currency: must be a three-letter currency code such as USD or CNY");
        }
        if (problems.size() > before) {
            return null;
        }
        Price price = new Price(input, cachedInput == null ? input : cachedInput, output, (String) currency);
        return Map.entry(((String) match).trim(), price);
    }

    private static Double number(String name, Object value, boolean required, List<String> problems) {
        if (value == null) {
            if (required) {
                problems.add(name + ": required, a number >= 0 (price per million tokens)");
            }
            return null;
        }
        if (value instanceof Number n && Double.isFinite(n.doubleValue()) && n.doubleValue() >= 0) {
            return n.doubleValue();
        }
        problems.add(name + ": must be a number >= 0 (price per million tokens)");
        return null;
    }
}
