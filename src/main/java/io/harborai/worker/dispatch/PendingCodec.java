package io.harborai.worker.dispatch;

import io.harborai.worker.avro.PendingRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * Bytes of a {@link PendingRequest} in the {@code pending} state store: one format byte, then plain
 * Avro binary.
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
    private static final SpecificDatumWriter<PendingRequest> WRITER = new SpecificDatumWriter<>(PendingRequest.class);
    private static final SpecificDatumReader<PendingRequest> READER = new SpecificDatumReader<>(PendingRequest.class);

    private PendingCodec() {}

    public static byte[] encode(PendingRequest p) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        out.write(FORMAT_V1);
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
        if (bytes == null || bytes.length < 2 || bytes[0] != FORMAT_V1) {
            throw new IllegalStateException("pending store entry has an unknown format");
        }
        BinaryDecoder dec = DecoderFactory.get().binaryDecoder(bytes, 1, bytes.length - 1, null);
        try {
            return READER.read(null, dec);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("pending store entry is undecodable: " + e.getMessage(), e);
        }
    }
}
