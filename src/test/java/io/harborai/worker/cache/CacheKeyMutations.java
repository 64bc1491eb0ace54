package io.harborai.worker.cache;

import static io.harborai.worker.cache.CacheKeyCases.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harborai.worker.avro.CacheControl;
import io.harborai.worker.avro.CacheMode;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.Message;
import io.harborai.worker.avro.Params;
import io.harborai.worker.avro.Priority;
import io.harborai.worker.avro.ResponseFormat;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;

/**
 * The field mutations of the {@link CacheKey} property tests: for every field of {@link ChatRequest},
 * a change that always changes its value, split into the fields that can change the answer (and so
 * must change the key) and those that must not.
 */
final class CacheKeyMutations {
    private CacheKeyMutations() {}

    record Pair(ChatRequest before, ChatRequest after) {}

    record Mutation(String field, BiFunction<ChatRequest, Random, Pair> apply) {}

    static Mutation top(String field, BiFunction<ChatRequest, Random, ChatRequest> change) {
        return new Mutation(field, (q, r) -> new Pair(q, change.apply(q, r)));
    }

    static Mutation message(String field, BiFunction<Message.Builder, Random, Message.Builder> change) {
        return new Mutation(field, (q, r) -> {
            List<Message> messages = new ArrayList<>(q.getMessages());
            int i = r.nextInt(messages.size());
            messages.set(i, change.apply(Message.newBuilder(messages.get(i)), r).build());
            return new Pair(q, with(q, b -> b.setMessages(messages)));
        });
    }

    static Mutation param(String field, BiFunction<Params.Builder, Random, Params.Builder> change) {
        return top(field, (q, r) -> withParams(q, p -> change.apply(p, r)));
    }

    /** Gives the request a response_format first when it has none: the change is then inside it. */
    static Mutation format(String field, BiFunction<ResponseFormat.Builder, Random, ResponseFormat.Builder> change) {
        return new Mutation(field, (q, r) -> {
            ChatRequest before = q.getParams().getResponseFormat() != null
                    ? q
                    : withParams(q, p -> p.setResponseFormat(new RandomChatRequests(r, r).responseFormat()));
            ResponseFormat.Builder f =
                    ResponseFormat.newBuilder(before.getParams().getResponseFormat());
            ResponseFormat after = change.apply(f, r).build();
            return new Pair(before, withParams(before, p -> p.setResponseFormat(after)));
        });
    }

