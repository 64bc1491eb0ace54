package io.harborai.worker.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.Message;
import io.harborai.worker.avro.Params;
import io.harborai.worker.avro.ResponseFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OpenAiJsonTest {

    static JsonNode json(String text) {
        return OpenAiJson.parse(text, "test");
    }

    static final String FULL_BODY = """
      {"model":"deepseek-chat","stream":true,"stream_options":{"include_usage":true},
       "messages":[
         {"role":"system","content":"你是一个乐于助人的助手。"},
         {"role":"user","name":"alice","content":[{"type":"text","text":"描述这张图"},
                                   {"type":"image_url","image_url":{"url":"https://x/y.png"}}]},
         {"role":"assistant","content":null,"reasoning_content":"先想一想",
          "tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{}"}}]},
         {"role":"tool","tool_call_id":"call_1","content":"42"}],
       "temperature":0.7,"top_p":0.9,"max_tokens":256,"max_completion_tokens":300,"stop":"END",
       "seed":12345678901,"presence_penalty":0.1,"frequency_penalty":-0.2,"n":2,"logprobs":true,
       "top_logprobs":3,"logit_bias":{"50256":-100},"user":"u-1",
       "response_format":{"type":"json_schema","json_schema":{"name":"answer","strict":true,
          "schema":{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]}}},
       "tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}],
       "tool_choice":"auto","parallel_tool_calls":false,"reasoning_effort":"high",
       "thinking":{"type":"enabled"},"metadata":{"k":"v"}}
      """;

    @Test
    void shouldMapEveryKnownFieldAndKeepUnknownFieldsAsExtras() {
        ChatRequest req = OpenAiJson.fromBody(json(FULL_BODY)).setId("r1").build();

        assertThat(req.getModel()).isEqualTo("deepseek-chat");
        List<Message> m = req.getMessages();
        assertThat(m.get(0).getContent()).isEqualTo("你是一个乐于助人的助手。");
        assertThat(m.get(1).getName()).isEqualTo("alice");
        assertThat(m.get(1).getContent()).isNull();
        assertThat(json(m.get(1).getContentPartsJson())
                        .get(1)
                        .path("image_url")
                        .path("url")
                        .asText())
                .isEqualTo("https://x/y.png");
        assertThat(m.get(2).getReasoningContent()).isEqualTo("先想一想");
        assertThat(json(m.get(2).getToolCallsJson()).get(0).path("id").asText()).isEqualTo("call_1");
        assertThat(m.get(3).getToolCallId()).isEqualTo("call_1");

        Params p = req.getParams();
        assertThat(p.getTemperature()).isEqualTo(0.7);
        assertThat(p.getTopP()).isEqualTo(0.9);
        assertThat(p.getMaxTokens()).isEqualTo(256);
        assertThat(p.getMaxCompletionTokens()).isEqualTo(300);
        assertThat(p.getStop()).containsExactly("END");
        assertThat(p.getSeed()).isEqualTo(12345678901L);
        assertThat(p.getPresencePenalty()).isEqualTo(0.1);
        assertThat(p.getFrequencyPenalty()).isEqualTo(-0.2);
        assertThat(p.getN()).isEqualTo(2);
        assertThat(p.getLogprobs()).isTrue();
        assertThat(p.getTopLogprobs()).isEqualTo(3);
        assertThat(json(p.getLogitBiasJson()).path("50256").asInt()).isEqualTo(-100);
        assertThat(p.getUser()).isEqualTo("u-1");
        ResponseFormat rf = p.getResponseFormat();
        assertThat(rf.getType()).isEqualTo("json_schema");
        assertThat(rf.getJsonSchemaName()).isEqualTo("answer");
        assertThat(rf.getStrict()).isTrue();
        assertThat(json(rf.getJsonSchemaJson()).path("required").get(0).asText())
                .isEqualTo("a");
        assertThat(json(p.getToolsJson()).get(0).path("function").path("name").asText())
                .isEqualTo("f");
        assertThat(p.getToolChoiceJson()).isEqualTo("\"auto\"");
        assertThat(p.getParallelToolCalls()).isFalse();
        assertThat(p.getReasoningEffort()).isEqualTo("high");
        assertThat(json(p.getExtraJson()))
                .isEqualTo(json("{\"thinking\":{\"type\":\"enabled\"},\"metadata\":{\"k\":\"v\"}}"));
    }

    @Test
    void shouldRebuildTheProviderBodyWithoutStreamingAndWithoutNulls() {
        ChatRequest req = OpenAiJson.fromBody(json(FULL_BODY)).setId("r1").build();

        ObjectNode body = OpenAiJson.toBody(req, null);

        JsonNode expected = json(FULL_BODY);
        ((ObjectNode) expected).remove(List.of("stream", "stream_options"));
        ((ObjectNode) expected).putArray("stop").add("END"); // a string stop comes back as an array
        ((ObjectNode) expected.path("messages").get(2)).remove("content"); // null omitted
        assertThat(body).isEqualTo(expected);
    }

    @Test
    void shouldSendTheOverrideModelAndLetTypedFieldsWinOverExtras() {
        ChatRequest req = minimal();
        req.getParams().setTemperature(0.5);
        req.getParams().setExtraJson("{\"temperature\":2,\"model\":\"evil\",\"stream\":true,\"top_k\":5}");

        ObjectNode body = OpenAiJson.toBody(req, "fallback-model");

        assertThat(body.path("model").asText()).isEqualTo("fallback-model");
        assertThat(body.path("temperature").asDouble()).isEqualTo(0.5);
        assertThat(body.path("top_k").asInt()).isEqualTo(5);
        assertThat(body.has("stream")).isFalse();
        assertThat(body.has("stop")).isFalse();
        assertThat(body.has("response_format")).isFalse();
    }

    @Test
    void shouldRebuildJsonSchemaResponseFormatFromAvroFields() {
        ChatRequest req = minimal();
        req.getParams()
                .setResponseFormat(ResponseFormat.newBuilder()
                        .setType("json_schema")
                        .setJsonSchemaName("person")
                        .setJsonSchemaJson("{\"type\":\"object\"}")
                        .setStrict(true)
                        .build());

        assertThat(OpenAiJson.toBody(req, null).get("response_format"))
                .isEqualTo(json("{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"person\","
                        + "\"schema\":{\"type\":\"object\"},\"strict\":true}}"));
    }

    static ChatRequest minimal() {
        return OpenAiJson.fromBody(json("{\"model\":\"a\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .setId("r1")
                .build();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "[]",
                "\"text\"",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
                "{\"model\":7,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
                "{\"model\":\"m\"}",
                "{\"model\":\"m\",\"messages\":{}}",
                "{\"model\":\"m\",\"messages\":[]}",
                "{\"model\":\"m\",\"messages\":[{\"content\":\"x\"}]}",
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":5}]}",
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"temperature\":\"hot\"}",
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":1.5}",
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stop\":[1]}",
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tools\":{}}",
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"response_format\":{}}"
            })
    void shouldRejectMalformedBodiesWithAClearMessage(String body) {
        assertThatThrownBy(() -> OpenAiJson.fromBody(json(body)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageMatching(".*'?[a-z_\\[\\]0-9.]+'? .*(must|required).*");
    }

    @Test
    void shouldNameTheFieldWhenStoredJsonTextIsInvalid() {
        ChatRequest req = minimal();
        req.getParams().setToolsJson("[{");

        assertThatThrownBy(() -> OpenAiJson.toBody(req, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("tools_json is not valid JSON");
    }

    @Test
    void shouldPreserveEveryFieldThroughToBodyAndBackForRandomRequests() {
        Random rnd = new Random(42);
        for (int i = 0; i < 500; i++) {
            ChatRequest original = randomRequest(rnd, "r" + i);

            ChatRequest back = OpenAiJson.fromBody(OpenAiJson.toBody(original, null))
                    .setId(original.getId())
                    .build();

            assertThat(back).as("request %d", i).isEqualTo(original);
        }
    }

    private static final String[] TEXTS = {"hello", "你好，世界！请用中文回答。", "emoji 🚀 and \"quotes\"\n", "", "日本語とEnglish混合"};

    private static ChatRequest randomRequest(Random rnd, String id) {
        List<Message> messages = new ArrayList<>();
        int count = 1 + rnd.nextInt(4);
        for (int i = 0; i < count; i++) {
            Message.Builder m = Message.newBuilder().setRole(rnd.nextBoolean() ? "user" : "assistant");
            if (rnd.nextInt(4) == 0) {
                m.setContentPartsJson("[{\"type\":\"text\",\"text\":\"" + rnd.nextInt(100) + "\"}]");
            } else if (rnd.nextInt(5) > 0) {
                m.setContent(pick(rnd));
            }
            if (rnd.nextBoolean()) {
                m.setName("n" + rnd.nextInt(9));
            }
            if (rnd.nextInt(4) == 0) {
                m.setToolCallsJson("[{\"id\":\"c1\",\"type\":\"function\"}]").setToolCallId("c0");
            }
            if (rnd.nextInt(4) == 0) {
                m.setReasoningContent(pick(rnd));
            }
            messages.add(m.build());
        }
        Params.Builder p = Params.newBuilder();
        if (rnd.nextBoolean()) p.setTemperature(rnd.nextInt(200) / 100.0);
        if (rnd.nextBoolean()) p.setTopP(rnd.nextDouble());
        if (rnd.nextBoolean()) p.setMaxTokens(rnd.nextInt(4096));
        if (rnd.nextBoolean()) p.setMaxCompletionTokens(rnd.nextInt(4096));
        if (rnd.nextBoolean()) p.setStop(List.of(pick(rnd), "STOP"));
        if (rnd.nextBoolean()) p.setSeed(rnd.nextLong());
        if (rnd.nextBoolean()) p.setPresencePenalty(-1.0);
        if (rnd.nextBoolean()) p.setFrequencyPenalty(0.25);
        if (rnd.nextBoolean()) p.setN(1 + rnd.nextInt(3));
        if (rnd.nextBoolean()) p.setLogprobs(rnd.nextBoolean());
        if (rnd.nextBoolean()) p.setTopLogprobs(rnd.nextInt(5));
        if (rnd.nextBoolean()) p.setLogitBiasJson("{\"1\":10}");
        if (rnd.nextBoolean()) p.setUser(pick(rnd));
        if (rnd.nextBoolean()) {
            p.setResponseFormat(
                    rnd.nextBoolean()
                            ? ResponseFormat.newBuilder().setType("json_object").build()
                            : ResponseFormat.newBuilder()
                                    .setType("json_schema")
                                    .setJsonSchemaName("s")
                                    .setJsonSchemaJson("{\"type\":\"object\",\"title\":\"名字\"}")
                                    .setStrict(rnd.nextBoolean())
                                    .build());
        }
        if (rnd.nextBoolean()) p.setToolsJson("[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}]");
        if (rnd.nextBoolean()) {
            p.setToolChoiceJson(rnd.nextBoolean() ? "\"required\"" : "{\"type\":\"function\"}");
        }
        if (rnd.nextBoolean()) p.setParallelToolCalls(rnd.nextBoolean());
        if (rnd.nextBoolean()) p.setReasoningEffort("low");
        if (rnd.nextBoolean()) p.setExtraJson("{\"enable_thinking\":true,\"备注\":\"中文\"}");
        return ChatRequest.newBuilder()
                .setId(id)
                .setModel(rnd.nextBoolean() ? "deepseek-chat" : "gpt-4o-mini")
                .setMessages(messages)
                .setParams(p.build())
                .build();
    }

    private static String pick(Random rnd) {
        return TEXTS[rnd.nextInt(TEXTS.length)];
    }
}
