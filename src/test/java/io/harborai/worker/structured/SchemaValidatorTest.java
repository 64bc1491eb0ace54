package io.harborai.worker.structured;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SchemaValidatorTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static final String PERSON = """
            {
              "type": "object",
              "required": ["name", "age", "address"],
              "additionalProperties": false,
              "properties": {
                "name": {"type": "string", "minLength": 1},
                "age": {"type": "integer", "minimum": 0},
                "color": {"enum": ["red", "green", "blue"]},
                "born": {"type": "string", "format": "date"},
                "address": {"$ref": "#/$defs/address"}
              },
              "$defs": {
                "address": {
                  "type": "object",
                  "required": ["city"],
                  "properties": {"city": {"type": "string"}, "zip": {"type": "string", "pattern": "^[0-9]{5}$"}}
                }
              }
            }""";

    private final SchemaValidator validator = new SchemaValidator(8);

    private List<String> errors(String schema, String instance) throws Exception {
        return validator.validate(schema, JSON.readTree(instance));
    }

    @Test
    void shouldAcceptAValidInstance() throws Exception {
        assertThat(errors(PERSON, """
                {"name": "Ann", "age": 41, "color": "red", "born": "1984-02-29",
                 "address": {"city": "Oslo", "zip": "01234"}}""")).isEmpty();
    }

    @Test
    void shouldReportTypeErrorsWithTheirInstancePath() throws Exception {
        assertThat(errors(PERSON, "{\"name\": \"Ann\", \"age\": \"41\", \"address\": {\"city\": \"Oslo\"}}"))
                .containsExactly("$.age: string found, integer expected");
    }

    @Test
    void shouldReportMissingRequiredEnumAndNestedRefErrors() throws Exception {
        List<String> errors =
                errors(PERSON, "{\"age\": -1, \"color\": \"pink\", \"extra\": 1, \"address\": {\"zip\": \"12\"}}");
        assertThat(errors).anyMatch(e -> e.startsWith("$: ") && e.contains("'name'"));
        assertThat(errors).anyMatch(e -> e.startsWith("$.age: ") && e.contains("0"));
        assertThat(errors).anyMatch(e -> e.startsWith("$.color: ") && e.contains("enumeration"));
        assertThat(errors).anyMatch(e -> e.startsWith("$: ") && e.contains("extra"));
        assertThat(errors).anyMatch(e -> e.startsWith("$.address: ") && e.contains("'city'"));
        assertThat(errors).anyMatch(e -> e.startsWith("$.address.zip: "));
    }

    @Test
    void shouldAssertKnownFormatsAndIgnoreUnknownOnes() throws Exception {
        assertThat(errors(
                        PERSON,
                        "{\"name\": \"A\", \"age\": 1, \"born\": \"last tuesday\", \"address\": {\"city\": \"X\"}}"))
                .singleElement()
                .asString()
                .startsWith("$.born: ");
        assertThat(errors("{\"type\": \"string\", \"format\": \"no-such-format\"}", "\"x\""))
                .isEmpty();
    }

    @Test
    void shouldBoundTheNumberOfErrors() throws Exception {
        String schema = "{\"type\": \"array\", \"items\": {\"type\": \"string\"}}";
        String instance = "[" + "1,".repeat(99) + "1]";
        assertThat(errors(schema, instance))
                .hasSize(SchemaValidator.MAX_ERRORS)
                .first()
                .isEqualTo("$[0]: integer found, string expected");
    }

    @Test
    void shouldStopAValidationThatTakesTooManySteps() throws Exception {
        String schema = "{\"type\": \"array\", \"items\": {\"type\": \"integer\", \"minimum\": 0}}";
        String huge = "[" + "1,".repeat((int) SchemaValidator.MAX_EVALUATION_STEPS) + "1]";
        assertThat(errors(schema, huge))
                .singleElement()
                .asString()
                .startsWith("$: validation stopped after " + SchemaValidator.MAX_EVALUATION_STEPS + " steps");
    }

    @Test
    void shouldDefaultToDraft202012AndHonourDollarSchema() throws Exception {
        // prefixItems exists only since 2020-12; in draft 7 it is an unknown keyword.
        String prefix = "{\"prefixItems\": [{\"type\": \"string\"}]}";
        assertThat(errors(prefix, "[1]")).containsExactly("$[0]: integer found, string expected");
        String draft7 =
                "{\"$schema\": \"http://json-schema.org/draft-07/schema#\", \"prefixItems\": [{\"type\": \"string\"}]}";
        assertThat(errors(draft7, "[1]")).isEmpty();
        // Array-form items is draft 7 tuple validation and invalid in 2020-12.
        String tuple7 =
                "{\"$schema\": \"http://json-schema.org/draft-07/schema#\", \"items\": [{\"type\": \"string\"}]}";
        assertThat(errors(tuple7, "[1]")).containsExactly("$[0]: integer found, string expected");
        assertThatThrownBy(() -> errors("{\"items\": [{\"type\": \"string\"}]}", "[1]"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldRejectInvalidSchemasWithAClearMessage() {
        for (String bad : List.of(
                "not json",
                "[1, 2]",
                "{\"type\": \"bogus\"}",
                "{\"minLength\": \"x\"}",
                "{\"pattern\": \"([a-z\"}",
                "{\"$schema\": \"https://example.com/unknown\"}",
                "",
                "   ")) {
            assertThatThrownBy(() -> errors(bad, "{}"), bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("invalid JSON Schema: ");
        }
        assertThatThrownBy(() -> errors("{\"type\": \"bogus\"}", "{}")).hasMessageContaining("$.type");
    }

    @Test
    void shouldRejectARefThatDoesNotResolveInsideTheSchema() {
        assertThatThrownBy(() -> errors("{\"$ref\": \"#/$defs/missing\"}", "{}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("/$defs/missing");
    }

    @Test
    void shouldRejectTheSameInvalidSchemaEveryTime() {
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> errors("{\"type\": 7}", "{}")).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void shouldRefuseRemoteRefsWithoutTouchingTheNetwork() throws Exception {
        AtomicInteger hits = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            hits.incrementAndGet();
            byte[] body = "{\"type\": \"string\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/name.json";
            String whole = "{\"$ref\": \"" + url + "\"}";
            String nested = "{\"type\": \"object\", \"properties\": {\"name\": {\"$ref\": \"" + url + "\"}}}";
            for (String schema : List.of(whole, nested)) {
                assertThatThrownBy(() -> errors(schema, "{\"name\": 1}"), schema)
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageStartingWith("invalid JSON Schema: ")
                        .hasMessageContaining("not allowed to be loaded");
            }
            assertThatThrownBy(() -> errors("{\"$ref\": \"file:///etc/hostname\"}", "1"))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(hits).hasValue(0);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void shouldBeUsableFromManyThreads() throws Exception {
        JsonNode good = JSON.readTree("{\"name\": \"A\", \"age\": 1, \"address\": {\"city\": \"X\"}}");
        JsonNode bad = JSON.readTree("{\"name\": \"A\", \"age\": 1.5, \"address\": {\"city\": \"X\"}}");
        List<Thread> threads = new java.util.ArrayList<>();
        AtomicInteger wrong = new AtomicInteger();
        for (int t = 0; t < 4; t++) {
            Thread thread = new Thread(() -> {
                for (int i = 0; i < 200; i++) {
                    if (!validator.validate(PERSON, good).isEmpty()
                            || validator.validate(PERSON, bad).size() != 1) {
                        wrong.incrementAndGet();
                    }
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(wrong).hasValue(0);
    }

    @Test
    void shouldRejectANonPositiveCacheSize() {
        assertThatThrownBy(() -> new SchemaValidator(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
