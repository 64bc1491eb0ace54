package io.harborai.worker.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.harborai.worker.avro.ChatResponse;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.ErrorInfo;
import io.harborai.worker.avro.ResultStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recovery of collect's files after a kill: torn last line, done-set rebuilt from OUT and ERR. */
class CollectFileTest {
    private final ObjectMapper json = new ObjectMapper();
    private final BatchOutput output = new BatchOutput(json);

    @TempDir
    Path dir;

    @Test
    void shouldCutATornLastLineAndKeepCompleteOnes() throws IOException {
        Path f = dir.resolve("out.jsonl");
        String complete = line(1, true) + "\n" + line(2, true) + "\n";
        Files.writeString(f, complete + "{\"id\":\"b:3\",\"custom_", StandardCharsets.UTF_8);
        assertThat(CollectFile.truncateToLastCompleteLine(f)).isEqualTo("{\"id\":\"b:3\",\"custom_".length());
        assertThat(Files.readString(f)).isEqualTo(complete);
        assertThat(CollectFile.truncateToLastCompleteLine(f)).isZero();
        assertThat(Files.readString(f)).isEqualTo(complete);
    }

    @Test
    void shouldCutAFileWithoutAnyNewlineToEmptyAndIgnoreMissingFiles() throws IOException {
        Path f = dir.resolve("out.jsonl");
        Files.writeString(f, "x".repeat(20_000)); // longer than one read buffer
        assertThat(CollectFile.truncateToLastCompleteLine(f)).isEqualTo(20_000);
        assertThat(Files.size(f)).isZero();
        assertThat(CollectFile.truncateToLastCompleteLine(dir.resolve("absent.jsonl")))
                .isZero();
    }

    @Test
    void shouldFindTheLastNewlineAcrossReadBuffers() throws IOException {
        Path f = dir.resolve("out.jsonl");
        String head = "y".repeat(9000) + "\n";
        Files.writeString(f, head + "z".repeat(9000));
        assertThat(CollectFile.truncateToLastCompleteLine(f)).isEqualTo(9000);
        assertThat(Files.readString(f)).isEqualTo(head);
    }

    @Test
    void shouldRebuildTheDoneSetAndCountsFromOutAndErr() throws IOException {
        Path out = dir.resolve("out.jsonl");
        Path err = dir.resolve("err.jsonl");
        Files.writeString(out, line(1, true) + "\n" + line(4, true) + "\n" + line(4, true) + "\n");
        Files.writeString(err, line(2, false) + "\n" + providerError(7) + "\n");
        BitSet done = new BitSet();
        CollectFile.Recovered o = CollectFile.scan(out, "b", done, json);
        CollectFile.Recovered e = CollectFile.scan(err, "b", done, json);
        assertThat(o).isEqualTo(new CollectFile.Recovered(2, 0));
        assertThat(e).isEqualTo(new CollectFile.Recovered(2, 2));
        assertThat(done.stream().boxed().toList()).containsExactly(1, 2, 4, 7);
    }

    @Test
    void shouldRefuseAFileOfAnotherBatchOrNotJson() throws IOException {
        Path other = dir.resolve("other.jsonl");
        Files.writeString(other, line(1, true).replace("\"b:1\"", "\"c:1\"") + "\n");
        assertThatThrownBy(() -> CollectFile.scan(other, "b", new BitSet(), json))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("not a line of batch b");
        Path junk = dir.resolve("junk.jsonl");
        Files.writeString(junk, "hello\n");
        assertThatThrownBy(() -> CollectFile.scan(junk, "b", new BitSet(), json))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("line 1 is not JSON");
    }

    @Test
    void shouldAppendAfterRecoveryAndLockTheFile() throws IOException {
        Path out = dir.resolve("out.jsonl");
        Files.writeString(out, line(1, true) + "\n{\"id\":\"b:2\"");
        CollectFile.truncateToLastCompleteLine(out);
        try (CollectFile f = CollectFile.openForAppend(out)) {
            f.append(line(2, true));
            f.sync();
            assertThatThrownBy(() -> CollectFile.openForAppend(out)).isInstanceOf(Exception.class);
        }
        BitSet done = new BitSet();
        assertThat(CollectFile.scan(out, "b", done, json).lines()).isEqualTo(2);
    }

    @Test
    void shouldTrustCommittedOffsetsOnlyForTheSameFilesHoldingAtLeastTheCommittedLines() {
        String key = CollectOffsets.filesKey(dir.resolve("out.jsonl"), null);
        String other = CollectOffsets.filesKey(dir.resolve("out.jsonl"), dir.resolve("err.jsonl"));
        var c = new OffsetAndMetadata(10, CollectOffsets.metadata(key, 500));
        assertThat(CollectOffsets.trusted(c, key, 500)).isTrue();
        assertThat(CollectOffsets.trusted(c, key, 499)).as("files lost lines").isFalse();
        assertThat(CollectOffsets.trusted(c, other, 900)).as("other files").isFalse();
        assertThat(CollectOffsets.trusted(new OffsetAndMetadata(10, ""), key, 900))
                .isFalse();
    }

    private String line(int n, boolean ok) {
        ChatResult r = result(n, ok ? ResultStatus.SUCCEEDED : ResultStatus.FAILED);
        if (!ok) {
            r.setError(new ErrorInfo("TIMEOUT", "too slow", null, false));
        }
        return output.forResult(r, r.getId());
    }

    private String providerError(int n) {
        ChatResult r = result(n, ResultStatus.FAILED);
        r.setError(new ErrorInfo("PROVIDER_REJECTED", "bad", 400, false));
        return output.forResult(r, r.getId());
    }

    private static ChatResult result(int n, ResultStatus status) {
        return ChatResult.newBuilder()
                .setId("b:" + n)
                .setBatchId("b")
                .setCustomId("c-" + n)
                .setStatus(status)
                .setModelRequested("m")
                .setResponse(
                        status == ResultStatus.SUCCEEDED
                                ? ChatResponse.newBuilder().setContent("hi").build()
                                : null)
                .build();
    }
}
