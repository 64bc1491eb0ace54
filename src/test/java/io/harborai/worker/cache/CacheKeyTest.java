package io.harborai.worker.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harborai.worker.avro.CacheControl;
import io.harborai.worker.avro.CacheMode;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.Message;
import io.harborai.worker.avro.Params;
import io.harborai.worker.avro.Priority;
import io.harborai.worker.avro.ResponseFormat;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/**
 * Property-style tests of {@link CacheKey}: each property is checked on {@value #RUNS} random
 * requests. Every failure message names the case seed; {@code new RandomChatRequests(seed).request()} (plus the
 * named mutation, which continues with the same Random) rebuilds the failing case. The base seed
 * is fixed so the build is reproducible; {@code -Dcachekey.seed=N} explores other cases.
 */
class CacheKeyTest {
    private static final int RUNS = 500;
    private static final long BASE_SEED = Long.getLong("cachekey.seed", 0x5eed_cace_4b1dL);
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();
    static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    static final List<String> ROLES = List.of("system", "developer", "user", "assistant", "tool");

    // ---- 1. spelling of JSON text and numbers never changes the key ----

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

    // ---- 2. every answer-changing field changes the key ----

    @Test
    void shouldChangeTheKeyWhenAnyAnswerChangingFieldChanges() {
        for (Mutation m : answerChanging()) {
            forAll(seed -> {
                boolean isolation = (seed & 1) == 0; // both modes, half the cost
                Random r = new Random(seed);
                Pair p = m.apply().apply(new RandomChatRequests(r, r).request(), r);
                Supplier<String> why = () ->
                        "%s, seed %d: %s".formatted(m.field(), seed, CacheKey.canonicalJson(p.after(), isolation));
                assertThat(p.after())
                        .as(() -> "mutation did nothing: " + why.get())
                        .isNotEqualTo(p.before());
                assertThat(CacheKey.of(p.after(), isolation)).as(why).isNotEqualTo(CacheKey.of(p.before(), isolation));
            });
        }
    }

    @Test
    void shouldClassifyEverySchemaFieldAsAnswerChangingOrNot() {
        List<String> named = new ArrayList<>();
        answerChanging().forEach(m -> named.add(m.field()));
        notAnswerChanging().forEach(m -> named.add(m.field()));
        named.add("tenant"); // its own tests below
        named.addAll(List.of("params", "cache")); // containers: their fields are listed one by one
        assertThat(named).doesNotHaveDuplicates();
        assertThat(new TreeSet<>(named)).isEqualTo(schemaPaths(ChatRequest.getClassSchema(), ""));
    }

    // ---- 3. excluded fields never change the key ----

    @Test
    void shouldKeepTheKeyWhenOnlyExcludedFieldsChange() {
        for (Mutation m : notAnswerChanging()) {
            forAll(seed -> {
                Random r = new Random(seed);
                Pair p = m.apply().apply(new RandomChatRequests(r, r).request(), r);
                String why = "%s, seed %d".formatted(m.field(), seed);
                assertThat(p.after()).as("mutation did nothing: " + why).isNotEqualTo(p.before());
                for (boolean isolation : new boolean[] {false, true}) {
                    assertThat(CacheKey.of(p.after(), isolation)).as(why).isEqualTo(CacheKey.of(p.before(), isolation));
                }
            });
        }
    }

    // ---- 4. tenant isolation ----

    @Test
    void shouldSeparateTenantsOnlyWithTenantIsolation() {
        forAll(seed -> {
            Random r = new Random(seed);
            ChatRequest q = new RandomChatRequests(r, r).request();
            String t = word(r);
            ChatRequest a = with(q, x -> x.setTenant(t));
            ChatRequest b = with(q, x -> x.setTenant(t + "b"));
            ChatRequest none = with(q, x -> x.setTenant(null));
            ChatRequest empty = with(q, x -> x.setTenant(""));
            String why = "seed " + seed;
            assertThat(CacheKey.of(a, true))
                    .as(why)
                    .isNotEqualTo(CacheKey.of(b, true))
                    .isNotEqualTo(CacheKey.of(none, true));
            assertThat(CacheKey.of(none, true))
                    .as(why + ": null tenant is \"\"")
                    .isEqualTo(CacheKey.of(empty, true));
            assertThat(List.of(CacheKey.of(b, false), CacheKey.of(none, false)))
                    .as(why)
                    .containsOnly(CacheKey.of(a, false));
            assertThat(CacheKey.of(none, true))
                    .as(why + ": isolated keys never meet shared ones")
                    .isNotEqualTo(CacheKey.of(none, false));
        });
    }

    // ---- 5. key format ----