    /** Every field that can change the answer, each with a mutation that always changes its value. */
    static List<Mutation> answerChanging() {
        return List.of(
                top("model", (q, r) -> with(q, b -> b.setModel(q.getModel() + "-" + r.nextInt(9)))),
                top("messages", (q, r) -> with(q, b -> b.setMessages(otherMessages(q.getMessages(), r)))),
                message("messages[].role", (m, r) -> m.setRole(otherRole(m.getRole(), r))),
                message("messages[].content", (m, r) -> m.setContent(otherText(m.getContent(), r))),
                message(
                        "messages[].content_parts_json",
                        (m, r) -> m.setContentPartsJson(otherJson(m.getContentPartsJson(), r))),
                message("messages[].name", (m, r) -> m.setName(otherText(m.getName(), r))),
                message("messages[].tool_call_id", (m, r) -> m.setToolCallId(otherText(m.getToolCallId(), r))),
                message("messages[].tool_calls_json", (m, r) -> m.setToolCallsJson(otherJson(m.getToolCallsJson(), r))),
                message(
                        "messages[].reasoning_content",
                        (m, r) -> m.setReasoningContent(otherText(m.getReasoningContent(), r))),
                param("params.temperature", (p, r) -> p.setTemperature(otherDouble(p.getTemperature(), r))),
                param("params.top_p", (p, r) -> p.setTopP(otherDouble(p.getTopP(), r))),
                param("params.max_tokens", (p, r) -> p.setMaxTokens(otherInt(p.getMaxTokens(), r))),
                param(
                        "params.max_completion_tokens",
                        (p, r) -> p.setMaxCompletionTokens(otherInt(p.getMaxCompletionTokens(), r))),
                param("params.stop", (p, r) -> p.setStop(otherStop(p.getStop(), r))),
                param("params.seed", (p, r) -> p.setSeed(otherLong(p.getSeed(), r))),
                param(
                        "params.presence_penalty",
                        (p, r) -> p.setPresencePenalty(otherDouble(p.getPresencePenalty(), r))),
                param(
                        "params.frequency_penalty",
                        (p, r) -> p.setFrequencyPenalty(otherDouble(p.getFrequencyPenalty(), r))),
                param("params.n", (p, r) -> p.setN(otherInt(p.getN(), r))),
                param("params.logprobs", (p, r) -> p.setLogprobs(otherBool(p.getLogprobs(), r))),
                param("params.top_logprobs", (p, r) -> p.setTopLogprobs(otherInt(p.getTopLogprobs(), r))),
                param("params.logit_bias_json", (p, r) -> p.setLogitBiasJson(otherJson(p.getLogitBiasJson(), r))),
                param(
                        "params.response_format",
                        (p, r) -> p.setResponseFormat(
                                p.getResponseFormat() == null ? new RandomChatRequests(r, r).responseFormat() : null)),
                format("params.response_format.type", (f, r) -> f.setType(f.getType() + "!")),
                format(
                        "params.response_format.json_schema_name",
                        (f, r) -> f.setJsonSchemaName(otherText(f.getJsonSchemaName(), r))),
                format(
                        "params.response_format.json_schema_json",
                        (f, r) -> f.setJsonSchemaJson(otherJson(f.getJsonSchemaJson(), r))),
                format("params.response_format.strict", (f, r) -> f.setStrict(otherBool(f.getStrict(), r))),
                param("params.tools_json", (p, r) -> p.setToolsJson(otherJson(p.getToolsJson(), r))),
                param("params.tool_choice_json", (p, r) -> p.setToolChoiceJson(otherJson(p.getToolChoiceJson(), r))),
                param(
                        "params.parallel_tool_calls",
                        (p, r) -> p.setParallelToolCalls(otherBool(p.getParallelToolCalls(), r))),
                param("params.reasoning_effort", (p, r) -> p.setReasoningEffort(otherText(p.getReasoningEffort(), r))),
                param("params.extra_json", (p, r) -> p.setExtraJson(otherJson(p.getExtraJson(), r))));
    }

    /** Every field that must not change the key, each with a mutation that always changes its value. */
    static List<Mutation> notAnswerChanging() {
        return List.of(
                top("id", (q, r) -> with(q, b -> b.setId(q.getId() + "-" + r.nextInt()))),
                top("batch_id", (q, r) -> with(q, b -> b.setBatchId(otherText(q.getBatchId(), r)))),
                top("custom_id", (q, r) -> with(q, b -> b.setCustomId(otherText(q.getCustomId(), r)))),
                top(
                        "fallback_models",
                        (q, r) -> with(q, b -> b.setFallbackModels(otherStop(q.getFallbackModels(), r)))),
                top(
                        "cache.mode",
                        (q, r) -> with(
                                q,
                                b -> b.setCache(CacheControl.newBuilder(q.getCache())
                                        .setMode(
                                                CacheMode.values()[
                                                        (q.getCache().getMode().ordinal() + 1 + r.nextInt(2)) % 3])
                                        .build()))),
                top(
                        "cache.ttl_seconds",
                        (q, r) -> with(
                                q,
                                b -> b.setCache(CacheControl.newBuilder(q.getCache())
                                        .setTtlSeconds(otherInt(q.getCache().getTtlSeconds(), r))
                                        .build()))),
                top(
                        "cache.max_age_seconds",
                        (q, r) -> with(
                                q,
                                b -> b.setCache(CacheControl.newBuilder(q.getCache())
                                        .setMaxAgeSeconds(otherInt(q.getCache().getMaxAgeSeconds(), r))
                                        .build()))),
                top(
                        "priority",
                        (q, r) -> with(
                                q,
                                b -> b.setPriority(
                                        Priority.values()[(q.getPriority().ordinal() + 1 + r.nextInt(2)) % 3]))),
                top("deadline_ms", (q, r) -> with(q, b -> b.setDeadlineMs(otherLong(q.getDeadlineMs(), r)))),
                top("created_at_ms", (q, r) -> with(q, b -> b.setCreatedAtMs(otherLong(q.getCreatedAtMs(), r)))),
                top("metadata", (q, r) -> with(q, b -> b.setMetadata(otherMetadata(q.getMetadata(), r)))),
                param("params.user", (p, r) -> p.setUser(otherText(p.getUser(), r))));
    }

