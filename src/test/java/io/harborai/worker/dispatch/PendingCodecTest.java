package io.harborai.worker.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.harborai.worker.avro.PendingRequest;
import io.harborai.worker.avro.ReplyTo;
import java.io.ByteArrayOutputStream;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.junit.jupiter.api.Test;

/** The pending store's bytes: format 2 round-trips, format 1 (before reply_to) still reads. */
class PendingCodecTest {
    private static PendingRequest entry(ReplyTo replyTo) {
        return new PendingRequest(EngineFixtures.request("r1", "m", "hi"), 1_700_000_000_000L, 0, 2, replyTo);
    }

    @Test
    void shouldRoundTripAnEntryWithItsReplyTarget() {
        PendingRequest p = entry(new ReplyTo("harbor.replies", 4));

        byte[] bytes = PendingCodec.encode(p);

        assertThat(bytes[0]).isEqualTo(PendingCodec.FORMAT_V2);
        assertThat(PendingCodec.decode(bytes)).isEqualTo(p);
    }

    @Test
    void shouldReadAFormatOneEntryWrittenBeforeReplyTargets() throws Exception {
        PendingRequest p = entry(null);
        // What a worker of the previous version wrote: format byte 1, the schema without reply_to.
        GenericRecord old = new GenericData.Record(PendingCodec.SCHEMA_V1);
        for (var f : PendingCodec.SCHEMA_V1.getFields()) {
            old.put(f.name(), SpecificData.get().deepCopy(f.schema(), p.get(f.name())));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(PendingCodec.FORMAT_V1);
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(PendingCodec.SCHEMA_V1).write(old, enc);
        enc.flush();

        PendingRequest read = PendingCodec.decode(out.toByteArray());

        assertThat(read).isEqualTo(p);
        assertThat(read.getReplyTo()).isNull();
    }

    @Test
    void shouldRefuseAnUnknownFormat() {
        byte[] bytes = PendingCodec.encode(entry(null));
        bytes[0] = 9;

        assertThatThrownBy(() -> PendingCodec.decode(bytes)).hasMessageContaining("unknown format");
    }
}
