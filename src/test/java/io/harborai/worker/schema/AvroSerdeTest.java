package io.harborai.worker.schema;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harborai.worker.avro.CacheControl;
import io.harborai.worker.avro.CacheMode;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.Message;
import io.harborai.worker.avro.Params;
import io.harborai.worker.avro.Priority;
import io.harborai.worker.avro.ResponseFormat;
import io.harborai.worker.embedded.InProcessSchemaRegistry;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.OkHttpClient;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.errors.SerializationException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The serde against the in-process registry: round trips, evolution, and each failure reason. */
class AvroSerdeTest {

    static InProcessSchemaRegistry registry;
    SchemaRegistryClient client;
    AvroSerde<ChatRequest> serde;
    String topic;

    @BeforeAll
    static void startRegistry() {
        registry = InProcessSchemaRegistry.start(0);
    }

    @AfterAll
    static void stopRegistry() {
        registry.close();
    }

    @BeforeEach
    void newSerde() {
        client = SchemaRegistryClient.create(registry.url());
        serde = new AvroSerde<>(client, ChatRequest.class, true);
        topic = "chat-requests-" + UUID.randomUUID();
    }

    static ChatRequest fullRequest() {
        return ChatRequest.newBuilder()
                .setId("req-中文-1")
                .setTenant("租户A")
                .setBatchId("batch-7")
                .setCustomId("自定义-42")
                .setModel("qwen-max")
                .setFallbackModels(List.of("deepseek-chat", "glm-4"))
                .setMessages(List.of(
                        Message.newBuilder()
                                .setRole("system")
                                .setContent("你是一个乐于助人的助手。")
                                .build(),
                        Message.newBuilder()
                                .setRole("user")
                                .setContent("请用一句话介绍长城 🧱。")
                                .setName("小明")
                                .build(),
                        Message.newBuilder()
                                .setRole("assistant")
                                .setToolCallsJson("[{\"id\":\"c1\",\"type\":\"function\"}]")
                                .setReasoningContent("先想一想……")
                                .build()))
                .setParams(Params.newBuilder()
                        .setTemperature(0.7)
                        .setTopP(0.9)
                        .setMaxTokens(512)
                        .setStop(List.of("。", "\n"))
                        .setSeed(-1234567890123L)
                        .setLogprobs(true)
                        .setTopLogprobs(3)
                        .setResponseFormat(ResponseFormat.newBuilder()
                                .setType("json_schema")
                                .setJsonSchemaName("回答")
                                .setJsonSchemaJson("{\"type\":\"object\"}")
                                .setStrict(true)
                                .build())
                        .setExtraJson("{\"enable_search\":true}")
                        .build())
                .setCache(CacheControl.newBuilder()
                        .setMode(CacheMode.NO_STORE)
                        .setTtlSeconds(60)
                        .build())
                .setPriority(Priority.HIGH)
                .setDeadlineMs(1_760_000_000_000L)
                .setCreatedAtMs(1_759_999_999_000L)
                .setMetadata(Map.of("来源", "网页", "trace", "abc"))
                .build();
    }

    byte[] serialize(ChatRequest request) {
        return serde.serializer().serialize(topic, request);
    }

    ChatRequest deserialize(byte[] bytes) {
        return serde.deserializer().deserialize(topic, bytes);
    }

    @Test
    void shouldRoundTripAFullChatRequestWithChineseText() {
        byte[] bytes = serialize(fullRequest());

        assertThat(deserialize(bytes)).isEqualTo(fullRequest());
        assertThat(client.getVersion(topic + "-value", "latest").id()).isEqualTo(ConfluentWireFormat.schemaId(bytes));
    }

    @Test
    void shouldRegisterKeysUnderTheKeySubject() {
        AvroSerde<ChatRequest> keys = AvroSerde.forKeys(client, ChatRequest.class, true);

        keys.serializer().serialize(topic, fullRequest());

        assertThat(keys.subject(topic)).isEqualTo(topic + "-key");
        assertThat(client.versions(topic + "-key")).containsExactly(1);
    }

