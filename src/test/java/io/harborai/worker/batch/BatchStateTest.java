package io.harborai.worker.batch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.harborai.worker.avro.BatchControl;
import io.harborai.worker.avro.BatchProgress;
import io.harborai.worker.avro.BatchStatus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link BatchState#of}: OpenAI status names and request counts from BatchStatus + BatchProgress. */
class BatchStateTest {
    private static BatchStatus status(long total, long done, long submitted, long invalid, boolean complete) {
        return BatchStatus.newBuilder()
                .setBatchId("b1")
                .setTotalLines(total)
                .setLinesDone(done)
                .setSubmitted(submitted)
                .setInvalid(invalid)
                .setSubmitComplete(complete)
                .setResultsStartOffsets(Map.of())
                .setCreatedAtMs(1)
                .setUpdatedAtMs(2)
                .build();
    }

    private static BatchProgress progress(String task, long completed, long failed) {
        return BatchProgress.newBuilder()
                .setBatchId("b1")
                .setTask(task)
                .setCompleted(completed)
                .setFailed(failed)
                .setUpdatedAtMs(3)
                .build();
    }

    @Test
    void shouldBeValidatingUntilSubmitCompletesEvenIfResultsArrive() {
        BatchState s = BatchState.of(status(100, 40, 39, 1, false), List.of(progress("0_0", 30, 0)));
        assertThat(s.status()).isEqualTo("validating");
        assertThat(s.completed()).isEqualTo(30);
        assertThat(s.failed()).isEqualTo(1);
        assertThat(s.line())
                .isEqualTo(
                        "b1: validating  total 100  completed 30  failed 1  (submitting: 40/100 lines handled, submitted 39, invalid 1)");
    }

    @Test
    void shouldSumProgressOverTasksAndCountInvalidLinesAsFailed() {
        BatchState s =
                BatchState.of(status(100, 100, 90, 10, true), List.of(progress("0_0", 30, 1), progress("0_1", 31, 2)));
        assertThat(s.status()).isEqualTo("in_progress");
        assertThat(s.total()).isEqualTo(100);
        assertThat(s.completed()).isEqualTo(61);
        assertThat(s.failed()).isEqualTo(13);
        assertThat(s.line())
                .isEqualTo("b1: in_progress  total 100  completed 61  failed 13  (submitted 90, invalid 10)");
    }

    @Test
    void shouldBeCompletedWhenEveryLineHasAResult() {
        assertThat(BatchState.of(status(100, 100, 90, 10, true), List.of(progress("0_0", 88, 2)))
                        .status())
                .isEqualTo("completed");
        assertThat(BatchState.of(status(100, 100, 90, 10, true), List.of(progress("0_0", 88, 1)))
                        .status())
                .isEqualTo("in_progress");
        assertThat(BatchState.of(status(5, 5, 0, 5, true), List.of()).status())
                .as("all lines invalid: nothing for the workers to do")
                .isEqualTo("completed");
        assertThat(BatchState.of(status(0, 0, 0, 0, true), List.of()).status()).isEqualTo("completed");
    }

    @Test
    void shouldRenderTheOpenAiBatchObject() {
        BatchState s = BatchState.of(status(100, 100, 90, 10, true), List.of(progress("0_0", 61, 2)));
        var node = s.json(new ObjectMapper());
        assertThat(node.path("id").asText()).isEqualTo("b1");
        assertThat(node.path("object").asText()).isEqualTo("batch");
        assertThat(node.path("status").asText()).isEqualTo("in_progress");
        assertThat(node.path("endpoint").asText()).isEqualTo("/v1/chat/completions");
        assertThat(node.path("request_counts").toString()).isEqualTo("{\"total\":100,\"completed\":61,\"failed\":12}");
        assertThat(node.path("output_file_id").isNull())
                .as("not before the end")
                .isTrue();
    }

    private static BatchControl.Builder control() {
        return BatchControl.newBuilder().setBatchId("b1").setCreatedAtMs(1_000).setExpiresAtMs(100_000L);
    }

    @Test
    void shouldBeCancellingUntilEveryLineIsAnsweredThenFinalizingUntilTheEndIsRecorded() {
        BatchControl cancel = control().setCancelRequestedAtMs(5_000L).build();
        assertThat(BatchState.of("b1", status(100, 100, 100, 0, true), List.of(progress("0_0", 40, 0)), cancel, 6_000)
                        .status())
                .isEqualTo("cancelling");
        BatchState answered =
                BatchState.of("b1", status(100, 100, 100, 0, true), List.of(progress("0_0", 40, 60)), cancel, 6_000);
        assertThat(answered.status()).isEqualTo("finalizing");
        assertThat(answered.finalStatus()).isEqualTo("cancelled");
        BatchControl ended = BatchControl.newBuilder(cancel)
                .setFinishedAtMs(7_000L)
                .setFinalStatus("cancelled")
                .build();
        BatchState done =
                BatchState.of("b1", status(100, 100, 100, 0, true), List.of(progress("0_0", 40, 60)), ended, 8_000);
        assertThat(done.status()).isEqualTo("cancelled");
        assertThat(done.terminal()).isTrue();
        var node = done.json(new ObjectMapper());
        assertThat(node.path("output_file_id").asText()).isEqualTo("file-b1-output");
        assertThat(node.path("error_file_id").asText()).isEqualTo("file-b1-errors");
        assertThat(node.path("cancelled_at").asLong()).isEqualTo(7);
    }

    @Test
    void shouldExpireAfterTheWindowAndCompleteWithinIt() {
        BatchControl c = control().build();
        assertThat(BatchState.of("b1", status(10, 10, 10, 0, true), List.of(progress("0_0", 4, 0)), c, 99_999)
                        .status())
                .isEqualTo("in_progress");
        assertThat(BatchState.of("b1", status(10, 10, 10, 0, true), List.of(progress("0_0", 4, 0)), c, 100_000)
                        .status())
                .isEqualTo("expired");
        BatchState inTime =
                BatchState.of("b1", status(10, 10, 10, 0, true), List.of(progress("0_0", 10, 0)), c, 200_000);
        assertThat(inTime.status()).isEqualTo("finalizing");
        assertThat(inTime.finalStatus())
                .as("answered at 3 ms, before the expiry")
                .isEqualTo("completed");
        BatchProgress late = BatchProgress.newBuilder(progress("0_0", 4, 6))
                .setUpdatedAtMs(150_000)
                .build();
        assertThat(BatchState.of("b1", status(10, 10, 10, 0, true), List.of(late), c, 200_000)
                        .finalStatus())
                .isEqualTo("expired");
    }

    @Test
    void shouldBeValidatingBeforeSubmitWritesAndFailedWhenSubmitFailed() {
        assertThat(BatchState.of("b1", null, List.of(), control().build(), 2_000)
                        .status())
                .isEqualTo("validating");
        BatchState failed = BatchState.of(
                "b1", null, List.of(), control().setFailure("input file gone").build(), 2_000);
        assertThat(failed.status()).isEqualTo("failed");
        assertThat(failed.json(new ObjectMapper())
                        .path("errors")
                        .path("data")
                        .get(0)
                        .path("message")
                        .asText())
                .isEqualTo("input file gone");
    }
}
