package io.harborai.worker.structured;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harborai.worker.avro.ChatRequest;
import java.math.BigDecimal;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Property-style tests on {@value #RUNS} random cases each: valid orders wrapped in random prose
 * and fences are always extracted intact and valid; mutated ones are always invalid. The base seed
 * is fixed so the build is reproducible; every failure names its case seed, and {@code
 * -Dstructured.seed=N} explores other cases.
 */
class StructuredPropertyTest {
    private static final int RUNS = 300;
    private static final long BASE_SEED = Long.getLong("structured.seed", 0x5eed_50_7e57L);
    private static final ObjectMapper JSON = JsonExtractor.MAPPER;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    static final String ORDER_SCHEMA = """
            {
              "type": "object",
              "required": ["id", "qty", "price", "status", "tags", "customer"],
              "additionalProperties": false,
              "properties": {
                "id": {"type": "string", "minLength": 1},
                "qty": {"type": "integer", "minimum": 1},
                "price": {"type": "number", "minimum": 0},
                "status": {"enum": ["new", "paid", "shipped"]},
                "tags": {"type": "array", "items": {"type": "string"}},
                "customer": {"$ref": "#/$defs/customer"},
                "note": {"type": ["string", "null"]}
              },
              "$defs": {
                "customer": {
                  "type": "object",
                  "required": ["name"],
                  "properties": {"name": {"type": "string"}, "vip": {"type": "boolean"}}
                }
              }
            }""";
    private static final List<String> REQUIRED = List.of("id", "qty", "price", "status", "tags", "customer");
    /** Characters that stress the scanner: braces, brackets, quotes, escapes, fences, CJK, emoji. */
    private static final String CHARS = "abcXYZ 019{}[]\"\\/`,:\n\t日本語中文한국어é€😀";
    /** Prose that holds no JSON object or array, though it has braces and brackets. */
    private static final List<String> PROSE = List.of(
            "Sure!",
            "Here is the order:",
            "以下是订单：",
            "Use {braces} carefully.",
            "[note] see below",
            "Let me know if you need anything else.",
            "The result {as requested}:",
            "注文は以下の通りです。",
            "");

    private final StructuredOutput structured = new StructuredOutput(new SchemaValidator(4));
    private final ChatRequest request = StructuredOutputTest.request("json_schema", ORDER_SCHEMA);

    @Test
    void shouldAlwaysExtractAndAcceptValidInstancesInAnyWrapping() throws Exception {
        for (int run = 0; run < RUNS; run++) {
            long seed = BASE_SEED + run;
            Random random = new Random(seed);
            ObjectNode order = validOrder(random);
            String content = wrap(random, order);

            // Compared as text: 12 written by a BigDecimal reads back as an int node, same JSON.
            String expected = JSON.writeValueAsString(order);
            assertThat(JsonExtractor.extract(content).map(JsonNode::toString))
                    .as("seed %d: extracted from %s", seed, content)
                    .contains(expected);
            Verdict verdict = structured.check(request, content);
            assertThat(verdict.errors()).as("seed %d: %s", seed, content).isEmpty();
            assertThat(verdict.json()).as("seed %d", seed).isEqualTo(expected);
        }
    }

    @Test
    void shouldAlwaysRejectMutatedInstances() throws Exception {
        for (int run = 0; run < RUNS; run++) {
            long seed = BASE_SEED + run;
            Random random = new Random(seed);
            ObjectNode order = validOrder(random);
            String path = mutate(random, order);
            String content = wrap(random, order);

            Verdict verdict = structured.check(request, content);
            assertThat(verdict.valid()).as("seed %d: %s", seed, content).isFalse();
            assertThat(verdict.errors()).as("seed %d: %s", seed, content).anyMatch(e -> e.startsWith(path + ": "));
        }
    }

    private static ObjectNode validOrder(Random random) {
        ObjectNode o = NODES.objectNode();
        o.put("id", "o-" + text(random, 1 + random.nextInt(12)));
        o.put("qty", 1 + random.nextInt(1_000));
        o.put("price", BigDecimal.valueOf(random.nextInt(1_000_000), random.nextInt(4)));
        o.put("status", List.of("new", "paid", "shipped").get(random.nextInt(3)));
        var tags = o.putArray("tags");
        for (int i = random.nextInt(4); i > 0; i--) {
            tags.add(text(random, random.nextInt(10)));
        }
        ObjectNode customer = o.putObject("customer");
        customer.put("name", text(random, random.nextInt(20)));
        if (random.nextBoolean()) {
            customer.put("vip", random.nextBoolean());
        }
        switch (random.nextInt(3)) {
            case 0 -> o.put("note", text(random, random.nextInt(40)));
            case 1 -> o.putNull("note");
            default -> {}
        }
        return o;
    }

    /** Breaks {@code o} in one random way; returns the instance path the error must name. */
    private static String mutate(Random random, ObjectNode o) {
        switch (random.nextInt(7)) {
            case 0 -> {
                o.remove(REQUIRED.get(random.nextInt(REQUIRED.size())));
                return "$";
            }
            case 1 -> {
                o.put("qty", String.valueOf(o.get("qty").intValue()));
                return "$.qty";
            }
            case 2 -> {
                o.put("price", "$" + o.get("price").decimalValue());
                return "$.price";
            }
            case 3 -> {
                o.put("status", "lost");
                return "$.status";
            }
            case 4 -> {
                o.withArray("tags").add(random.nextInt(100));
                return "$.tags[" + (o.get("tags").size() - 1) + "]";
            }
            case 5 -> {
                ((ObjectNode) o.get("customer")).remove("name");
                return "$.customer";
            }
            default -> {
                o.put("extra_" + random.nextInt(10), true);
                return "$";
            }
        }
    }

    /** {@code order} as an answer: bare, in a fence, or between prose, compact or pretty. */
    private static String wrap(Random random, JsonNode order) throws Exception {
        String json = random.nextBoolean()
                ? JSON.writeValueAsString(order)
                : JSON.writerWithDefaultPrettyPrinter().writeValueAsString(order);
        String before = prose(random);
        String after = prose(random);
        String wrapped = switch (random.nextInt(5)) {
            case 0 -> json;
            case 1 -> before + "\n```json\n" + json + "\n```\n" + after;
            case 2 -> before + "\n```\n" + json + "\n```" + after;
            case 3 -> before + " " + json + " " + after;
            default -> before + "\n````markdown\n```json\n" + json + "\n```\n````\n" + after;
        };
        return random.nextInt(10) == 0 ? "\uFEFF" + wrapped : wrapped;
    }

    private static String prose(Random random) {
        StringBuilder sb = new StringBuilder();
        for (int i = random.nextInt(4); i > 0; i--) {
            sb.append(PROSE.get(random.nextInt(PROSE.size()))).append(random.nextBoolean() ? " " : "\n");
        }
        return sb.toString();
    }

    private static String text(Random random, int length) {
        StringBuilder sb = new StringBuilder(length);
        int[] cps = CHARS.codePoints().toArray();
        for (int i = 0; i < length; i++) {
            sb.appendCodePoint(cps[random.nextInt(cps.length)]);
        }
        return sb.toString();
    }
}