    @Test
    void shouldBeTheSha256HexOfTheCanonicalJsonAndDeterministic() throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        forAll(seed -> {
            ChatRequest q = new RandomChatRequests(new Random(seed), new Random(seed)).request();
            String key = CacheKey.of(q, true);
            String canonical = CacheKey.canonicalJson(q, true);
            assertThat(key)
                    .as("seed %d", seed)
                    .matches("[0-9a-f]{64}")
                    .isEqualTo(CacheKey.of(q, true))
                    .isEqualTo(CacheKey.of(ChatRequest.newBuilder(q).build(), true))
                    .isEqualTo(HexFormat.of().formatHex(sha.digest(canonical.getBytes(StandardCharsets.UTF_8))));
            assertThat(canonical).as("seed %d: ASCII", seed).matches("\\p{ASCII}*");
            assertThatCode(() -> JSON.readTree(canonical))
                    .as("seed %d: valid JSON", seed)
                    .doesNotThrowAnyException();
        });
    }

    @Test
    void shouldGiveTheSameKeysOnEveryThread() throws Exception {
        List<ChatRequest> requests = new ArrayList<>();
        Random r = new Random(BASE_SEED);
        for (int i = 0; i < RUNS; i++) {
            requests.add(new RandomChatRequests(r, r).request());
        }
        List<String> expected = requests.stream().map(q -> CacheKey.of(q, true)).toList();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<List<String>>> runs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                runs.add(pool.submit(
                        () -> requests.stream().map(q -> CacheKey.of(q, true)).toList()));
            }
            for (Future<List<String>> run : runs) {
                assertThat(run.get()).isEqualTo(expected);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldKeepTheVersionOneCanonicalFormStable() {
        // Changing this form changes every key: bump "v" in CacheKey when you have to change it.
        ChatRequest q = withParams(
                simple(),
                p -> p.setTemperature(0.70)
                        .setStop(List.of())
                        .setToolsJson("[ {\"type\":\"function\", \"function\":{\"name\":\"f\"}} ]")
                        .setUser("u1"));
        assertThat(CacheKey.canonicalJson(with(q, b -> b.setTenant("t\u00e9")), true))
                .isEqualTo(
                        "{\"messages\":[{\"content\":\"hi\",\"role\":\"user\"}],\"model\":\"m\",\"params\":{\"temperature\":0.7,"
                                + "\"tools_json\":[{\"function\":{\"name\":\"f\"},\"type\":\"function\"}]},\"tenant\":\"t\\u00E9\",\"v\":1}");
        assertThat(CacheKey.of(q, false)).isEqualTo(PINNED_KEY);
    }

    /** sha256 of the form above without tenant, computed outside Java (printf ... | sha256sum). */
    private static final String PINNED_KEY = "5d555e244e13ab37550ff0b9941f48edc760b309fdb0ace0a8c9bbe37bc42582";

    // ---- 6. text that is not JSON ----

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

    // ---- mutations ----

    record Pair(ChatRequest before, ChatRequest after) {}

    record Mutation(String field, BiFunction<ChatRequest, Random, Pair> apply) {}

    private static Mutation top(String field, BiFunction<ChatRequest, Random, ChatRequest> change) {
        return new Mutation(field, (q, r) -> new Pair(q, change.apply(q, r)));
    }

    private static Mutation message(String field, BiFunction<Message.Builder, Random, Message.Builder> change) {
        return new Mutation(field, (q, r) -> {
            List<Message> messages = new ArrayList<>(q.getMessages());
            int i = r.nextInt(messages.size());
            messages.set(i, change.apply(Message.newBuilder(messages.get(i)), r).build());
            return new Pair(q, with(q, b -> b.setMessages(messages)));
        });
    }

    private static Mutation param(String field, BiFunction<Params.Builder, Random, Params.Builder> change) {
        return top(field, (q, r) -> withParams(q, p -> change.apply(p, r)));
    }

    /** Gives the request a response_format first when it has none: the change is then inside it. */
    private static Mutation format(
            String field, BiFunction<ResponseFormat.Builder, Random, ResponseFormat.Builder> change) {
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

    private static List<Message> otherMessages(List<Message> messages, Random r) {
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

    private static String otherRole(String role, Random r) {
        List<String> others = new ArrayList<>(ROLES);
        others.remove(role);
        return others.get(r.nextInt(others.size()));
    }

    private static String otherText(String v, Random r) {
        return v == null ? word(r) : r.nextBoolean() ? null : v + "!";
    }

    private static Double otherDouble(Double v, Random r) {
        // No nested ?: here: it would unbox the null.
        if (v == null) {
            return r.nextInt(200) / 100.0;
        }
        return r.nextBoolean() ? null : Double.valueOf(v + 0.25);
    }

    private static Integer otherInt(Integer v, Random r) {
        if (v == null) {
            return r.nextInt(100);
        }
        return r.nextBoolean() ? null : Integer.valueOf(v + 1);
    }

    private static Long otherLong(Long v, Random r) {
        if (v == null) {
            return r.nextLong();
        }
        return r.nextBoolean() ? null : Long.valueOf(v + 1);
    }

    private static Boolean otherBool(Boolean v, Random r) {
        if (v == null) {
            return r.nextBoolean();
        }
        return r.nextBoolean() ? null : Boolean.valueOf(!v);
    }

    private static List<String> otherStop(List<String> v, Random r) {
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

    private static Map<String, String> otherMetadata(Map<String, String> v, Random r) {
        Map<String, String> out = new HashMap<>(v);
        if (!out.isEmpty() && r.nextBoolean()) {
            out.clear();
        } else {
            out.put("k" + out.size(), word(r));
        }
        return out;
    }

    /** Null, a fresh JSON value, or (most often) the same JSON with one nested value changed. */
    private static String otherJson(String v, Random r) {
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
    private static JsonNode perturb(JsonNode n, Random r) {
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

    // ---- random requests ----

    // ---- helpers ----

    private static final List<String> JSON_FIELDS = List.of(
            "messages[].content_parts_json",
            "messages[].tool_calls_json",
            "logit_bias_json",
            "json_schema_json",
            "tools_json",
            "tool_choice_json",
            "extra_json");

    /** Sets one JSON-text field (on the first message, or in params / response_format). */
    private static BiFunction<ChatRequest, String, ChatRequest> jsonField(String field) {
        return (q, text) -> switch (field) {
            case "messages[].content_parts_json" -> withFirstMessage(q, m -> m.setContentPartsJson(text));
            case "messages[].tool_calls_json" -> withFirstMessage(q, m -> m.setToolCallsJson(text));
            case "logit_bias_json" -> withParams(q, p -> p.setLogitBiasJson(text));
            case "json_schema_json" ->
                withParams(
                        q,
                        p -> p.setResponseFormat(ResponseFormat.newBuilder()
                                .setType("json_schema")
                                .setJsonSchemaJson(text)
                                .build()));
            case "tools_json" -> withParams(q, p -> p.setToolsJson(text));
            case "tool_choice_json" -> withParams(q, p -> p.setToolChoiceJson(text));
            case "extra_json" -> withParams(q, p -> p.setExtraJson(text));
            default -> throw new IllegalArgumentException(field);
        };
    }

    private static ChatRequest simple() {
        return ChatRequest.newBuilder()
                .setId("x")
                .setModel("m")
                .setMessages(List.of(
                        Message.newBuilder().setRole("user").setContent("hi").build()))
                .setParams(Params.newBuilder().build())
                .setCache(CacheControl.newBuilder().build())
                .build();
    }

    private static ChatRequest with(ChatRequest q, Consumer<ChatRequest.Builder> change) {
        ChatRequest.Builder b = ChatRequest.newBuilder(q);
        change.accept(b);
        return b.build();
    }

    private static ChatRequest withParams(ChatRequest q, Consumer<Params.Builder> change) {
        Params.Builder p = Params.newBuilder(q.getParams());
        change.accept(p);
        return with(q, b -> b.setParams(p.build()));
    }

    private static ChatRequest withFirstMessage(ChatRequest q, Consumer<Message.Builder> change) {
        List<Message> messages = new ArrayList<>(q.getMessages());
        Message.Builder m = Message.newBuilder(messages.get(0));
        change.accept(m);
        messages.set(0, m.build());
        return with(q, b -> b.setMessages(messages));
    }

    static String word(Random r) {
        return Long.toString(r.nextLong() & 0xffffffL, 36);
    }

    private static String abbreviate(String s) {
        return s == null || s.length() <= 40 ? s : s.substring(0, 40) + "...(" + s.length() + " chars)";
    }

    /** Runs the property for {@value #RUNS} case seeds drawn from the base seed. */
    private static void forAll(LongConsumer property) {
        Random seeds = new Random(BASE_SEED);
        for (int i = 0; i < RUNS; i++) {
            property.accept(seeds.nextLong());
        }
    }

    /** "messages", "messages[].role", "params.response_format.type", ...: every field, nested ones too. */
    private static Set<String> schemaPaths(Schema record, String prefix) {
        Set<String> paths = new TreeSet<>();
        for (Schema.Field f : record.getFields()) {
            String path = prefix + f.name();
            paths.add(path);
            Schema type = f.schema();
            if (type.isUnion()) {
                type = type.getTypes().stream()
                        .filter(s -> s.getType() != Schema.Type.NULL)
                        .findFirst()
                        .orElseThrow();
            }
            if (type.getType() == Schema.Type.ARRAY && type.getElementType().getType() == Schema.Type.RECORD) {
                paths.addAll(schemaPaths(type.getElementType(), path + "[]."));
            } else if (type.getType() == Schema.Type.RECORD) {
                paths.addAll(schemaPaths(type, path + "."));
            }
        }
        return paths;
    }
}
