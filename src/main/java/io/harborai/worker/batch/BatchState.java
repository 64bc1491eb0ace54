package io.harborai.worker.batch;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harborai.worker.avro.BatchControl;
import io.harborai.worker.avro.BatchProgress;
import io.harborai.worker.avro.BatchStatus;
import java.util.List;
import java.util.Locale;

/**
 * A batch's state as OpenAI names it, computed from what Kafka holds: the submitter's {@link
 * BatchStatus}, the workers' per-task {@link BatchProgress} and the {@link BatchControl} people
 * wrote (gateway, {@code harbor cancel}). A pure function of those records and the time, so {@code
 * harbor status}, {@code harbor batches} and the gateway agree on it, and it is unit-testable
 * without a broker.
 *
 * <ul>
 *   <li>{@code failed}: the lines could not be handed over (the control names the failure);
 *   <li>{@code validating}: submit has not finished handing over every line;
 *   <li>{@code in_progress}: submitted, and fewer than {@code total} lines have a result;
 *   <li>{@code cancelling} / {@code expired}: cancel was asked, or the completion window ended,
 *       while lines were still unanswered (the worker answers them BATCH_CANCELLED / BATCH_EXPIRED);
 *   <li>{@code finalizing}: every line is answered, and the batch's end is not yet recorded in the
 *       control (the gateway records it when it sees this state);
 *   <li>{@code completed}, {@code cancelled}, {@code expired}: the recorded end. A batch without a
 *       control (submitted by {@code harbor submit}, never cancelled) is {@code completed} once
 *       every line is answered.
 * </ul>
 *
 * <p>{@code failed} counts the lines submit answered itself as invalid plus the FAILED results
 * the workers wrote (cancelled and expired lines too); {@code completed} counts SUCCEEDED results.
 *
 * @param submit the submitter's status, null before submit wrote its first one
 * @param control null when nobody created the batch through the gateway or cancelled it
 * @param answeredAtMs when the last line was counted (the latest progress or status record)
 */