    @Test
    void shouldOnlyLookUpTheSchemaWhenAutoRegisterIsOff() {
        AvroSerde<ChatRequest> strict = new AvroSerde<>(client, ChatRequest.class, false);

        assertThatThrownBy(() -> strict.serializer().serialize(topic, fullRequest()))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("not registered");
        int id = client.register(topic + "-value", ChatRequest.getClassSchema());

        byte[] bytes = strict.serializer().serialize(topic, fullRequest());
        assertThat(ConfluentWireFormat.schemaId(bytes)).isEqualTo(id);
    }

    @Test
    void shouldSerializeNullAsATombstone() {
        assertThat(serialize(null)).isNull();
    }

    @Test
    void shouldReadDataWrittenWithAnOlderSchemaByFillingDefaults() throws Exception {
        Schema older = withFields(fields -> fields.remove(fields.size() - 1)); // drop "metadata"
        GenericRecord written = project(fullRequest(), older);

        ChatRequest read = deserialize(frame(older, written));

        ChatRequest expected =
                ChatRequest.newBuilder(fullRequest()).setMetadata(Map.of()).build();
        assertThat(read).isEqualTo(expected);
    }

    @Test
    void shouldReadDataWrittenWithANewerSchemaBySkippingUnknownFields() throws Exception {
        Schema newer = withFields(fields ->
                fields.addObject().put("name", "region").put("type", "string").put("default", "cn-north"));
        GenericRecord written = project(fullRequest(), newer);
        written.put("region", "cn-east-上海");

        assertThat(deserialize(frame(newer, written))).isEqualTo(fullRequest());
    }

    @Test
    void shouldIgnoreTrailingBytesAfterTheAvroBody() {
        byte[] bytes = serialize(fullRequest());
        byte[] padded = Arrays.copyOf(bytes, bytes.length + 3);

        assertThat(deserialize(padded)).isEqualTo(fullRequest());
    }

    @Test
    void shouldAskTheRegistryOncePerTopicAndOncePerSchemaId() {
        int[] calls = new int[1];
        SchemaRegistryClient counting = new SchemaRegistryClient(
                new OkHttpClient.Builder()
                        .addInterceptor(chain -> {
                            calls[0]++;
                            return chain.proceed(chain.request());
                        })
                        .build(),
                registry.url());
        AvroSerde<ChatRequest> fresh = new AvroSerde<>(counting, ChatRequest.class, true);

        for (int i = 0; i < 3; i++) {
            fresh.deserializer().deserialize(topic, fresh.serializer().serialize(topic, fullRequest()));
        }

        assertThat(calls[0]).as("one register, one schema fetch").isEqualTo(2);
    }

    // ---- every WireFormatException reason, from the input that should produce it ----

    @Test
    void shouldReportNullOrEmptyForNullAndZeroBytes() {
        assertReason(() -> deserialize(null), WireFormatException.Reason.NULL_OR_EMPTY);
        assertReason(() -> deserialize(new byte[0]), WireFormatException.Reason.NULL_OR_EMPTY);
    }

    @Test
    void shouldReportBadMagicByteForPlainJson() {
        assertReason(() -> deserialize("{\"id\":\"r1\"}".getBytes(UTF_8)), WireFormatException.Reason.BAD_MAGIC_BYTE);
        assertReason(() -> deserialize(new byte[] {1}), WireFormatException.Reason.BAD_MAGIC_BYTE);
    }

    @Test
    void shouldReportTooShortForAnIncompleteHeader() {
        assertReason(() -> deserialize(new byte[] {0}), WireFormatException.Reason.TOO_SHORT);
        assertReason(() -> deserialize(new byte[] {0, 0, 0, 1}), WireFormatException.Reason.TOO_SHORT);
    }

    @Test
    void shouldReportUnknownSchemaIdWhenTheRegistryAnswers404() {
        byte[] bytes = ConfluentWireFormat.frame(424_242, new byte[] {2, 0x61});

        WireFormatException e = assertReason(() -> deserialize(bytes), WireFormatException.Reason.UNKNOWN_SCHEMA_ID);
        assertThat(e.schemaId()).hasValue(424_242);
    }

