package io.harborai.worker.batch;

import io.harborai.worker.avro.BatchControl;
import io.harborai.worker.avro.BatchProgress;
import io.harborai.worker.avro.BatchStatus;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.schema.AvroSerde;
import io.harborai.worker.schema.SchemaRegistryClient;
import io.harborai.worker.topology.TopicSettings;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Every batch the cluster knows, as {@link BatchState}s: read from the compacted batch topics
 * ({@code topics.batches}, {@code topics.batch-progress}, {@code topics.batch-control}) and written
 * to the control topic (create, cancel, the recorded end). What {@code harbor status}, {@code
 * harbor batches}, {@code harbor cancel} and the gateway's batch routes share.
 *
 * <p>Each read goes over the compacted topics from the start: they hold one small record per batch
 * (and per task), so a read costs a few milliseconds per thousand batches.
 *
 * <p>Thread-safe: the methods are synchronized (the consumers are not thread-safe).
 */
public final class BatchCatalog implements AutoCloseable {
    private final TopicSettings topics;
    private final KafkaConsumer<String, BatchStatus> statuses;
    private final KafkaConsumer<String, BatchProgress> progress;
    private final KafkaConsumer<String, BatchControl> controls;
    private final Map<String, Object> consumerProps;
    private final SchemaRegistryClient registry;
    private final KafkaProducer<String, BatchControl> producer;

    public BatchCatalog(BatchSettings settings, SchemaRegistryClient registry) {
        this.topics = settings.topics();
        Map<String, Object> c = new HashMap<>(settings.kafka());
        c.putAll(BatchCollector.statusConsumerDefaults());
        this.statuses = new KafkaConsumer<>(
                c, new StringDeserializer(), new AvroSerde<>(registry, BatchStatus.class, false).deserializer());
        this.progress = new KafkaConsumer<>(
                c, new StringDeserializer(), new AvroSerde<>(registry, BatchProgress.class, false).deserializer());
        this.controls = new KafkaConsumer<>(
                c, new StringDeserializer(), new AvroSerde<>(registry, BatchControl.class, false).deserializer());
        this.consumerProps = Map.copyOf(c);
        this.registry = registry;
        Map<String, Object> p = new HashMap<>(settings.kafka());
        p.putAll(ClientDefaults.producer());
        this.producer = new KafkaProducer<>(
                p, new StringSerializer(), new AvroSerde<>(registry, BatchControl.class, true).serializer());
    }

    /** The batch's state, if it was created or submitted on this cluster. */
    public synchronized Optional<BatchState> get(String batchId, long nowMs) {
        Optional<BatchStatus> submit = BatchStatuses.status(statuses, topics.batches(), batchId);
        Optional<BatchControl> control = control(batchId);
        if (submit.isEmpty() && control.isEmpty()) {
            return Optional.empty();
        }
        List<BatchProgress> counts = BatchStatuses.progress(progress, topics.batchProgress(), batchId);
        return Optional.of(BatchState.of(batchId, submit.orElse(null), counts, control.orElse(null), nowMs));
    }

    /** Every batch, newest first (by creation time, then id). */
    public synchronized List<BatchState> list(long nowMs) {
        Map<String, BatchStatus> submits = BatchStatuses.latest(statuses, topics.batches(), k -> true);
        Map<String, BatchControl> all = BatchStatuses.latest(controls, topics.batchControl(), k -> true);
        Map<String, List<BatchProgress>> counts = new HashMap<>();
        BatchStatuses.latest(progress, topics.batchProgress(), k -> true)
                .forEach((k, v) -> counts.computeIfAbsent(v.getBatchId(), b -> new ArrayList<>())
                        .add(v));
        TreeSet<String> ids = new TreeSet<>(submits.keySet());
        ids.addAll(all.keySet());
        List<BatchState> states = new ArrayList<>();
        for (String id : ids) {
            states.add(BatchState.of(id, submits.get(id), counts.getOrDefault(id, List.of()), all.get(id), nowMs));
        }
        states.sort(Comparator.comparingLong(BatchCatalog::createdAt).reversed().thenComparing(BatchState::id));
        return states;
    }

    private static long createdAt(BatchState s) {
        return s.control() != null
                ? s.control().getCreatedAtMs()
                : s.submit() != null ? s.submit().getCreatedAtMs() : 0;
    }

    public synchronized Optional<BatchControl> control(String batchId) {
        return Optional.ofNullable(BatchStatuses.latest(controls, topics.batchControl(), batchId::equals)
                .get(batchId));
    }

    /** Writes {@code control} (keyed by its batch id) and waits for the broker's acknowledgement. */
    public void write(BatchControl control) {
        try {
            producer.send(new ProducerRecord<>(topics.batchControl(), control.getBatchId(), control))
                    .get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing the control of " + control.getBatchId(), e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "could not write the control of " + control.getBatchId() + ": " + e.getCause(), e.getCause());
        }
    }

    /**
     * Asks the workers to cancel the unanswered lines of the batch in state {@code s} (as {@link
     * #get} read it); returns its state after the request. Cancelling an ended batch, or one already
     * cancelling, changes nothing.
     */
    public BatchState cancel(BatchState s, long nowMs) {
        if (s.terminal()
                || BatchState.FINALIZING.equals(s.status())
                || (s.control() != null && s.control().getCancelRequestedAtMs() != null)) {
            return s;
        }
        String batchId = s.id();
        BatchControl.Builder c = s.control() != null
                ? BatchControl.newBuilder(s.control())
                : BatchControl.newBuilder()
                        .setBatchId(batchId)
                        .setCreatedAtMs(s.submit().getCreatedAtMs());
        write(c.setCancelRequestedAtMs(nowMs).build());
        return get(batchId, nowMs).orElse(s);
    }

    /**
     * When every line is answered and the end is not yet recorded ({@link BatchState#FINALIZING}):
     * records it; returns the state as it now is.
     */
    public BatchState finish(BatchState state, long nowMs) {
        if (!BatchState.FINALIZING.equals(state.status())) {
            return state;
        }
        write(BatchControl.newBuilder(state.control())
                .setFinishedAtMs(nowMs)
                .setFinalStatus(state.finalStatus())
                .build());
        return get(state.id(), nowMs).orElse(state);
    }

    /**
     * Streams the output ({@code errors} false) or error file of the batch {@code submit} describes
     * (its {@link BatchState#submit()}), with a consumer of its own: a long download holds no lock.
     */
    public void writeResults(BatchStatus submit, boolean errors, OutputStream out) throws IOException {
        try (var results = new KafkaConsumer<>(
                consumerProps,
                new StringDeserializer(),
                new AvroSerde<>(registry, ChatResult.class, false).deserializer())) {
            ResultFiles.write(results, topics.results(), submit, errors, out);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
        statuses.close();
        progress.close();
        controls.close();
    }
}