public record BatchState(
        String id,
        String status,
        long total,
        long completed,
        long failed,
        BatchStatus submit,
        BatchControl control,
        long answeredAtMs) {

    public static final String VALIDATING = "validating";
    public static final String FAILED = "failed";
    public static final String IN_PROGRESS = "in_progress";
    public static final String FINALIZING = "finalizing";
    public static final String COMPLETED = "completed";
    public static final String CANCELLING = "cancelling";
    public static final String CANCELLED = "cancelled";
    public static final String EXPIRED = "expired";

    /** A batch submitted by {@code harbor submit} and never cancelled. */
    public static BatchState of(BatchStatus status, List<BatchProgress> progress) {
        return of(status.getBatchId(), status, progress, null, System.currentTimeMillis());
    }

    public static BatchState of(
            String id, BatchStatus submit, List<BatchProgress> progress, BatchControl control, long nowMs) {
        long completed = 0;
        long workerFailed = 0;
        long answeredAt = submit == null ? 0 : submit.getUpdatedAtMs();
        for (BatchProgress p : progress) {
            completed += p.getCompleted();
            workerFailed += p.getFailed();
            answeredAt = Math.max(answeredAt, p.getUpdatedAtMs());
        }
        long failed = (submit == null ? 0 : submit.getInvalid()) + workerFailed;
        long total = submit == null ? 0 : submit.getTotalLines();
        boolean answered = submit != null && submit.getSubmitComplete() && completed + failed >= total;
        String name;
        if (control != null && control.getFailure() != null) {
            name = FAILED;
        } else if (answered) {
            name = control == null
                    ? COMPLETED
                    : control.getFinalStatus() != null ? control.getFinalStatus() : FINALIZING;
        } else if (control != null && control.getCancelRequestedAtMs() != null) {
            name = CANCELLING;
        } else if (control != null && control.getExpiresAtMs() != null && nowMs >= control.getExpiresAtMs()) {
            name = EXPIRED;
        } else if (submit == null || !submit.getSubmitComplete()) {
            name = VALIDATING;
        } else {
            name = IN_PROGRESS;
        }
        return new BatchState(id, name, total, completed, failed, submit, control, answeredAt);
    }

    /** The end to record in the control while {@link #FINALIZING}: cancelled, expired or completed. */
    public String finalStatus() {
        if (control != null && control.getCancelRequestedAtMs() != null) {
            return CANCELLED;
        }
        if (control != null && control.getExpiresAtMs() != null && answeredAtMs > control.getExpiresAtMs()) {
            return EXPIRED;
        }
        return COMPLETED;
    }

    /** Whether the batch has ended: nothing will change any more. */
    public boolean terminal() {
        return switch (status) {
            case COMPLETED, CANCELLED, FAILED -> true;
            case EXPIRED -> control != null && control.getFinalStatus() != null;
            default -> false;
        };
    }

    /** E.g. {@code b1: in_progress  total 100  completed 61  failed 2  (submitted 99, invalid 1)}. */
    public String line() {
        long submitted = submit == null ? 0 : submit.getSubmitted();
        long invalid = submit == null ? 0 : submit.getInvalid();
        String detail = VALIDATING.equals(status)
                ? String.format(
                        Locale.ROOT,
                        "  (submitting: %d/%d lines handled, submitted %d, invalid %d)",
                        submit == null ? 0 : submit.getLinesDone(),
                        total,
                        submitted,
                        invalid)
                : FAILED.equals(status)
                        ? "  (" + control.getFailure() + ")"
                        : String.format(Locale.ROOT, "  (submitted %d, invalid %d)", submitted, invalid);
        return String.format(
                        Locale.ROOT, "%s: %s  total %d  completed %d  failed %d", id, status, total, completed, failed)
                + detail;
    }

    /** The OpenAI Batch object. */
    public ObjectNode json(ObjectMapper json) {
        ObjectNode node = json.createObjectNode();
        node.put("id", id);
        node.put("object", "batch");
        node.put("endpoint", control == null ? "/v1/chat/completions" : control.getEndpoint());
        if (FAILED.equals(status)) {
            ObjectNode error = node.putObject("errors")
                    .put("object", "list")
                    .putArray("data")
                    .addObject();
            error.put("code", "submit_failed");
            error.put("message", control.getFailure());
        } else {
            node.putNull("errors");
        }
        node.put(
                "input_file_id",
                control != null && control.getInputFileId() != null
                        ? control.getInputFileId()
                        : submit != null && submit.getInputFile() != null ? submit.getInputFile() : "");
        node.put("completion_window", control == null ? "24h" : control.getCompletionWindow());
        node.put("status", status);
        boolean ended = terminal() || FINALIZING.equals(status) || EXPIRED.equals(status);
        putOrNull(node, "output_file_id", ended && completed > 0 ? ResultFiles.id(id, false) : null);
        putOrNull(node, "error_file_id", ended && failed > 0 ? ResultFiles.id(id, true) : null);
        long created = control != null ? control.getCreatedAtMs() : submit != null ? submit.getCreatedAtMs() : 0;
        node.put("created_at", created / 1000);
        putSeconds(
                node, "in_progress_at", submit != null && submit.getSubmitComplete() ? submit.getUpdatedAtMs() : null);
        putSeconds(node, "expires_at", control == null ? null : control.getExpiresAtMs());
        Long finished = control == null ? null : control.getFinishedAtMs();
        putSeconds(node, "finalizing_at", finished);
        putSeconds(node, "completed_at", COMPLETED.equals(status) ? finished != null ? finished : answeredAtMs : null);
        putSeconds(node, "failed_at", FAILED.equals(status) ? created : null);
        putSeconds(node, "expired_at", EXPIRED.equals(status) ? control.getExpiresAtMs() : null);
        putSeconds(node, "cancelling_at", control == null ? null : control.getCancelRequestedAtMs());
        putSeconds(node, "cancelled_at", CANCELLED.equals(status) ? finished : null);
        ObjectNode counts = node.putObject("request_counts");
        counts.put("total", total);
        counts.put("completed", completed);
        counts.put("failed", failed);
        ObjectNode metadata = node.putObject("metadata");
        if (control != null) {
            control.getMetadata().forEach((k, v) -> metadata.put(k.toString(), v.toString()));
        }
        return node;
    }

    private static void putOrNull(ObjectNode node, String field, String value) {
        if (value == null) {
            node.putNull(field);
        } else {
            node.put(field, value);
        }
    }

    private static void putSeconds(ObjectNode node, String field, Long ms) {
        if (ms == null) {
            node.putNull(field);
        } else {
            node.put(field, ms / 1000);
        }
    }
}
