package io.harborai.worker.provider.capability;

import static io.harborai.worker.provider.capability.ModelCapability.DEFAULT;
import static io.harborai.worker.provider.capability.ModelCapability.MAX_COMPLETION_TOKENS;
import static io.harborai.worker.provider.capability.StructuredSupport.JSON_OBJECT;
import static io.harborai.worker.provider.capability.StructuredSupport.JSON_SCHEMA;
import static io.harborai.worker.provider.capability.StructuredSupport.NONE;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Model name → {@link ModelCapability}, by glob ({@code *} any run, {@code ?} one character).
 *
 * <p>Lookup: the first matching configured override wins, and its unspecified fields come from the
 * built-in entry that matches the same model (or {@link ModelCapability#DEFAULT}); without an
 * override the first matching built-in wins; an unknown model gets {@code DEFAULT} (the
 * simulator serves arbitrary names).
 *
 * <p>Threading: immutable; {@link #forModel} is safe from any thread.
 */
public final class CapabilityTable {

    /** One glob and how it turns the inherited capability into its own. */
    record Rule(String glob, Pattern pattern, UnaryOperator<ModelCapability> patch) {
        Rule {
            Objects.requireNonNull(patch, "patch");
        }

        static Rule of(String glob, UnaryOperator<ModelCapability> patch) {
            return new Rule(glob, ModelGlob.compile(glob), patch);
        }

        boolean matches(String model) {
            return pattern.matcher(model).matches();
        }
    }

    /** Sampling knobs reasoning models reject (OpenAI o-series) or ignore (deepseek-reasoner). */
    private static final Set<String> SAMPLING = Set.of("temperature", "top_p", "presence_penalty", "frequency_penalty");

    private static final Set<String> OPENAI_REASONING_UNSUPPORTED = Set.of(
            "temperature", "top_p", "presence_penalty", "frequency_penalty", "logprobs", "top_logprobs", "logit_bias");

    private static final CapabilityTable BUILT_INS = new CapabilityTable(List.of(), builtInRules());

    private final List<Rule> overrides;
    private final List<Rule> builtIns;

    private CapabilityTable(List<Rule> overrides, List<Rule> builtIns) {
        this.overrides = List.copyOf(overrides);
        this.builtIns = List.copyOf(builtIns);
    }

    /** The built-in table alone. */
    public static CapabilityTable builtIns() {
        return BUILT_INS;
    }

    /**
     * Parses the top-level {@code capabilities:} YAML list; see {@link CapabilityConfig}. Problems
     * are added to {@code problems}; the returned table holds the overrides that parsed cleanly.
     */
    public static CapabilityTable fromConfig(Object yamlValue, List<String> problems) {
        return new CapabilityTable(CapabilityConfig.parse(yamlValue, problems), builtInRules());
    }

    /** The built-ins behind the given overrides (tried first, in order). */
    static CapabilityTable withOverrides(List<Rule> overrides) {
        return new CapabilityTable(overrides, builtInRules());
    }

    /** The capability of {@code model}; never {@code null}. */
    public ModelCapability forModel(String model) {
        String m = model == null ? "" : model;
        ModelCapability inherited = builtInFor(m);
        for (Rule r : overrides) {
            if (r.matches(m)) {
                return r.patch().apply(inherited);
            }
        }
        return inherited;
    }

    /** Number of configured overrides (for start-up logging). */
    public int overrideCount() {
        return overrides.size();
    }

    private ModelCapability builtInFor(String model) {
        for (Rule r : builtIns) {
            if (r.matches(model)) {
                return r.patch().apply(DEFAULT);
            }
        }
        return DEFAULT;
    }

    /**
     * Built-ins, most specific first. Output limits are from the providers' model pages as
     * remembered; entries marked "guess" could not be checked and use 0 (no clamp) where a wrong
     * clamp would truncate answers.
     */
    private static List<Rule> builtInRules() {
        List<Rule> r = new ArrayList<>();
        // DeepSeek reasoning guide: reasoning_content in input messages → 400; temperature, top_p and
        // the penalties are accepted but have no effect; logprobs/top_logprobs → error. Max output
        // 64K (V3.2 pricing page). JSON Output was listed as unsupported for the reasoner (R1 era).
        r.add(Rule.of(
                "deepseek-reasoner*",
                c -> c.toBuilder()
                        .reasoning(true)
                        .unsupportedParams(union(SAMPLING, Set.of("logprobs", "top_logprobs")))
                        .maxOutputTokens(65_536)
                        .structured(NONE)
                        .stripReasoningInput(true)
                        .build()));
        // deepseek-chat: JSON Output (json_object) only, max output 8K (default 4K).
        r.add(Rule.of(
                "deepseek-*",
                c -> c.toBuilder()
                        .maxOutputTokens(8_192)
                        .structured(JSON_OBJECT)
                        .stripReasoningInput(true)
                        .build()));
        // OpenAI reasoning models: sampling knobs and logprobs rejected; max_tokens is not accepted,
        // max_completion_tokens is; system messages are "developer" messages from o1 on. o-series
        // output limit 100K; gpt-5 128K.
        for (String glob : List.of("o1*", "o3*", "o4*")) {
            r.add(Rule.of(glob, c -> openAiReasoning(c, 100_000)));
        }
        r.add(Rule.of("gpt-5*", c -> openAiReasoning(c, 128_000)));
        // GPT-4o 16K output, GPT-4.1 32K output; both enforce json_schema (Structured Outputs).
        r.add(Rule.of(
                "gpt-4o*",
                c -> c.toBuilder()
                        .maxOutputTokens(16_384)
                        .structured(JSON_SCHEMA)
                        .build()));
        r.add(Rule.of(
                "gpt-4.1*",
                c -> c.toBuilder()
                        .maxOutputTokens(32_768)
                        .structured(JSON_SCHEMA)
                        .build()));
        // Doubao (Ark): thinking models return reasoning_content; seed 1.6 supports json_schema
        // (beta). Output limits: 1.5-pro 12K, thinking 16K (guess), seed 32K (guess).
        r.add(Rule.of(
                "doubao-*-thinking*",
                c -> c.toBuilder()
                        .reasoning(true)
                        .maxOutputTokens(16_384)
                        .structured(JSON_OBJECT)
                        .build()));
        r.add(Rule.of(
                "doubao-seed-*",
                c -> c.toBuilder()
                        .reasoning(true)
                        .maxOutputTokens(32_768)
                        .structured(JSON_SCHEMA)
                        .build()));
        r.add(Rule.of(
                "doubao-1-5-pro*",
                c -> c.toBuilder()
                        .maxOutputTokens(12_288)
                        .structured(JSON_OBJECT)
                        .build()));
        // Wenxin (Qianfan v2): ERNIE X1 reasons (reasoning_content); output limits not checked (0).
        // Structured support is a guess: json_object for 4.5, none for X1.
        r.add(Rule.of(
                "ernie-x1*", c -> c.toBuilder().reasoning(true).structured(NONE).build()));
        r.add(Rule.of("ernie-4.5*", c -> c.toBuilder().structured(JSON_OBJECT).build()));
        // QwQ on DashScope is served only as a stream (non-streamed calls are rejected); 8K output
        // is a guess.
        r.add(Rule.of(
                "qwq-*",
                c -> c.toBuilder()
                        .reasoning(true)
                        .streamOnly(true)
                        .maxOutputTokens(8_192)
                        .build()));
        return r;
    }

    private static ModelCapability openAiReasoning(ModelCapability c, int maxOutput) {
        return c.toBuilder()
                .reasoning(true)
                .unsupportedParams(OPENAI_REASONING_UNSUPPORTED)
                .maxTokensParam(MAX_COMPLETION_TOKENS)
                .maxOutputTokens(maxOutput)
                .structured(JSON_SCHEMA)
                .systemRole("developer")
                .build();
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> out = new java.util.HashSet<>(a);
        out.addAll(b);
        return Set.copyOf(out);
    }
}
