package io.harborai.worker.dispatch;

import io.harborai.worker.avro.PendingRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * Bytes of a {@link PendingRequest} in the {@code pending} state store: one format byte, then plain
 * Avro binary. Format 2 added {@code reply_to}; format 1 bytes (written before it, still in a store,
 * its changelog or the cache-key repartition topic during an upgrade) are read with the format 1
 * schema, which is today's without that field.
 *
 * <p>Why not the Confluent-framed {@code AvroSerde}: the store and its changelog are internal to
 * this application (no other reader), so a registry lookup would only add a way for restore to fail
 * when the registry is down, and a subject per store. The format byte leaves room to change the
 * layout; a worker that finds an unknown format fails loudly rather than guessing.
 *
 * <p>The store holds bytes (not objects) so the processor encodes each request once and uses the
 * length for the in-flight byte cap. Thread-safe: stateless apart from thread-confined buffers.
 */
public final class PendingCodec {
    static final byte FORMAT_V1 = 1;
    static final byte FORMAT_V2 = 2;
    /** Format 1's schema: format 2's without {@code reply_to}. */
    static final Schema SCHEMA_V1 = withoutField(PendingRequest.getClassSchema(), "reply_to");

    private static final SpecificDatumWriter<PendingRequest> WRITER = new SpecificDatumWriter<>(PendingRequest.class);
    private static final SpecificDatumReader<PendingRequest> READER = new SpecificDatumReader<>(PendingRequest.class);
    private static final SpecificDatumReader<PendingRequest> READER_V1 =
            new SpecificDatumReader<>(SCHEMA_V1, PendingRequest.getClassSchema());

    private PendingCodec() {}

    static Schema withoutField(Schema record, String field) {
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : record.getFields()) {
            if (!f.name().equals(field)) {
                fields.add(new Schema.Field(f, f.schema()));
            }
        }
        return Schema.createRecord(record.getName(), record.getDoc(), record.getNamespace(), false, fields);
    }

    public static byte[] encode(PendingRequest p) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        out.write(FORMAT_V2);
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        try {
            WRITER.write(p, enc);
            enc.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** @throws IllegalStateException for an unknown format byte or undecodable bytes */
    public static PendingRequest decode(byte[] bytes) {
        if (bytes == null || bytes.length < 2 || (bytes[0] != FORMAT_V1 && bytes[0] != FORMAT_V2)) {
            throw new IllegalStateException("pending store entry has an unknown format");
        }
        BinaryDecoder dec = DecoderFactory.get().binaryDecoder(bytes, 1, bytes.length - 1, null);
        try {
            return (bytes[0] == FORMAT_V1 ? READER_V1 : READER).read(null, dec);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("pending store entry is undecodable: " + e.getMessage(), e);
        }
    }
}
