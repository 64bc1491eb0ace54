package io.harborai.worker.batch;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.harborai.worker.avro.BatchStatus;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.console.ProgressBar;
import io.harborai.worker.schema.AvroSerde;
import io.harborai.worker.schema.SchemaRegistryClient;
import io.harborai.worker.topology.TopicBootstrap;
import io.harborai.worker.topology.TopicSettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code harbor submit}: hands an OpenAI Batch input file over to Kafka, resumably and exactly
 * once, so a batch of millions of lines survives a killed client and is never submitted twice.
 *
 * <p>Every non-blank line becomes either a ChatRequest on {@code topics.requests-batch} or, when
 * it is invalid (bad JSON, missing fields, unsupported url, bad body, duplicate custom_id), a
 * FAILED ChatResult straight onto {@code topics.results}; both are keyed and identified by
 * {@code <batchId>:<physical line number>}, so the results topic ends up with exactly one result
 * per line. Lines go out in chunks, each in one Kafka transaction together with the batch's
 * updated {@link BatchStatus} on {@code topics.batches}: the status's {@code lines_done} (the
 * number of non-blank lines handled, counted from the top of the file) is therefore an exact
 * resume point. The transactional id is {@code harbor-submit-<batchId>}: a second submit of the
 * same batch fences the first, aborts its open chunk and resumes after the last committed one.
 *
 * <p>Memory is bounded: the file is streamed twice (a count, then the submit) and duplicate
 * custom_ids are found by 64-bit hash ({@link CustomIdSet}, 8-16 bytes per line; a false
 * duplicate has odds of about n^2 / 2^65 for n lines).
 *
 * <p>Not thread-safe; one {@link #submit} at a time. Kafka clients live for one call.
 */
public final class BatchSubmitter {
    /** What one {@link #submit} call did. */
    public record Summary(
            String batchId,
            Outcome outcome,
            long lines,
            long submitted,
            long invalid,
            long resumedAfter,
            Duration elapsed) {}

    /** How a submit call ended. */
    public enum Outcome {
        COMPLETE,
        ALREADY_SUBMITTED
    }

    /** The file a batch is read from: a local path, or an upload in {@code topics.files}. */
    public interface Input {
        /** What the BatchStatus records as {@code input_file}. */
        String name();

        /** The file from its start; read twice (a count, then the submit). */
        BufferedReader open() throws IOException;

        static Input of(Path path) {
            return new Input() {
                @Override
                public String name() {
                    return path.toAbsolutePath().toString();
                }

                @Override
                public BufferedReader open() throws IOException {
                    return Files.newBufferedReader(path, StandardCharsets.UTF_8);
                }
            };
        }
    }

    /** Lines per transaction. */
    private static final int CHUNK_LINES = 2_000;

    private final Map<String, Object> kafka;
    private final SchemaRegistryClient registry;
    private final String requestsTopic;
    private final String resultsTopic;
    private final String batchesTopic;
    private final PrintStream log;
    private final ObjectMapper json = new ObjectMapper();
    private final Serializer<ChatRequest> requests;
    private final Serializer<ChatResult> results;
    private final Serializer<BatchStatus> statuses;
    private final Function<Map<String, Object>, Producer<String, byte[]>> producers;

    public BatchSubmitter(
            Map<String, Object> kafka,
            SchemaRegistryClient registry,
            String requestsTopic,
            String resultsTopic,
            String batchesTopic,
            PrintStream log) {
        this(kafka, registry, requestsTopic, resultsTopic, batchesTopic, log, BatchSubmitter::kafkaProducer);
    }

    /** As above, with the factory of the transactional producer (given its properties). */
    BatchSubmitter(
            Map<String, Object> kafka,
            SchemaRegistryClient registry,
            String requestsTopic,
            String resultsTopic,
            String batchesTopic,
            PrintStream log,
            Function<Map<String, Object>, Producer<String, byte[]>> producers) {
        this.producers = producers;
        this.kafka = Map.copyOf(kafka);
        this.registry = registry;
        this.requestsTopic = requestsTopic;
        this.resultsTopic = resultsTopic;
        this.batchesTopic = batchesTopic;
        this.log = log;
        this.requests = new AvroSerde<>(registry, ChatRequest.class, true).serializer();
        this.results = new AvroSerde<>(registry, ChatResult.class, true).serializer();
        this.statuses = new AvroSerde<>(registry, BatchStatus.class, true).serializer();
    }

    /** A submitter for the configured cluster; creates missing topics first when {@code topics.create}. */
    public static BatchSubmitter create(BatchSettings settings, PrintStream log) {
        return create(settings, log, BatchSubmitter::kafkaProducer);
    }

    /** As above, with the factory of the transactional producer. */
    static BatchSubmitter create(
            BatchSettings settings,
            PrintStream log,
            Function<Map<String, Object>, Producer<String, byte[]>> producers) {
        TopicSettings topics = settings.topics();
        TopicBootstrap.ensure(
                settings.kafka(),
                topics,
                List.of(topics.requestsBatch(), topics.results()),
                List.of(topics.batches(), topics.batchProgress()));
        return new BatchSubmitter(
                settings.kafka(),
                SchemaRegistryClient.create(settings.schemaRegistryUrl()),
                topics.requestsBatch(),
                topics.results(),
                topics.batches(),
                log,
                producers);
    }

    /** The producer submit uses: properties already include {@code transactional.id}. */
    static Producer<String, byte[]> kafkaProducer(Map<String, Object> props) {
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    public Summary submit(Path input, String batchId) throws IOException {
        return submit(Input.of(input), batchId, null);
    }

    /**
     * Submits {@code input} as batch {@code batchId}; {@code tenant}, when not null, is every
     * request's tenant whatever its line says (the gateway's batches take it from the API key).
     */
    public Summary submit(Input input, String batchId, String tenant) throws IOException {
        long start = System.nanoTime();
        long total = countNonBlankLines(input);
        Map<String, Object> producerProps = new HashMap<>(kafka);
        producerProps.putAll(ClientDefaults.producer());
        producerProps.put("transactional.id", "harbor-submit-" + batchId);
        Map<String, Object> consumerProps = new HashMap<>(kafka);
        consumerProps.putAll(ClientDefaults.consumer());
        try (var producer = producers.apply(producerProps);
                var consumer = new KafkaConsumer<>(
                        consumerProps,
                        new StringDeserializer(),
                        new AvroSerde<>(registry, BatchStatus.class, false).deserializer())) {
            // Fences any earlier submitter of this batch and aborts its open chunk, so the status
            // read next (read_committed) is the last committed one and nobody else can add to it.
            producer.initTransactions();
            Optional<BatchStatus> prior = BatchStatuses.status(consumer, batchesTopic, batchId);
            if (prior.isPresent() && prior.get().getSubmitComplete()) {
                BatchStatus done = prior.get();
                return new Summary(
                        batchId,
                        Outcome.ALREADY_SUBMITTED,
                        done.getTotalLines(),
                        done.getSubmitted(),
                        done.getInvalid(),
                        done.getLinesDone(),
                        elapsed(start));
            }
            BatchStatus.Builder status;
            if (prior.isPresent()) {
                status = BatchStatus.newBuilder(prior.get());
                if (status.getTotalLines() != total) {
                    throw new IllegalStateException("batch " + batchId + " was started on a file of "
                            + status.getTotalLines() + " lines, " + input + " has " + total
                            + "; submit it under a new --batch-id");
                }
                log.printf("resuming batch %s after %d of %d lines%n", batchId, status.getLinesDone(), total);
            } else {
                status = newStatus(producer, consumer, input, batchId, total);
            }
            return run(producer, input, batchId, tenant, status, start);
        } catch (ProducerFencedException e) {
            throw new IllegalStateException("another harbor submit of batch " + batchId + " took over", e);
        }
    }

    /** Writes the batch's first status, before any line: where its results start, and how many lines it has. */
    private BatchStatus.Builder newStatus(
            Producer<String, byte[]> producer,
            Consumer<String, BatchStatus> consumer,
            Input input,
            String batchId,
            long total) {
        List<TopicPartition> partitions = consumer.partitionsFor(resultsTopic, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition()))
                .toList();
        consumer.assign(partitions); // read_committed end offsets (last stable offsets) of assigned partitions
        Map<String, Long> startOffsets = new HashMap<>();
        consumer.endOffsets(partitions, Duration.ofSeconds(30))
                .forEach((tp, offset) -> startOffsets.put(Integer.toString(tp.partition()), offset));
        long now = System.currentTimeMillis();
        BatchStatus.Builder status = BatchStatus.newBuilder()
                .setBatchId(batchId)
                .setInputFile(input.name())
                .setTotalLines(total)
                .setLinesDone(0)
                .setSubmitted(0)
                .setInvalid(0)
                .setSubmitComplete(false)
                .setResultsStartOffsets(startOffsets)
                .setCreatedAtMs(now)
                .setUpdatedAtMs(now);
        producer.beginTransaction();
        sendStatus(producer, status);
        producer.commitTransaction();
        return status;
    }

    private Summary run(
            Producer<String, byte[]> producer,
            Input input,
            String batchId,
            String tenant,
            BatchStatus.Builder status,
            long start)
            throws IOException {
        long total = status.getTotalLines();
        long resumedAfter = status.getLinesDone();
        CustomIdSet seen = new CustomIdSet(total);
        ProgressBar bar = ProgressBar.stderr("submit", total);
        boolean open = false;
        int inChunk = 0;
        long lineNumber = 0;
        long handled = 0;
        try (BufferedReader in = input.open()) {
            String text;
            while ((text = in.readLine()) != null) {
                lineNumber++;
                if (text.isBlank()) {
                    continue;
                }
                handled++;
                BatchLine line = BatchLine.parse(json, lineNumber, text, batchId);
                boolean duplicate = line.customId() != null && !seen.add(line.customId());
                if (handled <= resumedAfter) {
                    continue; // committed by an earlier run: only rebuilds the set of custom_ids
                }
                if (!open) {
                    producer.beginTransaction();
                    open = true;
                }
                if (duplicate) {
                    line = new BatchLine.Invalid(
                            lineNumber,
                            line.customId(),
                            "duplicate_custom_id",
                            "line " + lineNumber + ": custom_id '" + line.customId() + "' appeared on an earlier line");
                }
                String id = BatchLine.requestId(batchId, lineNumber);
                if (line instanceof BatchLine.Valid v) {
                    ChatRequest request = v.request();
                    if (tenant != null) {
                        request.setTenant(tenant);
                    }
                    producer.send(new ProducerRecord<>(requestsTopic, id, requests.serialize(requestsTopic, request)));
                    status.setSubmitted(status.getSubmitted() + 1);
                } else {
                    BatchLine.Invalid bad = (BatchLine.Invalid) line;
                    ChatResult failed =
                            bad.toResult(batchId, BatchLine.modelOf(json, text), System.currentTimeMillis());
                    producer.send(new ProducerRecord<>(resultsTopic, id, results.serialize(resultsTopic, failed)));
                    status.setInvalid(status.getInvalid() + 1);
                }
                status.setLinesDone(handled);
                if (++inChunk == CHUNK_LINES) {
                    commit(producer, status, false);
                    open = false;
                    inChunk = 0;
                }
                bar.update(handled);
            }
            if (!open) {
                producer.beginTransaction();
            }
            commit(producer, status, true);
            bar.finish(handled);
            return new Summary(
                    batchId,
                    Outcome.COMPLETE,
                    total,
                    status.getSubmitted(),
                    status.getInvalid(),
                    resumedAfter,
                    elapsed(start));
        } catch (KafkaException | IOException e) {
            if (!(e instanceof ProducerFencedException)) {
                abortQuietly(producer, e);
            }
            throw e;
        }
    }

    /** Aborts the open chunk, if any, so a failed submit leaves nothing half-visible; the next one resumes. */
    private static void abortQuietly(Producer<String, byte[]> producer, Exception cause) {
        try {
            producer.abortTransaction();
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    private void commit(Producer<String, byte[]> producer, BatchStatus.Builder status, boolean complete) {
        status.setSubmitComplete(complete).setUpdatedAtMs(System.currentTimeMillis());
        sendStatus(producer, status);
        producer.commitTransaction();
    }

    private void sendStatus(Producer<String, byte[]> producer, BatchStatus.Builder status) {
        BatchStatus value = status.build();
        producer.send(new ProducerRecord<>(batchesTopic, value.getBatchId(), statuses.serialize(batchesTopic, value)));
    }

    static long countNonBlankLines(Input input) throws IOException {
        long n = 0;
        try (BufferedReader in = input.open()) {
            String text;
            while ((text = in.readLine()) != null) {
                if (!text.isBlank()) {
                    n++;
                }
            }
        }
        return n;
    }

    private static Duration elapsed(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }
}
