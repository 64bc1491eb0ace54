package io.harborai.worker.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;

/**
 * The simulator's rule for reasoning models and the request parameters they reject.
 *
 * <p>A model is a reasoning model when its name (lower-cased, after the last {@code /}) contains
 * {@code reasoner} or {@code thinking}, or starts with {@code o1}, {@code o3}, {@code o4}, {@code
 * ernie-x1} or {@code doubao-seed}. Such a model answers with reasoning tokens in usage and, outside
 * the OpenAI dialect, a {@code reasoning_content} message field.
 *
 * <p>With strict parameters on, like the real endpoints, a reasoning model rejects {@code logprobs}
 * and {@code top_logprobs}; an OpenAI o-series model ({@code o1*}, {@code o3*}, {@code o4*}) also
 * rejects {@code temperature}, {@code top_p}, {@code presence_penalty}, {@code frequency_penalty},
 * {@code logit_bias} and {@code max_tokens} (it takes {@code max_completion_tokens}); and
 * {@code deepseek-reasoner} rejects an input assistant message carrying {@code reasoning_content}.
 * A parameter present with a JSON null counts as absent. Stateless and thread-safe.
 */
final class SimulatorReasoning {
    private static final List<String> ALL_REASONING_REJECT = List.of("logprobs", "top_logprobs");
    private static final List<String> O_SERIES_REJECT =
            List.of("temperature", "top_p", "presence_penalty", "frequency_penalty", "logit_bias", "max_tokens");

    private SimulatorReasoning() {}

    /** True when {@code model} is a reasoning model under the rule above. */
    static boolean isReasoningModel(String model) {
        String m = bareName(model);
        return m.contains("reasoner")
                || m.contains("thinking")
                || isOSeries(m)
                || m.startsWith("ernie-x1")
                || m.startsWith("doubao-seed");
    }

    /** OpenAI's o1/o3/o4 families. */
    static boolean isOSeries(String model) {
        String m = bareName(model);
        return m.startsWith("o1") || m.startsWith("o3") || m.startsWith("o4");
    }

    /**
     * The first parameter of {@code body} that its reasoning model rejects, or null when it has
     * none (or the model is not a reasoning model). A rejected {@code reasoning_content} input is
     * reported as {@code messages[i].reasoning_content}.
     */
    static String rejectedParameter(JsonNode body) {
        String model = body.path("model").asText("");
        if (!isReasoningModel(model)) {
            return null;
        }
        for (String p : ALL_REASONING_REJECT) {
            if (present(body, p)) {
                return p;
            }
        }
        if (isOSeries(model)) {
            for (String p : O_SERIES_REJECT) {
                if (present(body, p)) {
                    return p;
                }
            }
        }
        if (bareName(model).contains("deepseek-reasoner")) {
            JsonNode messages = body.path("messages");
            for (int i = 0; i < messages.size(); i++) {
                JsonNode m = messages.get(i);
                if ("assistant".equals(m.path("role").asText()) && present(m, "reasoning_content")) {
                    return "messages[" + i + "].reasoning_content";
                }
            }
        }
        return null;
    }

    /** The message a provider gives for a rejected parameter. */
    static String rejectionMessage(String model, String param) {
        if (param.endsWith("reasoning_content")) {
            return "The reasoning_content of an assistant message must not be sent back as input (" + param + ").";
        }
        String hint = param.equals("max_tokens") ? " Use 'max_completion_tokens' instead." : "";
        return "Unsupported parameter: '" + param + "' is not supported with this model (" + model + ")." + hint;
    }

    /** The deterministic chain of thought of a reasoning model. */
    static String reasoningText(String model, String prompt, String hash) {
        return "Simulated reasoning (" + model + "): the user asks about \"" + prompt
                + "\". First, restate the question. Next, recall the relevant facts. Then check the answer"
                + " against the question before replying. [#" + hash + "]";
    }

    private static boolean present(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v != null && !v.isNull();
    }

    private static String bareName(String model) {
        String m = model == null ? "" : model.toLowerCase(Locale.ROOT);
        return m.substring(m.lastIndexOf('/') + 1);
    }
}
