package io.harborai.worker.structured;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JsonExtractorTest {

    private static String extracted(String content) {
        Optional<JsonNode> node = JsonExtractor.extract(content);
        assertThat(node).as("extracted from %s", content).isPresent();
        return node.get().toString();
    }

    @Test
    void shouldTakeTheWholeContentWhenItIsJson() {
        assertThat(extracted("  {\"a\": 1, \"b\": [true, null]}\n")).isEqualTo("{\"a\":1,\"b\":[true,null]}");
        assertThat(extracted("[1, 2, 3]")).isEqualTo("[1,2,3]");
    }

    @Test
    void shouldStripAByteOrderMark() {
        assertThat(extracted("\uFEFF{\"a\":1}")).isEqualTo("{\"a\":1}");
    }

    @Test
    void shouldKeepTheDigitsOfDecimals() {
        assertThat(extracted("{\"price\": 0.10}")).isEqualTo("{\"price\":0.10}");
    }

    @Test
    void shouldTakeAJsonFencedBlock() {
        String content = "Here you go:\n```json\n{\"name\": \"Ann\"}\n```\nAnything else?";
        assertThat(extracted(content)).isEqualTo("{\"name\":\"Ann\"}");
    }

    @Test
    void shouldTakeABareFenceAndIgnoreOtherLanguages() {
        String content = "```python\nprint({'x': 1})\n```\nand\n```\n{\"y\": 2}\n```";
        assertThat(extracted(content)).isEqualTo("{\"y\":2}");
    }

    @Test
    void shouldFindAJsonFenceNestedInAnOuterFence() {
        String content = "````markdown\nExample:\n```json\n{\"inner\": true}\n```\n````";
        assertThat(extracted(content)).isEqualTo("{\"inner\":true}");
    }

    @Test
    void shouldSkipAFenceThatDoesNotParseAndTakeTheNextOne() {
        String content = "```json\n{\"a\": 1,,}\n```\nfixed:\n```JSON\n{\"a\": 1}\n```";
        assertThat(extracted(content)).isEqualTo("{\"a\":1}");
    }

    @Test
    void shouldTakeAnUnclosedFenceToTheEnd() {
        assertThat(extracted("```json\n{\"a\": [1, 2]}")).isEqualTo("{\"a\":[1,2]}");
    }

    @Test
    void shouldFindJsonBetweenLeadingAndTrailingProse() {
        assertThat(extracted("Sure! The result is {\"ok\": true} — hope that helps."))
                .isEqualTo("{\"ok\":true}");
        assertThat(extracted("Numbers: [1, 2] done")).isEqualTo("[1,2]");
    }

    @Test
    void shouldIgnoreBracesAndQuotesInsideStrings() {
        String content = "Answer: {\"text\": \"a } brace, a \\\" quote and a { brace\", \"n\": {\"m\": [\"]\"]}} end }";
        assertThat(extracted(content))
                .isEqualTo("{\"text\":\"a } brace, a \\\" quote and a { brace\",\"n\":{\"m\":[\"]\"]}}");
    }

    @Test
    void shouldSkipBrokenJsonAndTakeTheNextGoodOne() {
        assertThat(extracted("First try {\"a\": tru} then {\"a\": true}")).isEqualTo("{\"a\":true}");
        assertThat(extracted("Use {braces} like this: {\"x\": 1}")).isEqualTo("{\"x\":1}");
    }

    @Test
    void shouldHandleCjkText() {
        String content = "以下是结果：\n{\"名前\": \"山田太郎\", \"年齢\": 30}\n以上です。";
        assertThat(JsonExtractor.extract(content))
                .get()
                .satisfies(n -> assertThat(n.get("名前").asText()).isEqualTo("山田太郎"));
    }

    @Test
    void shouldFindNothingInProseScalarsOrEmptyContent() {
        assertThat(JsonExtractor.extract(null)).isEmpty();
        assertThat(JsonExtractor.extract("")).isEmpty();
        assertThat(JsonExtractor.extract("  \n\t")).isEmpty();
        assertThat(JsonExtractor.extract("I cannot help with that.")).isEmpty();
        assertThat(JsonExtractor.extract("42")).isEmpty();
        assertThat(JsonExtractor.extract("\"just a string\"")).isEmpty();
        assertThat(JsonExtractor.extract("{unbalanced [ ) }")).isEmpty();
        assertThat(JsonExtractor.extract("```json\nnot json\n```")).isEmpty();
    }

    @Test
    void shouldStopAfterTheCandidateLimit() {
        String many = "{x} ".repeat(JsonExtractor.MAX_CANDIDATES) + "{\"late\": 1}";
        assertThat(JsonExtractor.extract(many)).isEmpty();
        String fewer = "{x} ".repeat(JsonExtractor.MAX_CANDIDATES - 1) + "{\"late\": 1}";
        assertThat(extracted(fewer)).isEqualTo("{\"late\":1}");
    }

    @Test
    void shouldNotThrowOnPathologicalInput() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        assertThat(JsonExtractor.extract(deep)).isEmpty();
        assertThat(JsonExtractor.extract("{\"a\": \"unterminated")).isEmpty();
        assertThat(JsonExtractor.extract("```")).isEmpty();
        assertThat(JsonExtractor.extract("\\")).isEmpty();
    }
}
