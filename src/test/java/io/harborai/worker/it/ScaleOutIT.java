package io.harborai.worker.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.dispatch.EngineFixtures;
import io.harborai.worker.embedded.FreePorts;
import io.harborai.worker.schema.AvroSerde;
import io.harborai.worker.schema.SchemaRegistryClient;
import io.harborai.worker.simulator.SimulatorOptions;
import io.harborai.worker.simulator.SimulatorServer;
import io.harborai.worker.testinfra.HarborIntegrationTest;
import io.harborai.worker.testinfra.HarborProcess;
import io.harborai.worker.testinfra.Infra;
import io.harborai.worker.testinfra.SimulatorStats;
import io.harborai.worker.testinfra.WorkerConfigs;
import io.harborai.worker.testinfra.WorkerEndpoints;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scale-out across processes: worker JVMs of their own ({@link HarborProcess}) share one broker,
 * one Redis (L2) and one application id. Three take 20,000 requests (30 % repeat an earlier
 * question); a fourth joins mid-run and one of the first three is SIGKILLed mid-run. Every id gets
 * exactly one result (read_committed); the provider calls are counted against the distinct
 * questions; each request's wait is compared with the rebalances it lived through.
 *
 * <p>Each worker gets a simulator of its own (all in this JVM, so counts survive the kill): the
 * calls of the killed worker, and those in flight at the kill, are then known exactly. The
 * measurements and what they are checked against are in {@link ScaleOutReport}.
 */
@HarborIntegrationTest
class ScaleOutIT {
    static final int REQUESTS = 20_000;
    static final int DUPLICATES = 6_000;
    /** Paced production: 20,000 requests in about 45 s. */
    private static final int PER_SECOND = 450;
    /** Requests sent and not yet answered, at most. */
    private static final int MAX_OUTSTANDING = 300;

    static final Duration LATENCY = Duration.ofMillis(100);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failure keeps the workers' logs
    Path dir;

    @Test
    void shouldShareTheLoadAcrossWorkerJvmsThroughAJoinAndASigkill(Infra infra) throws Exception {
        long t0 = System.nanoTime();
        SchemaRegistryClient registry = SchemaRegistryClient.create(infra.schemaRegistryUrl());
        Map<String, Object> cfg = WorkerConfigs.base(infra, "scale");
        cfg.put("topics.partitions", 6);
        cfg.put("kafka.session.timeout.ms", 6000);
        cfg.put("kafka.heartbeat.interval.ms", 1000);
        cfg.put("simulator.enabled", false);
        cfg.put("providers.sim.models", List.of("*"));
        String appId = (String) cfg.get("worker.application-id");
        int[] questions = ScaleOutReport.questions(REQUESTS, DUPLICATES, 16);
        List<Worker> workers = new ArrayList<>();
        try {
            for (int w = 0; w < 4; w++) {
                workers.add(Worker.create(dir, w, cfg));
            }
            for (int w = 0; w < 3; w++) {
                workers.get(w).start();
            }
            for (int w = 0; w < 3; w++) {
                workers.get(w).awaitReady(Duration.ofSeconds(120));
            }
            ScaleOutReport.GroupWatch watch = ScaleOutReport.GroupWatch.start(
                    infra.kafkaBootstrap(),
                    appId,
                    workers.stream().map(Worker::port).toList());
            long readyAt = System.nanoTime();
            long[] sentAt = new long[REQUESTS];
            AtomicInteger produced = new AtomicInteger();
            // Production is held at 50 % until the fourth worker is up, and at 90 % until the kill:
            // however slowly a loaded machine starts a JVM, the join and the kill happen mid-run.
            AtomicInteger allowed = new AtomicInteger(REQUESTS / 2);
            long produceStart = System.currentTimeMillis();
            ResultsTail tail = new ResultsTail(infra.kafkaBootstrap(), registry, (String) cfg.get("topics.results"));
            CompletableFuture<Void> production = CompletableFuture.runAsync(() -> produce(
                    infra.kafkaBootstrap(),
                    registry,
                    (String) cfg.get("topics.requests"),
                    questions,
                    sentAt,
                    produced,
                    allowed,
                    tail::answered));
            try (watch;
                    tail) {
                await(() -> produced.get() >= REQUESTS * 3 / 10, production);
                long joinAt = System.currentTimeMillis();
                workers.get(3).start();
                workers.get(3).awaitReady(Duration.ofSeconds(120));
                allowed.set(REQUESTS * 9 / 10);
                Worker killed = workers.get(0);
                // killed with calls of its own in flight, so the kill costs something to recover
                await(
                        () -> produced.get() >= REQUESTS * 6 / 10
                                && watch.settled(4)
                                && killed.sim.calls() > killed.sim.answered(),
                        production);
                long answeredBefore = killed.sim.answered();
                long killAt = System.currentTimeMillis();
                killed.process.destroyForcibly().waitFor();
                long deadAt = System.currentTimeMillis();
                // A call in flight at the death reached the simulator before it and was not answered
                // before the read above (the dead worker's calls stay in its simulator until answered).
                long inFlightAtKill = killed.sim.calls() - answeredBefore;
                allowed.set(REQUESTS);
                production.get(300, TimeUnit.SECONDS);
                long producedAt = System.nanoTime();

                Set<String> ids =
                        IntStream.range(0, REQUESTS).mapToObj(ScaleOutIT::id).collect(Collectors.toSet());
                await(() -> tail.answeredAll(ids), production);
                long answeredAt = System.nanoTime();
                Thread.sleep(3_000); // keep reading past the last id, so a late duplicate shows up
                List<Double> redispatched =
                        workers.subList(1, 4).stream().map(Worker::redispatched).toList();
                double l2Errors = workers.subList(1, 4).stream()
                        .mapToDouble(Worker::l2Errors)
                        .sum();
                ScaleOutReport report = new ScaleOutReport(
                        questions,
                        sentAt,
                        tail.records(),
                        workers.stream()
                                .map(w -> SimulatorStats.callsByKey(w.sim))
                                .toList(),
                        new ScaleOutReport.Events(produceStart, joinAt, killAt, deadAt, inFlightAtKill),
                        watch.windows(joinAt, killAt, deadAt));
                System.out.println(report.describe(redispatched, (System.nanoTime() - t0) / 1e9));
                System.out.printf(
                        "  phases: three workers ready after %.1f s, %d requests produced %.1f s later, all"
                                + " answered %.1f s after that%n",
                        (readyAt - t0) / 1e9, REQUESTS, (producedAt - readyAt) / 1e9, (answeredAt - producedAt) / 1e9);
                report.check(l2Errors);
            } finally {
                production.cancel(true);
            }
        } finally {
            workers.forEach(Worker::close);
        }
    }

