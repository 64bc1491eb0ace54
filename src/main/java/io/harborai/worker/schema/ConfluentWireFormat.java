package io.harborai.worker.schema;

import java.nio.ByteBuffer;

/**
 * The Confluent wire format: one magic byte {@code 0}, the schema id as a 4-byte big-endian int,
 * then the Avro binary body. Data framed here is readable by Confluent's own deserializers and
 * tooling, and the reverse.
 *
 * <p>Schema references and the newer header-based schema id formats are not supported.
 */
public final class ConfluentWireFormat {

    /** The only magic byte Confluent has defined. */
    public static final byte MAGIC_BYTE = 0;

    /** Magic byte plus the 4-byte schema id. */
    public static final int HEADER_SIZE = 5;

    private ConfluentWireFormat() {}

    /**
     * Reads the schema id from a framed payload.
     *
     * @throws WireFormatException with {@code NULL_OR_EMPTY}, {@code BAD_MAGIC_BYTE} or {@code
     *     TOO_SHORT}; the magic byte is checked before the length so that a short non-Confluent
     *     payload (a stray JSON {@code "{}"}) is reported as what it is
     */
    public static int schemaId(byte[] framed) {
        if (framed == null || framed.length == 0) {
            throw new WireFormatException(WireFormatException.Reason.NULL_OR_EMPTY, "no bytes");
        }
        if (framed[0] != MAGIC_BYTE) {
            throw new WireFormatException(
                    WireFormatException.Reason.BAD_MAGIC_BYTE,
                    String.format("first byte is 0x%02x, expected 0x00", framed[0] & 0xff));
        }
        if (framed.length < HEADER_SIZE) {
            throw new WireFormatException(
                    WireFormatException.Reason.TOO_SHORT,
                    framed.length + " bytes, the header alone needs " + HEADER_SIZE);
        }
        return ByteBuffer.wrap(framed, 1, 4).getInt();
    }

    /** Prepends the header for {@code schemaId} to an Avro binary body. */
    public static byte[] frame(int schemaId, byte[] avro) {
        return ByteBuffer.allocate(HEADER_SIZE + avro.length)
                .put(MAGIC_BYTE)
                .putInt(schemaId)
                .put(avro)
                .array();
    }
}
