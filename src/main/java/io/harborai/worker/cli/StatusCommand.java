package io.harborai.worker.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.harborai.worker.avro.BatchProgress;
import io.harborai.worker.avro.BatchStatus;
import io.harborai.worker.batch.BatchSettings;
import io.harborai.worker.batch.BatchState;
import io.harborai.worker.batch.BatchStatuses;
import io.harborai.worker.batch.ClientDefaults;
import io.harborai.worker.config.HarborConfig;
import io.harborai.worker.config.StageSettings;
import io.harborai.worker.schema.AvroSerde;
import io.harborai.worker.schema.SchemaRegistryClient;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code harbor status ID [--json]}: where a submitted batch stands, with OpenAI's status names
 * ({@code validating}, {@code in_progress}, {@code completed}) and request counts, read from the
 * compacted batch topics only, so it is cheap however large the batch (see {@link BatchState}).
 */
@Command(
        name = "status",
        mixinStandardHelpOptions = true,
        description = "Show a submitted batch's status and request counts.")
final class StatusCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Parameters(index = "0", paramLabel = "ID", description = "Batch id.")
    String batchId;

    @Option(names = "--json", description = "Print the OpenAI-like batch object instead of a line.")
    boolean asJson;

    @Override
    public Integer call() throws Exception {
        HarborConfig cfg = config.loadCluster("status", System.err::println);
        if (cfg == null) {
            return 2;
        }
        BatchSettings cluster = StageSettings.batch(cfg);
        Map<String, Object> props = new HashMap<>(cluster.kafka());
        props.putAll(ClientDefaults.consumer());
        props.put("allow.auto.create.topics", false); // asking about a batch must not create its topics
        SchemaRegistryClient registry = SchemaRegistryClient.create(cluster.schemaRegistryUrl());
        Optional<BatchStatus> status;
        List<BatchProgress> progress;
        try (var statuses = new KafkaConsumer<>(
                        props,
                        new StringDeserializer(),
                        new AvroSerde<>(registry, BatchStatus.class, false).deserializer());
                var progresses = new KafkaConsumer<>(
                        props,
                        new StringDeserializer(),
                        new AvroSerde<>(registry, BatchProgress.class, false).deserializer())) {
            status = BatchStatuses.status(statuses, cluster.topics().batches(), batchId);
            if (status.isEmpty()) {
                System.err.println("no batch " + batchId);
                return 1;
            }
            progress = BatchStatuses.progress(progresses, cluster.topics().batchProgress(), batchId);
        }
        BatchState state = BatchState.of(status.get(), progress);
        System.out.println(asJson ? state.json(new ObjectMapper()).toString() : state.line());
        return 0;
    }
}