    /** Waits for {@code condition}, failing early if production failed. */
    private static void await(BooleanSupplier condition, CompletableFuture<Void> production) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        while (!condition.getAsBoolean()) {
            if (production.isCompletedExceptionally()) {
                production.get();
            }
            assertThat(System.nanoTime()).as("condition within 300 s").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    static String id(int i) {
        return "scale-" + i;
    }

    /**
     * Sends request i at {@code i / PER_SECOND} s at the earliest and only while fewer than {@link
     * #MAX_OUTSTANDING} are unanswered, stamped with the send time.
     */
    private static void produce(
            String bootstrap,
            SchemaRegistryClient registry,
            String topic,
            int[] questions,
            long[] sentAt,
            AtomicInteger produced,
            AtomicInteger allowed,
            IntSupplier answered) {
        try (var producer = new KafkaProducer<>(
                Map.<String, Object>of("bootstrap.servers", bootstrap, "linger.ms", 5),
                new StringSerializer(),
                new AvroSerde<>(registry, ChatRequest.class, true).serializer())) {
            long start = System.nanoTime();
            for (int i = 0; i < REQUESTS; i++) {
                long due = start + i * 1_000_000_000L / PER_SECOND;
                long now = System.nanoTime();
                if (due > now) {
                    TimeUnit.NANOSECONDS.sleep(due - now);
                }
                // Closed loop: a machine slower than the pace builds no backlog of the test's making;
                // and no further than the test allows yet.
                while (i - answered.getAsInt() >= MAX_OUTSTANDING || i >= allowed.get()) {
                    Thread.sleep(5);
                }
                ChatRequest r = EngineFixtures.request(id(i), "sim-chat", "scale-out question " + questions[i]);
                sentAt[i] = System.currentTimeMillis();
                producer.send(new ProducerRecord<>(topic, null, sentAt[i], r.getId(), r));
                produced.incrementAndGet();
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One worker JVM, its simulator, config file and metrics port. */
    private static final class Worker implements AutoCloseable {
        final SimulatorServer sim;
        final Path config;
        final Path log;
        final int port;
        Process process;

        private Worker(SimulatorServer sim, Path config, Path log, int port) {
            this.sim = sim;
            this.config = config;
            this.log = log;
            this.port = port;
        }

        static Worker create(Path dir, int n, Map<String, Object> base) throws Exception {
            SimulatorServer sim = SimulatorServer.start(new SimulatorOptions("127.0.0.1", 0, LATENCY));
            Map<String, Object> cfg = new HashMap<>(base);
            int port = FreePorts.find();
            cfg.put("providers.sim.base-url", sim.baseUrl());
            cfg.put("metrics.port", port);
            cfg.put("worker.state-dir", dir.resolve("state-" + n).toString());
            Path config = WorkerConfigs.writeYaml(dir.resolve("worker-" + n + ".yaml"), cfg);
            return new Worker(sim, config, dir.resolve("worker-" + n + ".log"), port);
        }

        int port() {
            return port;
        }

        void start() throws Exception {
            process = HarborProcess.start(log, "run", "--config", config.toString());
        }

        void awaitReady(Duration timeout) throws Exception {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (WorkerEndpoints.status(port, "/ready") != 200) {
                assertThat(process.isAlive())
                        .as("worker " + log + " is running")
                        .isTrue();
                assertThat(System.nanoTime()).as(log + " ready in time").isLessThan(deadline);
                Thread.sleep(200);
            }
        }

        /** Redis L2 commands that failed or timed out on this worker (a loaded machine's Redis). */
        double l2Errors() {
            double v = WorkerEndpoints.metric(port, "harbor_cache_l2_errors_total", "");
            assertThat(v).as("metrics of " + log).isGreaterThanOrEqualTo(0);
            return v;
        }

        /** Online requests this worker restored from the pending store and dispatched again. */
        double redispatched() {
            double v = WorkerEndpoints.metric(port, "harbor_dispatch_redispatched_total", "traffic=\"online\"");
            assertThat(v).as("metrics of " + log).isGreaterThanOrEqualTo(0);
            return v;
        }

        @Override
        public void close() {
            if (process != null && process.isAlive()) {
                process.destroy();
                try {
                    if (!process.waitFor(30, TimeUnit.SECONDS)) {
                        process.destroyForcibly().waitFor();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            sim.close();
        }
    }
}
