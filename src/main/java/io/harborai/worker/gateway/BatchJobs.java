package io.harborai.worker.gateway;

import io.harborai.worker.avro.BatchControl;
import io.harborai.worker.batch.BatchCatalog;
import io.harborai.worker.batch.BatchState;
import io.harborai.worker.batch.BatchSubmitter;
import io.harborai.worker.batch.UploadedFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands the lines of batches created through the gateway over to Kafka, in the background, with
 * {@link BatchSubmitter} reading the upload from {@code topics.files}: the same exactly-once,
 * resumable submit as {@code harbor submit}. When the instance that started a submit dies, the next
 * {@code GET /v1/batches/{id}} on any instance that finds it stalled ({@link #STALLED} without
 * progress) resumes it; the submit's transactional id fences a submitter that was only slow.
 *
 * <p>Thread-safe.
 */
final class BatchJobs implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BatchJobs.class);
    static final Duration STALLED = Duration.ofSeconds(30);

    private final Supplier<BatchSubmitter> submitters;
    private final UploadedFiles files;
    private final BatchCatalog catalog;
    private final ExecutorService threads;
    private final Set<String> running = ConcurrentHashMap.newKeySet();

    BatchJobs(Supplier<BatchSubmitter> submitters, UploadedFiles files, BatchCatalog catalog, int threads) {
        this.submitters = submitters;
        this.files = files;
        this.catalog = catalog;
        this.threads = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "harbor-gateway-submit");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts handing over the lines of {@code file} as batch {@code batchId}, unless already running here. */
    void start(String batchId, UploadedFiles.FileInfo file, String tenant) {
        if (!running.add(batchId)) {
            return;
        }
        threads.execute(() -> {
            try {
                BatchSubmitter.Summary s = submitters.get().submit(input(file), batchId, tenant);
                log.info(
                        "Batch {}: {} lines handed over ({} invalid) in {}",
                        batchId,
                        s.lines(),
                        s.invalid(),
                        s.elapsed());
            } catch (IllegalStateException e) {
                log.warn("Batch {}: submit stopped: {}", batchId, e.getMessage());
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.ProducerFencedException)) {
                    fail(batchId, e.getMessage());
                }
            } catch (IOException | RuntimeException e) {
                log.warn("Batch {}: submit failed: {}", batchId, e.toString());
                fail(batchId, "submit failed: " + e.getMessage());
            } finally {
                running.remove(batchId);
            }
        });
    }

    /** Resumes the submit of a batch still validating with no progress for {@link #STALLED}. */
    void resumeIfStalled(BatchState state, long nowMs) {
        BatchControl control = state.control();
        if (!BatchState.VALIDATING.equals(state.status())
                || control == null
                || control.getInputFileId() == null
                || running.contains(state.id())) {
            return;
        }
        long last = state.submit() == null
                ? control.getCreatedAtMs()
                : state.submit().getUpdatedAtMs();
        if (nowMs - last < STALLED.toMillis()) {
            return;
        }
        Optional<UploadedFiles.FileInfo> file = files.info(control.getInputFileId());
        if (file.isEmpty()) {
            fail(state.id(), "input file " + control.getInputFileId() + " is gone (topics.files retention?)");
            return;
        }
        log.info("Batch {}: resuming its submit, stalled since {} ms", state.id(), nowMs - last);
        start(state.id(), file.get(), control.getTenant());
    }

    private void fail(String batchId, String reason) {
        catalog.control(batchId)
                .ifPresent(c -> catalog.write(
                        BatchControl.newBuilder(c).setFailure(reason).build()));
    }

    private BatchSubmitter.Input input(UploadedFiles.FileInfo file) {
        return new BatchSubmitter.Input() {
            @Override
            public String name() {
                return file.id();
            }

            @Override
            public BufferedReader open() {
                return new BufferedReader(new InputStreamReader(files.open(file), StandardCharsets.UTF_8));
            }
        };
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
