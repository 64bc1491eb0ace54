package io.harborai.worker.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.harborai.worker.provider.OpenAiJson;
import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SimulatorStructuredTest {
    static final String SCHEMA = """
      {"type": "object",
       "properties": {
         "title": {"type": "string"},
         "score": {"type": "integer", "minimum": 3},
         "mood": {"enum": ["happy", "sad"]},
         "kind": {"const": "review"},
         "tags": {"type": "array", "items": {"type": "string"}, "minItems": 2},
         "author": {"$ref": "#/$defs/person"},
         "rating": {"anyOf": [{"type": "number", "minimum": 0.5}, {"type": "null"}]}
       },
       "required": ["title", "score", "mood", "kind", "tags", "author", "rating"],
       "additionalProperties": false,
       "$defs": {"person": {"type": "object",
                            "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
                            "required": ["name", "age"], "additionalProperties": false}}}
      """;
    static final Pattern FENCE = Pattern.compile("```json\\n(.*?)\\n```", Pattern.DOTALL);

    SimulatorServer sim;
    final Schema validator = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
            .getSchema(SCHEMA, InputFormat.JSON);

    @AfterEach
    void stop() {
        if (sim != null) {
            sim.close();
        }
    }

    static JsonNode schema() {
        try {
            return OpenAiJson.MAPPER.readTree(SCHEMA);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static ObjectNode jsonSchemaBody(String userText) {
        ObjectNode body = SimHttp.body("gpt-4o", userText);
        ObjectNode rf = body.putObject("response_format").put("type", "json_schema");
        rf.putObject("json_schema").put("name", "review").put("strict", true).set("schema", schema());
        return body;
    }

    static ObjectNode instructedBody(String userText) {
        ObjectNode body = OpenAiJson.MAPPER.createObjectNode().put("model", "ernie-4.0-8k");
        body.putArray("messages")
                .add(OpenAiJson.MAPPER
                        .createObjectNode()
                        .put("role", "system")
                        .put(
                                "content",
                                "Answer with JSON matching this schema:\n```json\n" + SCHEMA.strip()
                                        + "\n```\nNo prose."))
                .addObject()
                .put("role", "user")
                .put("content", userText);
        return body;
    }

    boolean valid(String content) {
        try {
            OpenAiJson.MAPPER.readTree(content);
        } catch (IOException notJson) {
            return false;
        }
        return validator.validate(content, InputFormat.JSON).isEmpty();
    }

    @Test
    void shouldSpoilAboutTheConfiguredShareOfJsonAnswersAndKeepTheRestValid() {
        sim = SimulatorServer.start(SimulatorOptions.defaults().withInvalidJsonRate(0.3));
        int invalid = 0;
        int prose = 0;
        int unparseable = 0;
        int violations = 0;
        for (int i = 0; i < 300; i++) {
            String content = SimHttp.content(SimHttp.post(sim, jsonSchemaBody("review #" + i)));
            if (!valid(content)) {
                invalid++;
                if (!content.contains("{")) {
                    prose++;
                } else {
                    try {
                        OpenAiJson.MAPPER.readTree(content);
                        violations++;
                    } catch (IOException cut) {
                        unparseable++;
                    }
                }
            }
        }

        assertThat(invalid).isBetween(50, 130).isEqualTo((int) sim.invalidJsonAnswers());
        assertThat(SimHttp.json(SimHttp.get(sim, "/stats")).path("invalid_json").asInt())
                .isEqualTo(invalid);
        assertThat(prose).isPositive();
        assertThat(unparseable).isPositive();
        assertThat(violations).isPositive();
    }

    @Test
    void shouldLeavePlainTextCallsAloneWhateverTheRate() {
        sim = SimulatorServer.start(SimulatorOptions.defaults().withInvalidJsonRate(1.0));

        String content = SimHttp.content(SimHttp.post(sim, SimHttp.body("gpt-4o", "plain")));

        assertThat(content).startsWith("Simulated answer");
        assertThat(sim.invalidJsonAnswers()).isZero();
    }

    @Test
    void shouldAnswerIdenticalBodiesIdentically() {
        sim = SimulatorServer.start(SimulatorOptions.defaults());

        String a = SimHttp.content(SimHttp.post(sim, jsonSchemaBody("same")));
        String b = SimHttp.content(SimHttp.post(sim, jsonSchemaBody("same")));

        assertThat(a).isEqualTo(b);
        assertThat(valid(a)).isTrue();
    }

    @Test
    void shouldFollowAnInstructedSchemaAsBareJsonUnderJsonObject() {
        sim = SimulatorServer.start(SimulatorOptions.defaults().withDialect(SimulatorDialect.WENXIN));
        ObjectNode body = instructedBody("review this");
        body.putObject("response_format").put("type", "json_object");

        String content = SimHttp.content(SimHttp.post(sim, body));

        assertThat(valid(content)).as(content).isTrue();
    }

    @Test
    void shouldFollowAnInstructedSchemaWithProseAndAFencedBlockWithoutResponseFormat() {
        sim = SimulatorServer.start(SimulatorOptions.defaults());

        String content = SimHttp.content(SimHttp.post(sim, instructedBody("review this")));

        assertThat(valid(content)).isFalse();
        Matcher fenced = FENCE.matcher(content);
        assertThat(fenced.find()).as(content).isTrue();
        assertThat(content.substring(0, fenced.start()).strip()).isNotEmpty();
        assertThat(valid(fenced.group(1))).as(fenced.group(1)).isTrue();
    }

    @Test
    void shouldAnswerJsonObjectWithoutASchemaWithAnAnswerField() throws IOException {
        sim = SimulatorServer.start(SimulatorOptions.defaults());
        ObjectNode body = SimHttp.body("gpt-4o", "json please");
        body.putObject("response_format").put("type", "json_object");

        JsonNode value = OpenAiJson.MAPPER.readTree(SimHttp.content(SimHttp.post(sim, body)));

        assertThat(value.path("answer").asText()).startsWith("Simulated answer");
    }
}
