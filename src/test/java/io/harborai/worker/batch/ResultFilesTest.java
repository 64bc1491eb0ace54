package io.harborai.worker.batch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The ids of a batch's output and error files, and telling them from uploads. */
class ResultFilesTest {
    @Test
    void shouldNameAndParseABatchsTwoFiles() {
        assertThat(ResultFiles.id("batch_ab12", false)).isEqualTo("file-batch_ab12-output");
        assertThat(ResultFiles.parse("file-batch_ab12-output")).contains(new ResultFiles.Ref("batch_ab12", false));
        assertThat(ResultFiles.parse(ResultFiles.id("my-cli-batch", true)))
                .as("a harbor submit batch id may hold dashes")
                .contains(new ResultFiles.Ref("my-cli-batch", true));
        assertThat(ResultFiles.parse("file-3-120-0123456789abcdef")).isEmpty();
        assertThat(UploadedFiles.isUploadId("file-3-120-0123456789abcdef")).isTrue();
        assertThat(UploadedFiles.isUploadId("file-batch_ab12-output")).isFalse();
    }
}
