package io.harborai.worker.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.harborai.worker.testinfra.HarborIntegrationTest;
import io.harborai.worker.testinfra.Infra;
import io.harborai.worker.testinfra.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.WindowStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one id costs the ledger: writes {@code harbor.footprint.ids} (1,000,000) UUID ids into the
 * ledger's own store definition ({@link TopologyFactory#idLedgerStore}) through a Kafka Streams app
 * under {@code exactly_once_v2} on the in-process broker, each with a 16-byte value as the ledger
 * writes, then measures the state directory (RocksDB, after close) and the changelog on the broker.
 * A measurement for the README, so it runs only when asked for:
 * {@code ./mvnw -B verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=IdLedgerFootprintIT -Dharbor.footprint=true}.
 */
@HarborIntegrationTest
@EnabledIfSystemProperty(named = "harbor.footprint", matches = "true")
class IdLedgerFootprintIT {
    private static final Logger log = LoggerFactory.getLogger(IdLedgerFootprintIT.class);

    @Test
    void shouldKeepAMillionIdsInAFewHundredBytesEach(Infra infra) throws Exception {
        int ids = Integer.getInteger("harbor.footprint.ids", 1_000_000);
        String input = Topics.unique("footprint-ids");
        String app = Topics.unique("footprint-app");
        Path stateDir = Files.createTempDirectory("footprint-state-");
        try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", infra.kafkaBootstrap()))) {
            admin.createTopics(List.of(new NewTopic(input, 3, (short) 1))).all().get();
            try (var producer = new KafkaProducer<>(
                    Map.<String, Object>of("bootstrap.servers", infra.kafkaBootstrap(), "linger.ms", 20),
                    new StringSerializer(),
                    new ByteArraySerializer())) {
                for (int i = 0; i < ids; i++) {
                    producer.send(new ProducerRecord<>(input, UUID.randomUUID().toString(), new byte[0]));
                }
            }
            AtomicLong written = new AtomicLong();
            StreamsBuilder builder = new StreamsBuilder();
            builder.addStateStore(
                    TopologyFactory.idLedgerStore(Duration.ofHours(24).toMillis()));
            builder.stream(input, Consumed.with(Serdes.String(), Serdes.ByteArray()))
                    .process(
                            () -> new Processor<String, byte[], Void, Void>() {
                                private WindowStore<String, byte[]> store;

                                @Override
                                public void init(ProcessorContext<Void, Void> context) {
                                    store = context.getStateStore(TopologyFactory.ID_LEDGER_STORE);
                                }

                                @Override
                                public void process(Record<String, byte[]> record) {
                                    store.put(
                                            record.key(),
                                            new Origin(null, input, 0, written.get()).mark(),
                                            System.currentTimeMillis());
                                    written.incrementAndGet();
                                }
                            },
                            TopologyFactory.ID_LEDGER_STORE);
            Properties props = new Properties();
            props.put(StreamsConfig.APPLICATION_ID_CONFIG, app);
            props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrap());
            props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
            props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
            props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
            props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
            long start = System.nanoTime();
            try (KafkaStreams streams = new KafkaStreams(builder.build(), props)) {
                streams.start();
                long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
                while (written.get() < ids && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                }
                Thread.sleep(1_000); // one more commit: every put is in the committed changelog
            }
            assertThat(written.get()).isEqualTo(ids);
            long seconds = Math.max(1, (System.nanoTime() - start) / 1_000_000_000L);

            long state;
            long sst;
            try (Stream<Path> files = Files.walk(stateDir.resolve(app))) {
                List<Path> all = files.filter(Files::isRegularFile).toList();
                state = all.stream().mapToLong(IdLedgerFootprintIT::size).sum();
                sst = all.stream()
                        .filter(p -> p.toString().endsWith(".sst"))
                        .mapToLong(IdLedgerFootprintIT::size)
                        .sum();
            }
            String changelogTopic = app + "-" + TopologyFactory.ID_LEDGER_STORE + "-changelog";
            List<Integer> brokers =
                    admin.describeCluster().nodes().get().stream().map(Node::id).toList();
            long changelog = admin.describeLogDirs(brokers).allDescriptions().get().values().stream()
                    .flatMap(dirs -> dirs.values().stream())
                    .flatMap(dir -> dir.replicaInfos().entrySet().stream())
                    .filter(e -> e.getKey().topic().equals(changelogTopic))
                    .mapToLong(e -> e.getValue().size())
                    .sum();
            log.info(
                    "measured: {} ids (UUIDs, 36 chars) in {} s: state dir {} bytes ({} in .sst files), changelog {} bytes;"
                            + " per id: state {} bytes, changelog {} bytes; per million ids: state {} MiB, changelog {} MiB",
                    ids,
                    seconds,
                    state,
                    sst,
                    changelog,
                    state / ids,
                    changelog / ids,
                    String.format("%.1f", state * 1e6 / ids / (1 << 20)),
                    String.format("%.1f", changelog * 1e6 / ids / (1 << 20)));
            assertThat(changelog).as("the changelog holds every id").isGreaterThan(36L * ids);
            assertThat(state / ids).as("state bytes per id").isLessThan(300);
            assertThat(changelog / ids).as("changelog bytes per id").isLessThan(300);
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }
}
