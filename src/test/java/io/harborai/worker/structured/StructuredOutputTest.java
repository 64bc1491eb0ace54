package io.harborai.worker.structured;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.harborai.worker.avro.CacheControl;
import io.harborai.worker.avro.CacheMode;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.Message;
import io.harborai.worker.avro.Params;
import io.harborai.worker.avro.Priority;
import io.harborai.worker.avro.ResponseFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class StructuredOutputTest {
    private final StructuredOutput structured = new StructuredOutput(new SchemaValidator(4));

    /** A request asking for {@code type}, with {@code schema} text (may be null). */
    static ChatRequest request(String type, String schema) {
        ResponseFormat rf = type == null
                ? null
                : ResponseFormat.newBuilder()
                        .setType(type)
                        .setJsonSchemaName(schema == null ? null : "person")
                        .setJsonSchemaJson(schema)
                        .setStrict(schema == null ? null : true)
                        .build();
        return ChatRequest.newBuilder()
                .setId("req-1")
                .setTenant("acme")
                .setBatchId("batch-7")
                .setCustomId("row-3")
                .setModel("sim-small")
                .setFallbackModels(List.of("sim-large"))
                .setMessages(List.of(
                        Message.newBuilder()
                                .setRole("system")
                                .setContent("You extract people.")
                                .build(),
                        Message.newBuilder()
                                .setRole("user")
                                .setContent("Ann, 41, lives in Oslo.")
                                .build()))
                .setParams(Params.newBuilder()
                        .setTemperature(0.2)
                        .setMaxTokens(300)
                        .setSeed(42L)
                        .setStop(List.of("###"))
                        .setResponseFormat(rf)
                        .build())
                .setCache(CacheControl.newBuilder()
                        .setMode(CacheMode.NO_STORE)
                        .setTtlSeconds(60)
                        .build())
                .setPriority(Priority.HIGH)
                .setDeadlineMs(1_900_000_000_000L)
                .setCreatedAtMs(1_800_000_000_000L)
                .setMetadata(Map.of("team", "search"))
                .build();
    }

    @Test
    void shouldWantJsonObjectAndJsonSchemaWithASchemaOnly() {
        assertThat(StructuredOutput.wanted(request("json_object", null))).isTrue();
        assertThat(StructuredOutput.wanted(request("json_schema", SchemaValidatorTest.PERSON)))
                .isTrue();
        assertThat(StructuredOutput.wanted(request("json_schema", null))).isFalse();
        assertThat(StructuredOutput.wanted(request("json_schema", "  "))).isFalse();
        assertThat(StructuredOutput.wanted(request("text", null))).isFalse();
        assertThat(StructuredOutput.wanted(request(null, null))).isFalse();
    }

    @Test
    void shouldAcceptAnyObjectForJsonObject() {
        Verdict v = structured.check(request("json_object", null), "Sure:\n```json\n{ \"anything\" : [1, 2] }\n```");
        assertThat(v).isEqualTo(Verdict.ok("{\"anything\":[1,2]}"));
    }

    @Test
    void shouldRejectArraysAndProseForJsonObject() {
        Verdict array = structured.check(request("json_object", null), "[1, 2]");
        assertThat(array.valid()).isFalse();
        assertThat(array.json()).isEqualTo("[1,2]");
        assertThat(array.errors()).singleElement().asString().contains("JSON object is required");

        Verdict prose = structured.check(request("json_object", null), "I'd rather not.");
        assertThat(prose).isEqualTo(Verdict.invalid(null, List.of(StructuredOutput.NO_JSON)));
        assertThat(structured.check(request("json_object", null), null).errors())
                .containsExactly(StructuredOutput.NO_JSON);
    }

    @Test
    void shouldValidateAgainstTheSchemaForJsonSchema() {
        ChatRequest r = request("json_schema", SchemaValidatorTest.PERSON);
        Verdict good = structured.check(r, "{\"name\": \"Ann\", \"age\": 41, \"address\": {\"city\": \"Oslo\"}}");
        assertThat(good.valid()).isTrue();
        assertThat(good.json()).isEqualTo("{\"name\":\"Ann\",\"age\":41,\"address\":{\"city\":\"Oslo\"}}");

        Verdict bad =
                structured.check(r, "Here: {\"name\": \"Ann\", \"age\": \"41\", \"address\": {\"city\": \"Oslo\"}}");
        assertThat(bad.valid()).isFalse();
        assertThat(bad.json()).isNotNull();
        assertThat(bad.errors()).containsExactly("$.age: string found, integer expected");

        assertThat(structured.check(r, "no idea").errors()).containsExactly(StructuredOutput.NO_JSON);
    }

    @Test
    void shouldFailCheckForAnInvalidSchemaOrAnUnstructuredRequest() {
        assertThatThrownBy(() -> structured.check(request("json_schema", "{\"type\": 5}"), "{}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid JSON Schema");
        assertThatThrownBy(() -> structured.check(request("text", null), "{}"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldKeepEverythingAndAppendExactlyTwoMessagesOnReask() {
        ChatRequest first = request("json_schema", SchemaValidatorTest.PERSON);
        ChatRequest firstCopy = ChatRequest.newBuilder(first).build();
        List<String> errors = List.of("$.age: string found, integer expected", "$: required property 'name' not found");

        ChatRequest second = StructuredOutput.reask(first, "{\"age\": \"41\"}", errors);

        assertThat(first).as("current is not modified").isEqualTo(firstCopy);
        List<Message> added = second.getMessages()
                .subList(first.getMessages().size(), second.getMessages().size());
        assertThat(second.getMessages())
                .hasSize(first.getMessages().size() + 2)
                .startsWith(first.getMessages().toArray(Message[]::new));
        assertThat(added.get(0))
                .isEqualTo(Message.newBuilder()
                        .setRole("assistant")
                        .setContent("{\"age\": \"41\"}")
                        .build());
        assertThat(added.get(1).getRole()).isEqualTo("user");
        assertThat(added.get(1).getContent())
                .contains(
                        "not valid",
                        "- $.age: string found, integer expected",
                        "- $: required property 'name' not found",
                        "Reply with only the corrected JSON");
        // Every other field is the same.
        assertThat(ChatRequest.newBuilder(second)
                        .setMessages(first.getMessages())
                        .build())
                .isEqualTo(first);

        ChatRequest third = StructuredOutput.reask(second, "{}", List.of("$: required property 'name' not found"));
        assertThat(third.getMessages())
                .hasSize(first.getMessages().size() + 4)
                .startsWith(second.getMessages().toArray(Message[]::new));
    }

    @Test
    void shouldBoundTheErrorsListedInAReask() {
        List<String> many = new ArrayList<>(
                IntStream.range(0, 30).mapToObj(i -> "$.f" + i + ": bad").toList());
        many.set(0, "$.long: " + "x".repeat(5_000) + "\nsecond line");
        String text = StructuredOutput.reask(request("json_object", null), "{}", many)
                .getMessages()
                .get(3)
                .getContent();
        assertThat(text).contains("- $.f9: bad", "(and 20 more)").doesNotContain("$.f10:", "second line\n");
        assertThat(text.lines()
                        .filter(l -> l.startsWith("- $.long"))
                        .findFirst()
                        .orElseThrow())
                .hasSize(2 + StructuredOutput.MAX_ERROR_CHARS);
        assertThat(text.length())
                .isLessThan(StructuredOutput.MAX_REASK_ERRORS * (StructuredOutput.MAX_ERROR_CHARS + 3) + 300);
    }

    @Test
    void shouldReaskWithoutErrorsOrAnswer() {
        ChatRequest r = StructuredOutput.reask(request("json_object", null), null, List.of());
        assertThat(r.getMessages().get(2).getContent()).isEmpty();
        assertThat(r.getMessages().get(3).getContent()).contains("Reply with only the corrected JSON");
    }

    @Test
    void shouldInsistThatAVerdictIsConsistent() {
        assertThatThrownBy(() -> new Verdict(true, "{}", List.of("x"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Verdict(false, null, List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Verdict(true, null, List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
