package io.harborai.worker.cli;

import io.harborai.worker.avro.BatchStatus;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.batch.BatchCollector;
import io.harborai.worker.batch.BatchSettings;
import io.harborai.worker.config.HarborConfig;
import io.harborai.worker.config.StageSettings;
import io.harborai.worker.schema.AvroSerde;
import io.harborai.worker.schema.SchemaRegistryClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code harbor collect --batch-id ID -o OUT}: writes the results of a batch submitted with
 * {@code harbor submit} as OpenAI Batch output lines. A client of a running cluster only: it needs
 * the results and the batch's status on Kafka, so without a configured cluster it stops at once
 * rather than start an empty embedded one. Safe to interrupt and run again with the same arguments.
 */
@Command(
        name = "collect",
        mixinStandardHelpOptions = true,
        description = {
            "Collect the results of a submitted batch into OpenAI Batch JSONL output.",
            "Resumable: run it again with the same arguments after an interruption; lines already in the files are kept "
                    + "and none is written twice.",
            "Exit codes: 0 complete, 1 unknown batch or error, 2 usage or no cluster configured, 3 timed out."
        })
final class CollectCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = "--batch-id", required = true, description = "The batch id given to (or printed by) harbor submit.")
    String batchId;

    @Mixin
    OutputFiles files;

    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            description = "Give up after this long (ISO-8601, e.g. PT30M), exit code 3; default: wait until complete.")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        HarborConfig cfg = config.loadCluster("collect", System.err::println);
        if (cfg == null) {
            return 2;
        }
        return files.sameFile() ? 2 : collect(cfg, batchId, files.output, files.errors, timeout);
    }

    /**
     * Collects {@code batchId} from the configured cluster into {@code output} (and {@code errors});
     * prints a summary on stderr. Returns the exit code: 0 complete, 1 unknown batch, 3 timed out.
     *
     * @param timeout null waits until complete
     */
    static int collect(HarborConfig cfg, String batchId, Path output, Path errors, Duration timeout)
            throws java.io.IOException {
        BatchSettings cluster = StageSettings.batch(cfg);
        Map<String, Object> common = cluster.kafka();
        Map<String, Object> resultProps = new HashMap<>(common);
        resultProps.putAll(BatchCollector.consumerDefaults(batchId));
        Map<String, Object> statusProps = new HashMap<>(common);
        statusProps.putAll(BatchCollector.statusConsumerDefaults());
        SchemaRegistryClient registry = SchemaRegistryClient.create(cluster.schemaRegistryUrl());
        try (var results = new KafkaConsumer<>(
                        resultProps,
                        new StringDeserializer(),
                        new AvroSerde<>(registry, ChatResult.class, false).deserializer());
                var statuses = new KafkaConsumer<>(
                        statusProps,
                        new StringDeserializer(),
                        new AvroSerde<>(registry, BatchStatus.class, false).deserializer())) {
            BatchCollector collector = new BatchCollector(
                    results,
                    statuses,
                    cluster.topics().results(),
                    cluster.topics().batches(),
                    batchId,
                    System.err);
            BatchCollector.Summary s;
            try {
                s = collector.run(output, errors, timeout);
            } catch (BatchCollector.UnknownBatchException e) {
                System.err.println("harbor collect: " + e.getMessage());
                return 1;
            }
            System.err.printf(
                    "collect %s: %d of %d lines (%d succeeded, %d failed; %d were already in the files) in %.1f s%n",
                    s.batchId(),
                    s.lines(),
                    s.total(),
                    s.succeeded(),
                    s.failed(),
                    s.recovered(),
                    s.elapsed().toMillis() / 1000.0);
            System.err.println("output: " + output.toAbsolutePath()
                    + (errors != null ? ", errors: " + errors.toAbsolutePath() : ""));
            if (!s.complete()) {
                System.err.printf(
                        "collect %s: timed out after %s with %d lines missing%s; run it again to resume%n",
                        s.batchId(), timeout, s.missing(), s.total() > s.lines() ? "" : " (submit not complete yet)");
                return 3;
            }
            return 0;
        }
    }
}
