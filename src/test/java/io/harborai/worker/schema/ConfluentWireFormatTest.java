package io.harborai.worker.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.harborai.worker.avro.CacheControl;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.Message;
import io.harborai.worker.avro.Params;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

/**
 * Byte-level checks of the Confluent framing and of the Avro body the serde writes. The expected
 * bytes are derived by hand from the Avro 1.12 specification, not from the code under test.
 */
class ConfluentWireFormatTest {

    static final HexFormat HEX = HexFormat.of();

    /**
     * A small ChatRequest, field by field in schema order (ints and longs are zig-zag varints;
     * strings, arrays and maps are length/count-prefixed; unions start with the branch index):
     */
    static final String SMALL_REQUEST_HEX = String.join(
            "",
            "00",
            "00000102", // magic byte 0, schema id 258 as big-endian int32
            "047231", // id "r1": length 2 -> zigzag 4, 'r' '1'
            "00",
            "00",
            "00", // tenant, batch_id, custom_id: union branch 0 (null)
            "026d", // model "m"
            "00", // fallback_models: empty array (block count 0)
            "02", // messages: one block of 1 item (zigzag 2)
            "0875736572", //   role "user"
            "02" + "046869", //   content: branch 1 (string), "hi"
            "0000000000", //   content_parts_json .. reasoning_content: 5 nulls
            "00", // messages: end of array
            "0000", // params.temperature, top_p: null
            "02" + "ac02", // params.max_tokens: branch 1, 150 -> zigzag 300 -> ac 02
            "00", // params.max_completion_tokens: null
            "00", // params.stop: empty array
            "02" + "05", // params.seed: branch 1, -3L -> zigzag 5
            "00000000000000000000000000", // presence_penalty .. extra_json: 13 nulls
            "00",
            "0000", // cache.mode DEFAULT (index 0), ttl/max_age null
            "02", // priority NORMAL (enum index 1)
            "00",
            "00", // deadline_ms, created_at_ms: null
            "02" + "026b" + "0276", // metadata: one block of 1 entry, "k" -> "v"
            "00"); // metadata: end of map

    static ChatRequest smallRequest() {
        return ChatRequest.newBuilder()
                .setId("r1")
                .setModel("m")
                .setMessages(List.of(
                        Message.newBuilder().setRole("user").setContent("hi").build()))
                .setParams(Params.newBuilder().setMaxTokens(150).setSeed(-3L).build())
                .setCache(CacheControl.newBuilder().build())
                .setMetadata(Map.of("k", "v"))
                .build();
    }

    @Test
    void shouldFrameWithMagicByteAndBigEndianSchemaId() {
        byte[] framed = ConfluentWireFormat.frame(258, new byte[] {(byte) 0xab});

        assertThat(HEX.formatHex(framed)).isEqualTo("0000000102ab");
        assertThat(ConfluentWireFormat.schemaId(framed)).isEqualTo(258);
        assertThat(ConfluentWireFormat.schemaId(HEX.parseHex("007fffffff"))).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void shouldWriteConfluentWireFormatByteForByte() throws Exception {
        try (MockWebServer registry = new MockWebServer()) {
            registry.enqueue(new MockResponse.Builder().body("{\"id\":258}").build());
            registry.start();
            AvroSerde<ChatRequest> serde = new AvroSerde<>(
                    new SchemaRegistryClient(
                            new OkHttpClient(), registry.url("/").toString()),
                    ChatRequest.class,
                    true);

            byte[] bytes = serde.serializer().serialize("chat-requests", smallRequest());

            assertThat(HEX.formatHex(bytes)).isEqualTo(SMALL_REQUEST_HEX);
            assertThat(registry.takeRequest().getUrl().encodedPath())
                    .isEqualTo("/subjects/chat-requests-value/versions");
        }
    }

    @Test
    void shouldReadTheHandDerivedBytesBackIntoTheSameRecord() throws Exception {
        try (MockWebServer registry = new MockWebServer()) {
            String schemaJson = new ObjectMapper()
                    .writeValueAsString(
                            Map.of("schema", ChatRequest.getClassSchema().toString()));
            registry.enqueue(new MockResponse.Builder().body(schemaJson).build());
            registry.start();
            AvroSerde<ChatRequest> serde = new AvroSerde<>(
                    new SchemaRegistryClient(
                            new OkHttpClient(), registry.url("/").toString()),
                    ChatRequest.class,
                    true);

            ChatRequest read = serde.deserializer().deserialize("chat-requests", HEX.parseHex(SMALL_REQUEST_HEX));

            assertThat(read).isEqualTo(smallRequest());
            assertThat(registry.takeRequest().getUrl().encodedPath()).isEqualTo("/schemas/ids/258");
        }
    }
}
