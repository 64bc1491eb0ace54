package io.harborai.worker.batch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
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
        assertThat(s.json(new ObjectMapper()).toString())
                .isEqualTo("{\"id\":\"b1\",\"object\":\"batch\",\"status\":\"in_progress\","
                        + "\"request_counts\":{\"total\":100,\"completed\":61,\"failed\":12}}");
    }
}