    @Test
    void shouldReportRegistryUnavailableWhenTheRegistryCannotBeReached() {
        InProcessSchemaRegistry gone = InProcessSchemaRegistry.start(0);
        String url = gone.url();
        gone.close();
        AvroSerde<ChatRequest> orphan = new AvroSerde<>(SchemaRegistryClient.create(url), ChatRequest.class, true);
        byte[] bytes = serialize(fullRequest());

        assertReason(
                () -> orphan.deserializer().deserialize(topic, bytes), WireFormatException.Reason.REGISTRY_UNAVAILABLE);
    }

    @Test
    void shouldReportRegistryUnavailableWhenTheRegistryAnswers5xx() throws Exception {
        try (MockWebServer failing = new MockWebServer()) {
            failing.enqueue(new MockResponse.Builder()
                    .code(503)
                    .body("{\"error_code\":50302,\"message\":\"forwarding failed\"}")
                    .build());
            failing.start();
            AvroSerde<ChatRequest> orphan =
                    new AvroSerde<>(SchemaRegistryClient.create(failing.url("/").toString()), ChatRequest.class, true);

            assertReason(
                    () -> orphan.deserializer().deserialize(topic, serialize(fullRequest())),
                    WireFormatException.Reason.REGISTRY_UNAVAILABLE);
        }
    }

    @Test
    void shouldReportUndecodableForATruncatedBody() {
        byte[] bytes = serialize(fullRequest());

        assertReason(() -> deserialize(Arrays.copyOf(bytes, bytes.length - 4)), WireFormatException.Reason.UNDECODABLE);
        assertReason(
                () -> deserialize(Arrays.copyOf(bytes, ConfluentWireFormat.HEADER_SIZE)),
                WireFormatException.Reason.UNDECODABLE);
    }

    @Test
    void shouldReportUndecodableForACorruptBody() {
        int id = ConfluentWireFormat.schemaId(serialize(fullRequest()));
        // id "r1", then tenant with union branch 4 (zigzag 08): the union has only two branches.
        byte[] corrupt = ConfluentWireFormat.frame(id, new byte[] {0x04, 0x72, 0x31, 0x08});

        assertReason(() -> deserialize(corrupt), WireFormatException.Reason.UNDECODABLE);
    }

    @Test
    void shouldReportUndecodableWhenTheWriterSchemaCannotBeResolvedToTheReader() {
        Schema unrelated = SchemaRegistryClientContract.V1;
        int id = client.register("unrelated-" + UUID.randomUUID(), unrelated);
        byte[] bytes = ConfluentWireFormat.frame(id, new byte[] {0x04, 0x68, 0x69});

        assertReason(() -> deserialize(bytes), WireFormatException.Reason.UNDECODABLE);
    }

    static WireFormatException assertReason(ThrowingCallable call, WireFormatException.Reason reason) {
        Throwable thrown = catchThrowable(call);
        assertThat(thrown).isInstanceOf(WireFormatException.class).isInstanceOf(SerializationException.class);
        WireFormatException e = (WireFormatException) thrown;
        assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason);
        return e;
    }

    // ---- evolution helpers ----

    /** ChatRequest's schema with its top-level field list edited. */
    static Schema withFields(Consumer<ArrayNode> edit) throws Exception {
        ObjectNode root = (ObjectNode)
                new ObjectMapper().readTree(ChatRequest.getClassSchema().toString());
        edit.accept((ArrayNode) root.get("fields"));
        return new Schema.Parser().parse(root.toString());
    }

    /** The request as a generic record of {@code schema}, via Avro's own schema resolution. */
    static GenericRecord project(ChatRequest request, Schema schema) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<>(ChatRequest.class).write(request, encoder);
        encoder.flush();
        return new GenericDatumReader<GenericRecord>(ChatRequest.getClassSchema(), schema)
                .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
    }

    /** Registers {@code schema} under a scratch subject and frames {@code record} with its id. */
    byte[] frame(Schema schema, GenericRecord record) throws Exception {
        int id = client.register("writer-" + UUID.randomUUID() + "-value", schema);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
        encoder.flush();
        return ConfluentWireFormat.frame(id, out.toByteArray());
    }
}
