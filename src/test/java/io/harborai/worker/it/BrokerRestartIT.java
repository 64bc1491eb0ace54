package io.harborai.worker.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.harborai.worker.HarborWorker;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.dispatch.EngineFixtures;
import io.harborai.worker.embedded.FreePorts;
import io.harborai.worker.schema.AvroSerde;
import io.harborai.worker.schema.SchemaRegistryClient;
import io.harborai.worker.simulator.SimulatorOptions;
import io.harborai.worker.simulator.SimulatorServer;
import io.harborai.worker.testinfra.BrokerProcess;
import io.harborai.worker.testinfra.HarborIntegrationTest;
import io.harborai.worker.testinfra.Infra;
import io.harborai.worker.testinfra.WorkerConfigs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker restart under load: a real broker in its own JVM ({@link BrokerProcess}) is stopped for
 * 20 s while the worker has requests in flight, then started again on the same port and log
 * directory. The same worker, never restarted, answers every request exactly once (read_committed),
 * and its Kafka Streams applications never reach ERROR or NOT_RUNNING: {@code /health} stays UP and
 * {@code /ready} is READY again once the broker is back.
 */
@HarborIntegrationTest
class BrokerRestartIT {
    private static final int REQUESTS = 3_000;
    /** Paced: 3,000 requests take 12 s plus the outage. */
    private static final int PER_SECOND = 250;

    private static final Duration OUTAGE = Duration.ofSeconds(20);
    private static final Set<KafkaStreams.State> DEAD = Set.of(
            KafkaStreams.State.ERROR,
            KafkaStreams.State.PENDING_ERROR,
            KafkaStreams.State.NOT_RUNNING,
            KafkaStreams.State.PENDING_SHUTDOWN);

    @TempDir
    Path dir;

