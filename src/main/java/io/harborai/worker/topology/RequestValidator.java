package io.harborai.worker.topology;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.Message;
import io.harborai.worker.avro.Params;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Checks that a decoded request is one the worker can serve. Returns every problem at once, so
 * the DLQ detail tells the producer all it must fix. Stateless and thread-safe.
 */
public final class RequestValidator {
    static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** An empty list means valid. */
    public List<String> problems(ChatRequest r) {
        List<String> out = new ArrayList<>();
        if (r.getId() == null || r.getId().isBlank()) {
            out.add("id is empty");
        }
        if (r.getModel() == null || r.getModel().isBlank()) {
            out.add("model is empty");
        }
        if (r.getMessages() == null || r.getMessages().isEmpty()) {
            out.add("messages is empty");
        } else {
            for (int i = 0; i < r.getMessages().size(); i++) {
                message(i, r.getMessages().get(i), out);
            }
        }
        Params p = r.getParams();
        if (p != null) {
            json("params.tools_json", p.getToolsJson(), true, false, out);
            json("params.tool_choice_json", p.getToolChoiceJson(), false, false, out);
            json("params.logit_bias_json", p.getLogitBiasJson(), false, true, out);
            json("params.extra_json", p.getExtraJson(), false, true, out);
            if (p.getResponseFormat() != null) {
                String type = p.getResponseFormat().getType();
                if (!Set.of("text", "json_object", "json_schema").contains(type)) {
                    out.add("params.response_format.type '" + type + "' is not text, json_object or json_schema");
                } else if (type.equals("json_schema")) {
                    if (p.getResponseFormat().getJsonSchemaJson() == null) {
                        out.add("params.response_format.json_schema_json is required for type json_schema");
                    }
                    json(
                            "params.response_format.json_schema_json",
                            p.getResponseFormat().getJsonSchemaJson(),
                            false,
                            true,
                            out);
                }
            }
            range("params.temperature", p.getTemperature(), 0, 2, out);
            range("params.top_p", p.getTopP(), 0, 1, out);
            if (p.getMaxTokens() != null && p.getMaxTokens() < 1) {
                out.add("params.max_tokens must be >= 1");
            }
        }
        return out;
    }

    private static void message(int i, Message m, List<String> out) {
        String at = "messages[" + i + "]";
        if (m.getRole() == null || !ROLES.contains(m.getRole())) {
            out.add(at + ".role '" + m.getRole() + "' is not one of "
                    + ROLES.stream().sorted().toList());
        }
        boolean hasContent = m.getContent() != null || m.getContentPartsJson() != null;
        if (!hasContent && !(("assistant").equals(m.getRole()) && m.getToolCallsJson() != null)) {
            out.add(at + " has no content");
        }
        if ("tool".equals(m.getRole())
                && (m.getToolCallId() == null || m.getToolCallId().isBlank())) {
            out.add(at + ".tool_call_id is required for role tool");
        }
        json(at + ".content_parts_json", m.getContentPartsJson(), true, false, out);
        json(at + ".tool_calls_json", m.getToolCallsJson(), true, false, out);
    }

    private static void json(String field, String text, boolean array, boolean object, List<String> out) {
        if (text == null) {
            return;
        }
        try {
            JsonNode node = JSON.readTree(text);
            if (array && !node.isArray()) {
                out.add(field + " must be a JSON array");
            } else if (object && !node.isObject()) {
                out.add(field + " must be a JSON object");
            }
        } catch (IOException e) {
            out.add(field + " is not valid JSON");
        }
    }

    private static void range(String field, Double v, double min, double max, List<String> out) {
        if (v != null && (v.isNaN() || v < min || v > max)) {
            out.add(field + " must be in [" + min + ", " + max + "]");
        }
    }
}
