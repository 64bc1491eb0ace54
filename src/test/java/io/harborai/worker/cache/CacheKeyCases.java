package io.harborai.worker.cache;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.harborai.worker.avro.CacheControl;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.Message;
import io.harborai.worker.avro.Params;
import io.harborai.worker.avro.ResponseFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * Shared set-up of the {@link CacheKey} property tests ({@link CacheKeyCanonicalJsonTest},
 * {@link CacheKeyFieldsTest}, {@link CacheKeyFormatTest}): each property is checked on {@value #RUNS}
 * random requests. Every failure message names the case seed; {@code new RandomChatRequests(seed).request()}
 * (plus the named mutation, see {@link CacheKeyMutations}, which continues with the same Random) rebuilds
 * the failing case. The base seed is fixed so the build is reproducible; {@code -Dcachekey.seed=N}
 * explores other cases.
 */
final class CacheKeyCases {
    private CacheKeyCases() {}

    static final int RUNS = 500;
    static final long BASE_SEED = Long.getLong("cachekey.seed", 0x5eed_cace_4b1dL);
    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();
    static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    static final List<String> ROLES = List.of("system", "developer", "user", "assistant", "tool");

    static final List<String> JSON_FIELDS = List.of(
            "messages[].content_parts_json",
            "messages[].tool_calls_json",
            "logit_bias_json",
            "json_schema_json",
            "tools_json",
            "tool_choice_json",
            "extra_json");

    /** Sets one JSON-text field (on the first message, or in params / response_format). */
    static BiFunction<ChatRequest, String, ChatRequest> jsonField(String field) {
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

    static ChatRequest simple() {
        return ChatRequest.newBuilder()
                .setId("x")
                .setModel("m")
                .setMessages(List.of(
                        Message.newBuilder().setRole("user").setContent("hi").build()))
                .setParams(Params.newBuilder().build())
                .setCache(CacheControl.newBuilder().build())
                .build();
    }

    static ChatRequest with(ChatRequest q, Consumer<ChatRequest.Builder> change) {
        ChatRequest.Builder b = ChatRequest.newBuilder(q);
        change.accept(b);
        return b.build();
    }

    static ChatRequest withParams(ChatRequest q, Consumer<Params.Builder> change) {
        Params.Builder p = Params.newBuilder(q.getParams());
        change.accept(p);
        return with(q, b -> b.setParams(p.build()));
    }

    static ChatRequest withFirstMessage(ChatRequest q, Consumer<Message.Builder> change) {
        List<Message> messages = new ArrayList<>(q.getMessages());
        Message.Builder m = Message.newBuilder(messages.get(0));
        change.accept(m);
        messages.set(0, m.build());
        return with(q, b -> b.setMessages(messages));
    }

    static String word(Random r) {
        return Long.toString(r.nextLong() & 0xffffffL, 36);
    }

    static String abbreviate(String s) {
        return s == null || s.length() <= 40 ? s : s.substring(0, 40) + "...(" + s.length() + " chars)";
    }

    /** Runs the property for {@value #RUNS} case seeds drawn from the base seed. */
    static void forAll(LongConsumer property) {
        Random seeds = new Random(BASE_SEED);
        for (int i = 0; i < RUNS; i++) {
            property.accept(seeds.nextLong());
        }
    }
}
