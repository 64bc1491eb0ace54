package io.harborai.worker.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class BatchLineTest {
    private final ObjectMapper json = new ObjectMapper();

    private BatchLine parse(String text) {
        return BatchLine.parse(json, 7, text, "b1");
    }

    @Test
    void shouldTurnAValidLineIntoARequestWithAStableId() {
        BatchLine line = parse("""
            {"custom_id":"c-1","method":"POST","url":"/v1/chat/completions",
             "body":{"model":"deepseek-chat","messages":[{"role":"user","content":"你好"}],"temperature":0.3}}""");
        assertThat(line).isInstanceOfSatisfying(BatchLine.Valid.class, v -> {
            assertThat(v.request().getId()).isEqualTo("b1:7");
            assertThat(v.request().getBatchId()).isEqualTo("b1");
            assertThat(v.request().getCustomId()).isEqualTo("c-1");
            assertThat(v.request().getModel()).isEqualTo("deepseek-chat");
            assertThat(v.request().getMessages().get(0).getContent()).isEqualTo("你好");
            assertThat(v.request().getParams().getTemperature()).isEqualTo(0.3);
        });
    }

    @Test
    void shouldExplainEachKindOfBadLine() {
        assertThat(code(parse("{not json"))).isEqualTo("invalid_json");
        assertThat(code(parse("[1,2]"))).isEqualTo("invalid_json");
        assertThat(code(parse("{\"method\":\"POST\"}"))).isEqualTo("missing_custom_id");
        assertThat(code(parse("{\"custom_id\":\"a\",\"method\":\"GET\",\"url\":\"/v1/chat/completions\"}")))
                .isEqualTo("invalid_method");
        assertThat(code(parse("{\"custom_id\":\"a\",\"method\":\"POST\",\"url\":\"/v1/embeddings\"}")))
                .isEqualTo("invalid_url");
        assertThat(code(parse(
                        "{\"custom_id\":\"a\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{}}")))
                .isEqualTo("invalid_body");
        assertThat(((BatchLine.Invalid) parse("{oops")).message()).startsWith("line 7:");
    }

    @Test
    void shouldNameRequestsByBatchIdAndPhysicalLineNumber() {
        assertThat(BatchLine.requestId("batch_x", 12)).isEqualTo("batch_x:12");
        assertThat(BatchLine.lineNumberOf("batch_x", "batch_x:12")).isEqualTo(12);
        assertThat(BatchLine.lineNumberOf("batch_x", "batch_y:12")).isEqualTo(-1);
        assertThat(BatchLine.lineNumberOf("batch_x", "batch_x:c-1")).isEqualTo(-1);
        assertThat(BatchLine.lineNumberOf("batch_x", "batch_x:")).isEqualTo(-1);
        assertThat(BatchLine.lineNumberOf("b", "b:1:2")).isEqualTo(-1);
    }

    @Test
    void shouldAnswerAnInvalidLineWithAFailedResultOfItsOwn() {
        BatchLine.Invalid bad = (BatchLine.Invalid) parse(
                "{\"custom_id\":\"a\",\"method\":\"POST\",\"url\":\"/v1/embeddings\",\"body\":{\"model\":\"m1\"}}");
        var r = bad.toResult("b1", "m1", 123);
        assertThat(r.getId()).isEqualTo("b1:7");
        assertThat(r.getBatchId()).isEqualTo("b1");
        assertThat(r.getCustomId()).isEqualTo("a");
        assertThat(r.getStatus()).isEqualTo(io.harborai.worker.avro.ResultStatus.FAILED);
        assertThat(r.getModelRequested()).isEqualTo("m1");
        assertThat(r.getError().getCode()).isEqualTo("invalid_url");
        assertThat(r.getError().getMessage()).startsWith("line 7:");
        assertThat(r.getCompletedAtMs()).isEqualTo(123);
        assertThat(BatchLine.modelOf(json, "{\"body\":{\"model\":\"m2\"}}")).isEqualTo("m2");
        assertThat(BatchLine.modelOf(json, "{\"body\":{\"model\":3}}")).isEmpty();
        assertThat(BatchLine.modelOf(json, "{oops")).isEmpty();
        assertThat(BatchLine.modelOf(json, "[]")).isEmpty();
    }

    @Test
    void shouldRememberCustomIdsByHash() {
        CustomIdSet set = new CustomIdSet(10);
        assertThat(set.add("c-1")).isTrue();
        assertThat(set.add("c-2")).isTrue();
        assertThat(set.add("c-1")).isFalse();
        assertThat(set.add("C-1")).isTrue();
        // First 8 bytes of SHA-256("abc") = ba7816bf8f01cfea, as a big-endian long.
        assertThat(set.hash("abc")).isEqualTo(0xba7816bf8f01cfeaL);
        assertThatThrownBy(() -> new CustomIdSet(1L << 31)).hasMessageContaining("too many lines");
    }

    private static String code(BatchLine line) {
        assertThat(line).isInstanceOf(BatchLine.Invalid.class);
        return ((BatchLine.Invalid) line).code();
    }
}