    static List<Message> otherMessages(List<Message> messages, Random r) {
        List<Message> out = new ArrayList<>(messages);
        int op = r.nextInt(3);
        if (op == 1 && out.size() > 1) {
            out.remove(r.nextInt(out.size()));
        } else if (op == 2 && out.size() > 1 && !out.get(0).equals(out.get(out.size() - 1))) {
            Collections.swap(out, 0, out.size() - 1);
        } else {
            out.add(r.nextInt(out.size() + 1), new RandomChatRequests(r, r).message());
        }
        return out;
    }

    static String otherRole(String role, Random r) {
        List<String> others = new ArrayList<>(ROLES);
        others.remove(role);
        return others.get(r.nextInt(others.size()));
    }

    static String otherText(String v, Random r) {
        return v == null ? word(r) : r.nextBoolean() ? null : v + "!";
    }

    static Double otherDouble(Double v, Random r) {
        // No nested ?: here: it would unbox the null.
        if (v == null) {
            return r.nextInt(200) / 100.0;
        }
        return r.nextBoolean() ? null : Double.valueOf(v + 0.25);
    }

    static Integer otherInt(Integer v, Random r) {
        if (v == null) {
            return r.nextInt(100);
        }
        return r.nextBoolean() ? null : Integer.valueOf(v + 1);
    }

    static Long otherLong(Long v, Random r) {
        if (v == null) {
            return r.nextLong();
        }
        return r.nextBoolean() ? null : Long.valueOf(v + 1);
    }

    static Boolean otherBool(Boolean v, Random r) {
        if (v == null) {
            return r.nextBoolean();
        }
        return r.nextBoolean() ? null : Boolean.valueOf(!v);
    }

    static List<String> otherStop(List<String> v, Random r) {
        List<String> out = new ArrayList<>(v);
        if (out.isEmpty()) {
            out.add(word(r));
        } else
            switch (r.nextInt(3)) {
                case 0 -> out.clear();
                case 1 -> out.add(r.nextInt(out.size() + 1), word(r));
                default -> {
                    int i = r.nextInt(out.size());
                    out.set(i, out.get(i) + "!");
                }
            }
        return out;
    }

    static Map<String, String> otherMetadata(Map<String, String> v, Random r) {
        Map<String, String> out = new HashMap<>(v);
        if (!out.isEmpty() && r.nextBoolean()) {
            out.clear();
        } else {
            out.put("k" + out.size(), word(r));
        }
        return out;
    }

    /** Null, a fresh JSON value, or (most often) the same JSON with one nested value changed. */
    static String otherJson(String v, Random r) {
        RandomChatRequests gen = new RandomChatRequests(r, r);
        if (v == null) {
            return gen.render(gen.object(2));
        }
        if (r.nextInt(4) == 0) {
            return null;
        }
        try {
            return gen.render(perturb(JSON.readTree(v), r));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** A different JSON value: one leaf somewhere inside changes, or a member is added. */
    static JsonNode perturb(JsonNode n, Random r) {
        if (n.isObject()) {
            ObjectNode o = ((ObjectNode) n).deepCopy();
            List<String> names = new ArrayList<>(
                    o.properties().stream().map(Map.Entry::getKey).toList());
            if (names.isEmpty() || r.nextInt(4) == 0) {
                o.put("added" + names.size(), r.nextInt(10));
            } else {
                String name = names.get(r.nextInt(names.size()));
                o.set(name, perturb(o.get(name), r));
            }
            return o;
        }
        if (n.isArray()) {
            ArrayNode a = ((ArrayNode) n).deepCopy();
            if (a.isEmpty() || r.nextInt(4) == 0) {
                a.add(r.nextInt(10));
            } else {
                int i = r.nextInt(a.size());
                a.set(i, perturb(a.get(i), r));
            }
            return a;
        }
        if (n.isNumber()) {
            return DecimalNode.valueOf(n.decimalValue().add(BigDecimal.ONE));
        }
        if (n.isBoolean()) {
            return NODES.booleanNode(!n.booleanValue());
        }
        return n.isTextual() ? NODES.textNode(n.textValue() + "!") : NODES.numberNode(0);
    }
}
