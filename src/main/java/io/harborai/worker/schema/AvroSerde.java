package io.harborai.worker.schema;

import io.harborai.worker.schema.WireFormatException.Reason;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A Kafka serde for one generated Avro class in the Confluent wire format (see {@link
 * ConfluentWireFormat}), with schemas in a Confluent-compatible registry under the
 * TopicNameStrategy subject {@code <topic>-value} ({@code <topic>-key} via {@link #forKeys}).
 *
 * <p>Serializer: writes with the class's own schema. With {@code autoRegister} it registers that
 * schema under the subject (failing if the registry finds it incompatible); without, it only looks
 * it up, so a producer cannot evolve a subject by accident. The id is cached per topic after the
 * first record. A null record serializes to null (a tombstone). Registry or encoding failures throw
 * {@link SerializationException}.
 *
 * <p>Deserializer: reads the writer schema id from the header, fetches that schema (cached by the
 * client) and resolves it against the class's schema, so records written with an older or newer
 * compatible schema decode (defaults fill missing fields, unknown fields are skipped). Every
 * failure is a {@link WireFormatException} whose {@link WireFormatException#reason()} says why;
 * null or empty input is {@link Reason#NULL_OR_EMPTY} rather than a null record, because no topic
 * this worker reads carries tombstones. Bytes after the Avro body are ignored, as Confluent does.
 *
 * <p>Threading: thread-safe; one instance may serve every stream thread. The id and reader caches
 * are concurrent maps; Avro datum writers and readers are safe to share; encoders and decoders
 * hold buffers, so each call makes its own (a direct encoder and a byte-array decoder are a few
 * fields, cheaper than a thread-local). {@link #close()} does not close the shared client.
 *
 * @param <T> the generated class; its package must be in {@code
 *     org.apache.avro.SERIALIZABLE_PACKAGES}
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {

    private final SchemaRegistryClient client;
    private final Schema readerSchema;
    private final boolean autoRegister;
    private final String subjectSuffix;
    private final SpecificData model;
    private final SpecificDatumWriter<T> writer;
    private final Map<String, Integer> idsByTopic = new ConcurrentHashMap<>();
    private final Map<Integer, SpecificDatumReader<T>> readersById = new ConcurrentHashMap<>();
    private final Serializer<T> serializer = (topic, record) -> serialize(topic, record);
    private final Deserializer<T> deserializer = (topic, bytes) -> deserialize(bytes);

    /** A serde for record values: subject {@code <topic>-value}. */
    public AvroSerde(SchemaRegistryClient client, Class<T> type, boolean autoRegister) {
        this(client, type, autoRegister, "-value");
    }

    private AvroSerde(SchemaRegistryClient client, Class<T> type, boolean autoRegister, String subjectSuffix) {
        this.client = Objects.requireNonNull(client, "client");
        // The class's own model carries its logical-type conversions.
        this.model = SpecificData.getForClass(Objects.requireNonNull(type, "type"));
        this.readerSchema = model.getSchema(type);
        this.autoRegister = autoRegister;
        this.subjectSuffix = subjectSuffix;
        this.writer = new SpecificDatumWriter<>(readerSchema, model);
    }

    /** A serde for record keys: subject {@code <topic>-key}. */
    public static <T extends SpecificRecord> AvroSerde<T> forKeys(
            SchemaRegistryClient client, Class<T> type, boolean autoRegister) {
        return new AvroSerde<>(client, type, autoRegister, "-key");
    }

    /**
     * A serde for values of a topic that carries several record types: Confluent's
     * TopicRecordNameStrategy subject {@code <topic>-<full record name>}, so each type has its own
     * subject and compatibility history.
     */
    public static <T extends SpecificRecord> AvroSerde<T> forTopicRecordName(
            SchemaRegistryClient client, Class<T> type, boolean autoRegister) {
        String fullName = SpecificData.getForClass(type).getSchema(type).getFullName();
        return new AvroSerde<>(client, type, autoRegister, "-" + fullName);
    }

    /** The subject this serde uses for {@code topic}. */
    public String subject(String topic) {
        return topic + subjectSuffix;
    }

    @Override
    public Serializer<T> serializer() {
        return serializer;
    }

    @Override
    public Deserializer<T> deserializer() {
        return deserializer;
    }

    private byte[] serialize(String topic, T record) {
        if (record == null) {
            return null;
        }
        int id = schemaIdFor(topic);
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        out.write(ConfluentWireFormat.MAGIC_BYTE);
        out.write(id >>> 24);
        out.write(id >>> 16);
        out.write(id >>> 8);
        out.write(id);
        try {
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            writer.write(record, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            // A required field left null surfaces here as a NullPointerException from Avro.
            throw new SerializationException("cannot encode " + readerSchema.getFullName() + " for topic " + topic, e);
        }
        return out.toByteArray();
    }

    private int schemaIdFor(String topic) {
        Integer cached = idsByTopic.get(topic);
        if (cached != null) {
            return cached;
        }
        String subject = subject(topic);
        int id;
        try {
            id = autoRegister
                    ? client.register(subject, readerSchema)
                    : client.lookup(subject, readerSchema).id();
        } catch (SchemaRegistryException e) {
            throw new SerializationException(
                    (autoRegister ? "cannot register " : "schema is not registered: ") + readerSchema.getFullName()
                            + " under subject " + subject,
                    e);
        }
        idsByTopic.putIfAbsent(topic, id);
        return id;
    }

    private T deserialize(byte[] bytes) {
        int id = ConfluentWireFormat.schemaId(bytes);
        SpecificDatumReader<T> reader = readerFor(id);
        try {
            return reader.read(
                    null,
                    DecoderFactory.get()
                            .binaryDecoder(
                                    bytes,
                                    ConfluentWireFormat.HEADER_SIZE,
                                    bytes.length - ConfluentWireFormat.HEADER_SIZE,
                                    null));
        } catch (IOException | RuntimeException e) {
            // EOFException (truncated), AvroRuntimeException (bad union index, resolution failure),
            // and the odd IndexOutOfBounds from a corrupt length: all mean the body is not readable.
            throw new WireFormatException(
                    Reason.UNDECODABLE,
                    id,
                    "cannot decode " + (bytes.length - ConfluentWireFormat.HEADER_SIZE)
                            + " body bytes with schema id " + id + " as " + readerSchema.getFullName()
                            + ": " + e.getClass().getSimpleName(),
                    e);
        }
    }

    private SpecificDatumReader<T> readerFor(int id) {
        SpecificDatumReader<T> cached = readersById.get(id);
        if (cached != null) {
            return cached;
        }
        Schema writerSchema;
        try {
            writerSchema = client.getById(id);
        } catch (SchemaRegistryException e) {
            Reason reason = e.isNotFound() ? Reason.UNKNOWN_SCHEMA_ID : Reason.REGISTRY_UNAVAILABLE;
            throw new WireFormatException(reason, id, "schema id " + id + ": " + e.getMessage(), e);
        }
        SpecificDatumReader<T> reader = new SpecificDatumReader<>(writerSchema, readerSchema, model);
        SpecificDatumReader<T> raced = readersById.putIfAbsent(id, reader);
        return raced != null ? raced : reader;
    }
}
