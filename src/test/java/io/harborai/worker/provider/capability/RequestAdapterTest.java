package io.harborai.worker.provider.capability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RequestAdapterTest {
    static final ObjectMapper M = new ObjectMapper();

    static ObjectNode body(String json) throws Exception {
        return (ObjectNode) M.readTree(json);
    }

    static ModelCapability cap(StructuredSupport s) {
        return ModelCapability.DEFAULT.toBuilder().structured(s).build();
    }

    static final String SCHEMA_REQ = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
            + "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"person\","
            + "\"schema\":{\"type\":\"object\",\"required\":[\"name\"]}}}}";

    @Test
    void shouldRemoveUnsupportedParamsWithoutChangingTheInput() throws Exception {
        ObjectNode in = body("{\"model\":\"m\",\"temperature\":1,\"logprobs\":true,\"seed\":3}");
        ModelCapability c = ModelCapability.DEFAULT.toBuilder()
                .unsupportedParams(Set.of("temperature", "logprobs"))
                .build();

        ObjectNode out = RequestAdapter.removeUnsupported(in, c);

        assertThat(out.toString()).isEqualTo("{\"model\":\"m\",\"seed\":3}");
        assertThat(in.has("temperature")).isTrue();
    }

    @Test
    void shouldRenameAndClampTheOutputBound() throws Exception {
        ModelCapability oSeries = ModelCapability.DEFAULT.toBuilder()
                .maxTokensParam("max_completion_tokens")
                .maxOutputTokens(1000)
                .build();

        assertThat(RequestAdapter.normalizeMaxTokens(body("{\"max_tokens\":5000}"), oSeries)
                        .toString())
                .isEqualTo("{\"max_completion_tokens\":1000}");
        assertThat(RequestAdapter.normalizeMaxTokens(body("{\"max_tokens\":5,\"max_completion_tokens\":7}"), oSeries)
                        .toString())
                .isEqualTo("{\"max_completion_tokens\":7}");
        assertThat(RequestAdapter.normalizeMaxTokens(body("{\"max_completion_tokens\":9}"), ModelCapability.DEFAULT)
                        .toString())
                .isEqualTo("{\"max_tokens\":9}");
        assertThat(RequestAdapter.normalizeMaxTokens(body("{\"max_tokens\":50}"), oSeries)
                        .toString())
                .isEqualTo("{\"max_completion_tokens\":50}");
    }

    @Test
    void shouldStripReasoningContentOnlyFromAssistantMessagesWhenRequired() throws Exception {
        ObjectNode in = body("{\"messages\":[{\"role\":\"assistant\",\"content\":\"a\",\"reasoning_content\":\"r\"}]}");
        ModelCapability strip =
                ModelCapability.DEFAULT.toBuilder().stripReasoningInput(true).build();

        assertThat(RequestAdapter.stripReasoningInput(in, strip)
                        .path("messages")
                        .path(0)
                        .has("reasoning_content"))
                .isFalse();
        assertThat(RequestAdapter.stripReasoningInput(in, ModelCapability.DEFAULT)
                        .path("messages")
                        .path(0)
                        .has("reasoning_content"))
                .isTrue();
    }

    @Test
    void shouldPassJsonSchemaThroughWhenSupported() throws Exception {
        ObjectNode in = body(SCHEMA_REQ);

        assertThat(RequestAdapter.applyStructured(in, cap(StructuredSupport.JSON_SCHEMA)))
                .isEqualTo(in);
    }

    @Test
    void shouldDowngradeJsonSchemaToJsonObjectWithAFencedInstruction() throws Exception {
        ObjectNode out = RequestAdapter.applyStructured(body(SCHEMA_REQ), cap(StructuredSupport.JSON_OBJECT));

        assertThat(out.path("response_format").toString()).isEqualTo("{\"type\":\"json_object\"}");
        assertThat(out.path("messages").size()).isEqualTo(2);
        assertThat(out.path("messages").path(0).path("role").asText()).isEqualTo("system");
        assertThat(out.path("messages").path(0).path("content").asText())
                .contains("\"person\"")
                .endsWith("```json\n{\"type\":\"object\",\"required\":[\"name\"]}\n```");
    }

    @Test
    void shouldAppendTheInstructionToAnExistingSystemMessageAndDropResponseFormatForNone() throws Exception {
        ObjectNode in = body(SCHEMA_REQ);
        ((com.fasterxml.jackson.databind.node.ArrayNode) in.get("messages"))
                .insert(0, M.createObjectNode().put("role", "system").put("content", "Be terse."));

        ObjectNode out = RequestAdapter.applyStructured(in, cap(StructuredSupport.NONE));

        assertThat(out.has("response_format")).isFalse();
        assertThat(out.path("messages").size()).isEqualTo(2);
        assertThat(out.path("messages").path(0).path("content").asText())
                .startsWith("Be terse.\n\nAnswer with a single JSON value")
                .contains("```json\n");
    }

    @Test
    void shouldAskForAJsonObjectInWordsWhenTheModelHasNoResponseFormat() throws Exception {
        ObjectNode out = RequestAdapter.applyStructured(
                body(
                        "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"response_format\":{\"type\":\"json_object\"}}"),
                cap(StructuredSupport.NONE));

        assertThat(out.has("response_format")).isFalse();
        assertThat(out.path("messages").path(0).path("content").asText())
                .isEqualTo(RequestAdapter.JSON_OBJECT_INSTRUCTION);
    }

    @Test
    void shouldRenameSystemToDeveloperForOSeries() throws Exception {
        ModelCapability o = CapabilityTable.builtIns().forModel("o1-2024-12-17");

        ObjectNode out = RequestAdapter.adapt(body("{\"messages\":[{\"role\":\"system\",\"content\":\"s\"}]}"), o);

        assertThat(out.path("messages").path(0).path("role").asText()).isEqualTo("developer");
    }
}
