package io.harborai.worker.cli;

import static io.harborai.worker.config.HarborConfigDef.*;

import io.harborai.worker.HarborWorker;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.batch.BatchJob;
import io.harborai.worker.config.HarborConfig;
import io.harborai.worker.embedded.EmbeddedStack;
import io.harborai.worker.schema.AvroSerde;
import io.harborai.worker.schema.SchemaRegistryClient;
import io.harborai.worker.topology.TopicBootstrap;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code harbor batch IN -o OUT}: an OpenAI Batch job. With a cluster configured it is a pure
 * client of running workers; without one it starts the embedded default and a worker in-process.
 */
@Command(name = "batch", mixinStandardHelpOptions = true,
    description = "Run an OpenAI Batch JSONL file through the worker and write the JSONL output.")
final class BatchCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Parameters(index = "0", paramLabel = "INPUT.jsonl", description = "OpenAI Batch input file.")
    Path input;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUTPUT.jsonl", description = "Output file.")
    Path output;

    @Option(names = "--batch-id", description = "Batch id (default: a new random id).")
    String batchId;

    @Mixin
    SimulatorMixin sim;

    @Option(names = "--timeout", defaultValue = "PT30M",
        description = "How long to wait for results, ISO-8601 (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        if (!Files.isReadable(input)) {
            System.err.println("harbor batch: cannot read " + input);
            return 2;
        }
        String id = batchId != null ? batchId : "batch_" + UUID.randomUUID().toString().replace("-", "");
        HarborConfig loaded = config.load(Map.of(), Map.of());
        if (ConfigOption.clusterConfigured(loaded)) {
            return runJob(loaded, id);
        }
        System.err.println("No Kafka cluster configured: starting the embedded default (Kafka, registry, simulator, worker).");
        // The stack's simulator carries the --sim-* knobs; the worker uses it (HARBOR_SIMULATOR_URL)
        // only when no provider is configured.
        long configLatency = loaded.intValue(SIMULATOR_LATENCY_MS);
        try (EmbeddedStack stack = EmbeddedStack.start(false, sim.options(configLatency))) {
            // One in-process worker: L1 and single-flight dedupe the job; there is no Redis to share with.
            HarborConfig cfg = config.load(stack.env(), Map.of(CACHE_L2_ENABLED, false));
            try (HarborWorker worker = HarborWorker.start(cfg)) {
                System.err.println("Embedded worker providers: " + worker.providerSummary());
                return runJob(cfg, id);
            }
        }
    }

    private int runJob(HarborConfig cfg, String id) throws Exception {
        Map<String, Object> common = new HashMap<>(cfg.kafka());
        common.put("bootstrap.servers", cfg.kafkaBootstrap());
        if (cfg.bool(TOPICS_CREATE)) {
            try (Admin admin = Admin.create(common)) {
                TopicBootstrap.ensure(admin, List.of(cfg.string(TOPIC_REQUESTS_BATCH), cfg.string(TOPIC_RESULTS)),
                    cfg.intValue(TOPICS_PARTITIONS), cfg.shortValue(TOPICS_REPLICATION));
            }
        }
        SchemaRegistryClient registry = SchemaRegistryClient.create(cfg.string(SCHEMA_REGISTRY_URL));
        Map<String, Object> producerProps = new HashMap<>(common);
        producerProps.putAll(BatchJob.producerDefaults());
        Map<String, Object> consumerProps = new HashMap<>(common);
        consumerProps.putAll(BatchJob.consumerDefaults());
        try (var producer = new KafkaProducer<>(producerProps, new StringSerializer(),
                 new AvroSerde<>(registry, ChatRequest.class, true).serializer());
             var consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(),
                 new AvroSerde<>(registry, ChatResult.class, false).deserializer())) {
            BatchJob job = new BatchJob(producer, consumer, cfg.string(TOPIC_REQUESTS_BATCH), cfg.string(TOPIC_RESULTS));
            BatchJob.Summary s = job.run(input, output, id, timeout);
            System.err.printf("batch %s: %d lines -> %d output lines (%d succeeded, %d failed, %d invalid, %d expired) in %.1f s%n",
                s.batchId(), s.lines(), s.outputLines(), s.succeeded(), s.failed(), s.invalid(), s.expired(),
                s.elapsed().toMillis() / 1000.0);
            System.err.println("output: " + output.toAbsolutePath());
            return s.expired() > 0 ? 3 : 0;
        }
    }
}
