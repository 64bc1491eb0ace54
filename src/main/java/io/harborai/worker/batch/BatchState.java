package io.harborai.worker.batch;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harborai.worker.avro.BatchProgress;
import io.harborai.worker.avro.BatchStatus;
import java.util.List;
import java.util.Locale;

/**
 * A batch's state as OpenAI names it, computed from what Kafka holds: the submitter's {@link
 * BatchStatus} and the workers' per-task {@link BatchProgress}. A pure function of those records,
 * so {@code harbor status} (and later {@code harbor collect}) agree on it and it is unit-testable
 * without a broker.
 *
 * <ul>
 *   <li>{@code validating}: submit has not finished handing over every line (a submit is running
 *       or was interrupted and can be resumed);
 *   <li>{@code in_progress}: submitted, and fewer than {@code total} lines have a result;
 *   <li>{@code completed}: every line has a result (completed + failed = total).
 * </ul>
 *
 * <p>{@code failed} counts the lines submit answered itself as invalid plus the FAILED results
 * the workers wrote; {@code completed} counts SUCCEEDED results.
 *
 * @param linesDone lines submit has handed over so far (only interesting while validating)
 */
public record BatchState(
        String id,
        String status,
        long total,
        long completed,
        long failed,
        long submitted,
        long invalid,
        long linesDone) {

    public static final String VALIDATING = "validating";
    public static final String IN_PROGRESS = "in_progress";
    public static final String COMPLETED = "completed";

    public static BatchState of(BatchStatus status, List<BatchProgress> progress) {
        long completed = 0;
        long workerFailed = 0;
        for (BatchProgress p : progress) {
            completed += p.getCompleted();
            workerFailed += p.getFailed();
        }
        long failed = status.getInvalid() + workerFailed;
        long total = status.getTotalLines();
        String name = !status.getSubmitComplete() ? VALIDATING : completed + failed < total ? IN_PROGRESS : COMPLETED;
        return new BatchState(
                status.getBatchId(),
                name,
                total,
                completed,
                failed,
                status.getSubmitted(),
                status.getInvalid(),
                status.getLinesDone());
    }

    /** E.g. {@code b1: in_progress  total 100  completed 61  failed 2  (submitted 99, invalid 1)}. */
    public String line() {
        String submit = VALIDATING.equals(status)
                ? String.format(
                        Locale.ROOT,
                        "  (submitting: %d/%d lines handled, submitted %d, invalid %d)",
                        linesDone,
                        total,
                        submitted,
                        invalid)
                : String.format(Locale.ROOT, "  (submitted %d, invalid %d)", submitted, invalid);
        return String.format(
                        Locale.ROOT, "%s: %s  total %d  completed %d  failed %d", id, status, total, completed, failed)
                + submit;
    }

    /** The OpenAI-like batch object: {@code {id, object, status, request_counts: {total, completed, failed}}}. */
    public ObjectNode json(ObjectMapper json) {
        ObjectNode node = json.createObjectNode();
        node.put("id", id);
        node.put("object", "batch");
        node.put("status", status);
        ObjectNode counts = node.putObject("request_counts");
        counts.put("total", total);
        counts.put("completed", completed);
        counts.put("failed", failed);
        return node;
    }
}
