package io.harborai.worker.provider.capability;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Parses the top-level {@code capabilities:} YAML list into override rules.
 *
 * <pre>
 * capabilities:
 *   - match: my-finetune-*          # required glob
 *     reasoning: false
 *     unsupported-params: [logprobs, top_logprobs]
 *     max-output-tokens: 4096       # 0 = unknown, no clamp
 *     max-tokens-param: max_tokens  # or max_completion_tokens
 *     structured-output: json_object  # json_schema | json_object | none
 *     stream-only: false
 * </pre>
 *
 * <p>Fields left out inherit from the built-in entry matching the model (or the default). Every
 * problem is reported, named like {@code capabilities[2].structured-output: must be one of ...};
 * entries with problems are skipped. Stateless.
 */
final class CapabilityConfig {
    static final String KEY = "capabilities";
    static final Set<String> FIELDS = Set.of(
            "match",
            "reasoning",
            "unsupported-params",
            "max-output-tokens",
            "max-tokens-param",
            "structured-output",
            "stream-only");

    private CapabilityConfig() {}

    static List<CapabilityTable.Rule> parse(Object yaml, List<String> problems) {
        List<CapabilityTable.Rule> rules = new ArrayList<>();
        if (yaml == null) {
            return rules;
        }
        if (!(yaml instanceof List<?> list)) {
            problems.add(KEY + ": must be a list of {match: glob, ...} entries");
            return rules;
        }
        for (int i = 0; i < list.size(); i++) {
            String at = KEY + "[" + i + "]";
            if (!(list.get(i) instanceof Map<?, ?> entry)) {
                problems.add(at + ": must be a mapping with at least 'match'");
                continue;
            }
            int before = problems.size();
            CapabilityTable.Rule rule = rule(at, entry, problems);
            if (problems.size() == before) {
                rules.add(rule);
            }
        }
        return rules;
    }

    private static CapabilityTable.Rule rule(String at, Map<?, ?> e, List<String> problems) {
        e.keySet().stream()
                .map(String::valueOf)
                .filter(k -> !FIELDS.contains(k))
                .sorted()
                .forEach(k -> problems.add(at + "." + k + ": unknown key (allowed: "
                        + FIELDS.stream().sorted().toList() + ")"));
        Object match = e.get("match");
        if (!(match instanceof String glob) || glob.isBlank()) {
            problems.add(at + ".match: required, a model name or glob");
            return null;
        }
        Boolean reasoning = bool(at, "reasoning", e.get("reasoning"), problems);
        Boolean streamOnly = bool(at, "stream-only", e.get("stream-only"), problems);
        Set<String> unsupported = params(at, e.get("unsupported-params"), problems);
        Integer maxOut = maxOutput(at, e.get("max-output-tokens"), problems);
        String maxParam = oneOf(
                at,
                "max-tokens-param",
                e.get("max-tokens-param"),
                List.of(ModelCapability.MAX_TOKENS, ModelCapability.MAX_COMPLETION_TOKENS),
                problems);
        String structured = oneOf(
                at,
                "structured-output",
                e.get("structured-output"),
                List.of("json_schema", "json_object", "none"),
                problems);
        UnaryOperator<ModelCapability> patch = c -> {
            ModelCapability.Builder b = c.toBuilder();
            if (reasoning != null) {
                b.reasoning(reasoning);
            }
            if (streamOnly != null) {
                b.streamOnly(streamOnly);
            }
            if (unsupported != null) {
                b.unsupportedParams(unsupported);
            }
            if (maxOut != null) {
                b.maxOutputTokens(maxOut);
            }
            if (maxParam != null) {
                b.maxTokensParam(maxParam);
            }
            if (structured != null) {
                b.structured(StructuredSupport.valueOf(structured.toUpperCase(Locale.ROOT)));
            }
            return b.build();
        };
        return CapabilityTable.Rule.of(glob.strip(), patch);
    }

    private static Boolean bool(String at, String key, Object v, List<String> problems) {
        if (v == null || v instanceof Boolean) {
            return (Boolean) v;
        }
        if (v instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
            return Boolean.valueOf(s);
        }
        problems.add(at + "." + key + ": must be true or false");
        return null;
    }

    private static Set<String> params(String at, Object v, List<String> problems) {
        if (v == null) {
            return null;
        }
        if (v instanceof List<?> l && l.stream().allMatch(x -> x instanceof String s && !s.isBlank())) {
            Set<String> out = new LinkedHashSet<>();
            l.forEach(x -> out.add(((String) x).strip()));
            return out;
        }
        problems.add(at + ".unsupported-params: must be a list of top-level body keys, e.g. [logprobs]");
        return null;
    }

    private static Integer maxOutput(String at, Object v, List<String> problems) {
        if (v == null) {
            return null;
        }
        try {
            long n = v instanceof Number num
                    ? num.longValue()
                    : Long.parseLong(String.valueOf(v).strip());
            if (n >= 0 && n <= 10_000_000) {
                return (int) n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add(at + ".max-output-tokens: must be a whole number in [0, 10000000] (0 = unknown)");
        return null;
    }

    private static String oneOf(String at, String key, Object v, List<String> allowed, List<String> problems) {
        if (v == null) {
            return null;
        }
        String s = String.valueOf(v).strip().toLowerCase(Locale.ROOT);
        if (allowed.contains(s)) {
            return s;
        }
        problems.add(at + "." + key + ": must be one of " + allowed);
        return null;
    }
}
