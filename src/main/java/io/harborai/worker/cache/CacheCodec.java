package io.harborai.worker.cache;

import io.harborai.worker.avro.ChatResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * Bytes of a {@link CachedAnswer}, as held by both cache tiers: one format byte ({@value
 * #FORMAT_V1}), {@code storedAtMs} and {@code expiresAtMs} as 8-byte big-endian longs, then plain
 * Avro binary of the {@link ChatResult}.
 *
 * <p>Why this layout and not the Confluent-framed serde: the cache is private to the workers, so a
 * registry lookup would only add a way for a cache hit to fail; the format byte leaves room to
 * change the layout, and a reader that meets an unknown one rejects it (the caller then treats the
 * entry as a miss) rather than guessing. The two instants sit in a fixed header so they are the
 * same bytes in L1 and in Redis, and one encoding serves both tiers.
 *
 * <p>Thread-safe: stateless apart from thread-confined buffers (as {@code PendingCodec}).
 */
public final class CacheCodec {

    static final byte FORMAT_V1 = 1;
    /** Format byte plus two longs. */
    static final int HEADER_BYTES = 1 + Long.BYTES + Long.BYTES;

    private static final SpecificDatumWriter<ChatResult> WRITER = new SpecificDatumWriter<>(ChatResult.class);
    private static final SpecificDatumReader<ChatResult> READER = new SpecificDatumReader<>(ChatResult.class);

    private CacheCodec() {}

    public static byte[] encode(CachedAnswer cached) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        out.writeBytes(ByteBuffer.allocate(HEADER_BYTES)
                .put(FORMAT_V1)
                .putLong(cached.storedAtMs())
                .putLong(cached.expiresAtMs())
                .array());
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        try {
            WRITER.write(cached.answer(), enc);
            enc.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * @throws IllegalArgumentException for null, short or trailing bytes, an unknown format byte, or
     *     an undecodable body (the message never quotes the bytes)
     */
    public static CachedAnswer decode(byte[] bytes) {
        if (bytes == null || bytes.length <= HEADER_BYTES) {
            throw new IllegalArgumentException("cache entry is too short to be one");
        }
        if (bytes[0] != FORMAT_V1) {
            throw new IllegalArgumentException("cache entry has an unknown format " + bytes[0]);
        }
        ByteBuffer header = ByteBuffer.wrap(bytes, 1, HEADER_BYTES - 1);
        long storedAtMs = header.getLong();
        long expiresAtMs = header.getLong();
        BinaryDecoder dec = DecoderFactory.get().binaryDecoder(bytes, HEADER_BYTES, bytes.length - HEADER_BYTES, null);
        ChatResult answer;
        boolean trailing;
        try {
            answer = READER.read(null, dec);
            trailing = !dec.isEnd();
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(
                    "cache entry is undecodable: " + e.getClass().getSimpleName(), e);
        }
        if (trailing) {
            throw new IllegalArgumentException("cache entry has bytes after its answer");
        }
        return new CachedAnswer(answer, storedAtMs, expiresAtMs);
    }
}
