package io.harborai.worker.provider.capability;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CapabilityTableTest {
    final CapabilityTable builtIns = CapabilityTable.builtIns();

    @Test
    void shouldDescribeBuiltInModels() {
        ModelCapability reasoner = builtIns.forModel("deepseek-reasoner");
        assertThat(reasoner.reasoning()).isTrue();
        assertThat(reasoner.unsupportedParams()).contains("logprobs", "top_logprobs", "temperature");
        assertThat(reasoner.stripReasoningInput()).isTrue();

        assertThat(builtIns.forModel("deepseek-chat").structured()).isEqualTo(StructuredSupport.JSON_OBJECT);
        assertThat(builtIns.forModel("o3-mini").maxTokensParam()).isEqualTo("max_completion_tokens");
        assertThat(builtIns.forModel("gpt-5-mini").reasoning()).isTrue();
        assertThat(builtIns.forModel("gpt-4o-mini").structured()).isEqualTo(StructuredSupport.JSON_SCHEMA);
        assertThat(builtIns.forModel("doubao-seed-1-6-thinking-250715").reasoning())
                .isTrue();
        assertThat(builtIns.forModel("ernie-x1-turbo-32k").reasoning()).isTrue();
        assertThat(builtIns.forModel("qwq-plus").streamOnly()).isTrue();
        assertThat(builtIns.forModel("anything-else")).isEqualTo(ModelCapability.DEFAULT);
        assertThat(builtIns.forModel(null)).isEqualTo(ModelCapability.DEFAULT);
    }

    @Test
    void shouldLetOverridesWinAndInheritUnspecifiedFields() {
        List<String> problems = new ArrayList<>();
        CapabilityTable t = CapabilityTable.fromConfig(
                List.of(
                        Map.of("match", "deepseek-reasoner", "max-output-tokens", 32768),
                        Map.of(
                                "match",
                                "my-*",
                                "structured-output",
                                "json_schema",
                                "unsupported-params",
                                List.of("seed"),
                                "max-tokens-param",
                                "max_completion_tokens",
                                "reasoning",
                                true,
                                "stream-only",
                                true)),
                problems);

        assertThat(problems).isEmpty();
        ModelCapability r = t.forModel("deepseek-reasoner");
        assertThat(r.maxOutputTokens()).isEqualTo(32768);
        assertThat(r.reasoning()).isTrue();
        assertThat(r.unsupportedParams()).contains("logprobs");
        ModelCapability mine = t.forModel("my-model");
        assertThat(mine.structured()).isEqualTo(StructuredSupport.JSON_SCHEMA);
        assertThat(mine.unsupportedParams()).containsExactly("seed");
        assertThat(mine.streamOnly()).isTrue();
        assertThat(t.overrideCount()).isEqualTo(2);
    }

    @Test
    void shouldReportEveryBadOverrideByIndexAndKey() {
        List<String> problems = new ArrayList<>();
        CapabilityTable.fromConfig(
                List.of(
                        Map.of("match", "a"),
                        Map.of("reasoning", true),
                        Map.of("match", "c", "structured-output", "xml", "max-output-tokens", -1, "colour", "red"),
                        "not a map"),
                problems);

        assertThat(problems)
                .containsExactlyInAnyOrder(
                        "capabilities[1].match: required, a model name or glob",
                        "capabilities[2].structured-output: must be one of [json_schema, json_object, none]",
                        "capabilities[2].max-output-tokens: must be a whole number in [0, 10000000] (0 = unknown)",
                        "capabilities[2].colour: unknown key (allowed: [match, max-output-tokens, max-tokens-param,"
                                + " reasoning, stream-only, structured-output, unsupported-params])",
                        "capabilities[3]: must be a mapping with at least 'match'");
    }

    @Test
    void shouldRejectANonList() {
        List<String> problems = new ArrayList<>();
        CapabilityTable.fromConfig(Map.of("match", "x"), problems);
        assertThat(problems).containsExactly("capabilities: must be a list of {match: glob, ...} entries");
    }
}
