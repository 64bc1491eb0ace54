package io.harborai.worker.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.harborai.worker.testinfra.HarborIntegrationTest;
import io.harborai.worker.testinfra.Infra;
import io.harborai.worker.testinfra.Rung;
import io.harborai.worker.testinfra.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@HarborIntegrationTest
class EmbeddedKafkaIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void shouldShowOnlyCommittedTransactionsToReadCommittedConsumers(Infra infra) throws Exception {
        String topic = Topics.unique("tx");
        createTopics(infra.kafkaBootstrap(), topic);

        try (KafkaProducer<String, String> producer = transactionalProducer(infra.kafkaBootstrap())) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < 3; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "committed-" + i));
            }
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k9", "aborted"));
            producer.flush();
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k3", "committed-3"));
            producer.commitTransaction();
        }

        assertThat(readCommitted(infra.kafkaBootstrap(), topic, 4))
                .containsExactly("committed-0", "committed-1", "committed-2", "committed-3");
        if (System.getenv(Infra.KAFKA_ENV) == null) {
            assertThat(infra.kafkaRung()).isNotEqualTo(Rung.ENVIRONMENT);
        }
    }

    @Test
    void shouldRunAnExactlyOnceV2TopologyEndToEnd(Infra infra, @TempDir Path stateDir) throws Exception {
        String bootstrap = infra.kafkaBootstrap();
        String input = Topics.unique("eos-in");
        String output = Topics.unique("eos-out");
        createTopics(bootstrap, input, output);

        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(input, Consumed.with(Serdes.String(), Serdes.String()))
                .mapValues(v -> v.toUpperCase(Locale.ROOT))
                .to(output, Produced.with(Serdes.String(), Serdes.String()));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, Topics.unique("eos-app"));
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");

        try (KafkaStreams streams = new KafkaStreams(builder.build(), props);
                KafkaProducer<String, String> producer = new KafkaProducer<>(
                        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                        new StringSerializer(),
                        new StringSerializer())) {
            streams.start();
            for (String v : List.of("a", "b", "c")) {
                producer.send(new ProducerRecord<>(input, v, v));
            }
            producer.flush();

            assertThat(readCommitted(bootstrap, output, 3)).containsExactly("A", "B", "C");
            assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING);
            streams.close(Duration.ofSeconds(10));
        }
    }

    @Test
    void shouldBindTheRequestedFixedPort() throws Exception {
        int port = FreePorts.find();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(port);
                Admin admin =
                        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            assertThat(kafka.bootstrapServers()).isEqualTo("localhost:" + port);
            assertThat(admin.describeCluster().nodes().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS))
                    .singleElement()
                    .satisfies(node -> assertThat(node.port()).isEqualTo(port));
        }
    }

    private static void createTopics(String bootstrap, String... topics) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            List<NewTopic> newTopics = new ArrayList<>();
            for (String t : topics) {
                newTopics.add(new NewTopic(t, 1, (short) 1));
            }
            admin.createTopics(newTopics).all().get();
        }
    }

    private static KafkaProducer<String, String> transactionalProducer(String bootstrap) {
        return new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrap,
                        ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                        Topics.unique("tx-id")),
                new StringSerializer(),
                new StringSerializer());
    }

    /** Polls until {@code expected} values arrived (or the timeout passed), then a little longer for extras. */
    private static List<String> readCommitted(String bootstrap, String topic, int expected) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG,
                Topics.unique("reader"),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (values.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                    values.add(r.value());
                }
            }
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                values.add(r.value());
            }
        }
        return values;
    }
}