    @Test
    void shouldAnswerEveryRequestOnceAcrossABrokerRestartWithoutAnOperator(Infra infra) throws Exception {
        long t0 = System.nanoTime();
        SchemaRegistryClient registry = SchemaRegistryClient.create(infra.schemaRegistryUrl());
        try (BrokerProcess broker = BrokerProcess.create(dir);
                SimulatorServer simulator =
                        SimulatorServer.start(new SimulatorOptions("127.0.0.1", 0, Duration.ofMillis(100)))) {
            broker.start(Duration.ofSeconds(60));
            Map<String, Object> cfg = WorkerConfigs.base(infra, "broker-restart", broker.bootstrapServers());
            cfg.put("kafka.session.timeout.ms", 6000);
            cfg.put("kafka.heartbeat.interval.ms", 1000);
            cfg.put("simulator.enabled", false);
            cfg.put("providers.sim.base-url", simulator.baseUrl());
            cfg.put("providers.sim.models", List.of("*"));
            cfg.put("worker.state-dir", dir.resolve("state").toString());
            int metricsPort = FreePorts.find();
            cfg.put("metrics.port", metricsPort);
            String requests = (String) cfg.get("topics.requests");
            String results = (String) cfg.get("topics.results");

            List<String> states = Collections.synchronizedList(new ArrayList<>());
            ScheduledExecutorService watch = Executors.newSingleThreadScheduledExecutor();
            try (HarborWorker worker = WorkerConfigs.running(cfg);
                    var producer = producer(broker.bootstrapServers(), registry)) {
                // Every state the worker passes through, sampled every 50 ms for the whole run.
                watch.scheduleAtFixedRate(
                        () -> {
                            String s = worker.state().name();
                            if (states.isEmpty()
                                    || !states.get(states.size() - 1).equals(s)) {
                                states.add(s);
                            }
                        },
                        0,
                        50,
                        TimeUnit.MILLISECONDS);
                // Paced production from a thread of its own, as an application sends: while the
                // broker is down its sends block (no metadata) until the broker is back.
                AtomicInteger produced = new AtomicInteger();
                CompletableFuture<Void> production =
                        CompletableFuture.runAsync(() -> send(producer, requests, produced));
                List<ConsumerRecord<String, ChatResult>> early = ResultsReader.results(
                        broker.bootstrapServers(),
                        registry,
                        results,
                        Duration.ofSeconds(60),
                        recs -> recs.size() >= REQUESTS / 10);
                int producedAtStop = produced.get();
                long stoppedAt = System.nanoTime();
                broker.stop();
                assertThat(early.size())
                        .as("the broker stops mid-run: some answered")
                        .isGreaterThanOrEqualTo(REQUESTS / 10);
                assertThat(producedAtStop)
                        .as("the broker stops mid-run: more to come")
                        .isLessThan(REQUESTS);
                Thread.sleep(OUTAGE.toMillis()); // the outage itself, not a wait for a condition
                long restartAt = System.nanoTime();
                broker.start(Duration.ofSeconds(60));
                long upAt = System.nanoTime();
                production.get(120, TimeUnit.SECONDS);

                Set<String> ids = IntStream.range(0, REQUESTS)
                        .mapToObj(BrokerRestartIT::id)
                        .collect(Collectors.toSet());
                List<ConsumerRecord<String, ChatResult>> all = ResultsReader.results(
                        broker.bootstrapServers(),
                        registry,
                        results,
                        Duration.ofSeconds(120),
                        ResultsReader.allAndThen(ids, Duration.ofSeconds(3)));
                Map<String, Long> perId =
                        all.stream().collect(Collectors.groupingBy(ConsumerRecord::key, Collectors.counting()));
                long lost = ids.stream().filter(id -> !perId.containsKey(id)).count();
                long duplicated = perId.values().stream().filter(n -> n > 1).count();
                Awaitility.await()
                        .atMost(Duration.ofSeconds(60))
                        .until(() -> worker.state() == KafkaStreams.State.RUNNING);
                int health = get(metricsPort, "/health");
                int ready = get(metricsPort, "/ready");
                System.out.printf(
                        "broker restart: %d requests, broker down %.1f s (stop + %d s + start %.1f s); "
                                + "lost %d, duplicated %d; %d provider calls; worker states %s; /health %d, /ready %d; "
                                + "wall %.1f s%n",
                        ids.size(),
                        (upAt - stoppedAt) / 1e9,
                        OUTAGE.toSeconds(),
                        (upAt - restartAt) / 1e9,
                        lost,
                        duplicated,
                        simulator.calls(),
                        states,
                        health,
                        ready,
                        (System.nanoTime() - t0) / 1e9);
                assertThat(lost).as("requests without a result").isZero();
                assertThat(duplicated).as("requests with more than one result").isZero();
                assertThat(all)
                        .allSatisfy(r -> assertThat(r.value().getStatus().name())
                                .as(r.key())
                                .isEqualTo("SUCCEEDED"));
                assertThat(states)
                        .as("the worker never stopped or failed (it recovered without an operator)")
                        .noneMatch(s -> DEAD.contains(KafkaStreams.State.valueOf(s)));
                assertThat(health).as("/health after the restart").isEqualTo(200);
                assertThat(ready).as("/ready after the restart").isEqualTo(200);
            } finally {
                watch.shutdownNow();
            }
        }
    }

    private static String id(int i) {
        return "restart-" + i;
    }

    private static KafkaProducer<String, ChatRequest> producer(String bootstrap, SchemaRegistryClient registry) {
        return new KafkaProducer<>(
                Map.<String, Object>of("bootstrap.servers", bootstrap, "linger.ms", 5, "max.block.ms", 120_000),
                new StringSerializer(),
                new AvroSerde<>(registry, ChatRequest.class, true).serializer());
    }

    private static void send(KafkaProducer<String, ChatRequest> producer, String topic, AtomicInteger produced) {
        long start = System.nanoTime();
        for (int i = 0; i < REQUESTS; i++) {
            long due = start + i * 1_000_000_000L / PER_SECOND;
            long now = System.nanoTime();
            if (due > now) {
                LockSupport.parkNanos(due - now);
            }
            ChatRequest r = EngineFixtures.request(id(i), "sim-chat", "question " + i);
            producer.send(new ProducerRecord<>(topic, r.getId(), r));
            produced.incrementAndGet();
        }
        producer.flush();
    }

    private static int get(int port, String path) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        return http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }
}
