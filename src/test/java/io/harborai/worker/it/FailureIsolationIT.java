package io.harborai.worker.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harborai.worker.HarborWorker;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.Message;
import io.harborai.worker.avro.Params;
import io.harborai.worker.avro.ResultStatus;
import io.harborai.worker.metrics.MetricsCatalog;
import io.harborai.worker.schema.AvroSerde;
import io.harborai.worker.schema.SchemaRegistryClient;
import io.harborai.worker.simulator.FaultRates;
import io.harborai.worker.simulator.SimulatorOptions;
import io.harborai.worker.simulator.SimulatorOutage;
import io.harborai.worker.simulator.SimulatorPoison;
import io.harborai.worker.simulator.SimulatorServer;
import io.harborai.worker.testinfra.HarborIntegrationTest;
import io.harborai.worker.testinfra.Infra;
import io.harborai.worker.testinfra.SimulatorStats;
import io.harborai.worker.testinfra.WorkerConfigs;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A request fails only for its own reasons, over real HTTP against the simulator: with a poison
 * share exactly the poisoned requests fail, each after its own attempts and with its own 500; across
 * a provider outage (503s, or refused connections) nothing fails, and the calls made while the
 * provider is down stay bounded by the breaker (the window that opens it, the calls in flight then,
 * and half-open probes every {@code breaker.open-ms}) instead of growing with the requests waiting.
 */
@HarborIntegrationTest
class FailureIsolationIT {
    private static final Logger log = LoggerFactory.getLogger(FailureIsolationIT.class);
    private static final int MAX_ATTEMPTS = 3;
    private static final int WINDOW = 20;
    private static final int HALF_OPEN = 3;
    private static final long OPEN_MS = 2_000;
    private static final int CONCURRENCY = 16;
    private final ObjectMapper json = new ObjectMapper();

    @Test
    @SuppressWarnings("try") // the worker runs for the whole block; the test talks to it through Kafka
    void shouldFailExactlyThePoisonedRequestsEachAfterItsOwnAttemptsWithItsOwn500(Infra infra) throws Exception {
        int n = 5_000;
        double rate = 0.06;
        Set<String> poisoned = IntStream.range(0, n)
                .filter(i -> SimulatorPoison.poisoned(List.of(content("p", i)), rate))
                .mapToObj(i -> id("p", i))
                .collect(Collectors.toSet());
        assertThat(poisoned.size()).as("about 6 %% of %d", n).isBetween(n * 4 / 100, n * 8 / 100);
        try (SimulatorServer sim =
                SimulatorServer.start(SimulatorOptions.defaults().withPoisonRate(rate))) {
            Map<String, Object> cfg = config(infra, "poison", sim);
            Map<String, ChatResult> results;
            try (HarborWorker worker = WorkerConfigs.running(cfg)) {
                long start = System.nanoTime();
                produce(infra, cfg, "p", 0, n, 0);
                results = await(infra, cfg, "p", n);
                log.info(
                        "measured: {} requests, {} poisoned, answered in {} ms",
                        n,
                        poisoned.size(),
                        (System.nanoTime() - start) / 1_000_000);
            }
            Set<String> failed = results.values().stream()
                    .filter(r -> r.getStatus() == ResultStatus.FAILED)
                    .map(ChatResult::getId)
                    .collect(Collectors.toSet());
            assertThat(failed).as("exactly the poisoned requests fail").isEqualTo(poisoned);
            assertThat(poisoned).allSatisfy(id -> {
                ChatResult r = results.get(id);
                assertThat(r.getError().getCode()).isEqualTo("PROVIDER_ERROR");
                assertThat(r.getError().getHttpStatus()).isEqualTo(500);
                assertThat(r.getError().getMessage()).containsIgnoringCase("poison");
                assertThat(r.getAttempts()).as("1 + retries calls for %s", id).isEqualTo(MAX_ATTEMPTS);
            });
            JsonNode byKey = callLog(sim);
            long total = 0;
            for (int i = 0; i < n; i++) {
                JsonNode calls = byKey.get(id("p", i));
                assertThat(calls).as("calls of %s", id("p", i)).isNotNull();
                total += calls.size();
                if (poisoned.contains(id("p", i))) {
                    assertThat(calls.size())
                            .as("calls of poisoned %s", id("p", i))
                            .isEqualTo(MAX_ATTEMPTS);
                    assertThat(calls)
                            .allSatisfy(
                                    c -> assertThat(c.get("outcome").asText()).isEqualTo("poison"));
                }
            }
            assertThat(total).isLessThanOrEqualTo((long) n * MAX_ATTEMPTS);
            assertThat(sim.outcomes(FaultRates.Outcome.POISONED)).isEqualTo((long) poisoned.size() * MAX_ATTEMPTS);
        }
    }

    @Test
    void shouldSucceedEveryRequestAcrossA30sOutageOf503sWithBoundedCalls(Infra infra) throws Exception {
        outage(infra, "o503", 5_000, 1_000, Duration.ofSeconds(30), SimulatorOutage.Mode.HTTP_503);
    }

    @Test
    void shouldSucceedEveryRequestAcrossAnOutageOfRefusedConnectionsWithBoundedCalls(Infra infra) throws Exception {
        outage(infra, "orefuse", 2_000, 400, Duration.ofSeconds(10), SimulatorOutage.Mode.REFUSE);
    }

    /**
     * Sends {@code n} requests at 200/s; once {@code okBefore} were answered, the provider goes down
     * for {@code length}. Every request must succeed, and the failed calls (all of them made while
     * it was down) must stay within what the breaker lets through.
     */
    private void outage(Infra infra, String name, int n, long okBefore, Duration length, SimulatorOutage.Mode mode)
            throws Exception {
        try (SimulatorServer sim = SimulatorServer.start(SimulatorOptions.defaults())) {
            Map<String, Object> cfg = config(infra, name, sim);
            Map<String, ChatResult> results;
            long failedCalls;
            double redispatched;
            try (HarborWorker worker = WorkerConfigs.running(cfg)) {
                CompletableFuture<Void> producing =
                        CompletableFuture.runAsync(() -> produce(infra, cfg, name, 0, n, 200));
                long waitUntil = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                while (sim.outcomes(FaultRates.Outcome.OK) < okBefore && System.nanoTime() < waitUntil) {
                    Thread.sleep(20);
                }
                sim.startOutage(length, mode);
                producing.get();
                results = await(infra, cfg, name, n);
                failedCalls = worker.meters().find(MetricsCatalog.PROVIDER_CALLS).timers().stream()
                        .filter(t -> !"ok".equals(t.getId().getTag("outcome")))
                        .mapToLong(Timer::count)
                        .sum();
                redispatched = worker.meters().find(MetricsCatalog.REDISPATCHED).counters().stream()
                        .mapToDouble(Counter::count)
                        .sum();
            }
            assertThat(redispatched)
                    .as("no task was lost and restored (a stream thread blocked past the EOS transaction"
                            + " timeout is fenced, and its requests start over)")
                    .isZero();
            assertThat(results.values())
                    .as("nothing fails for an outage")
                    .allSatisfy(r -> assertThat(r.getStatus()).isEqualTo(ResultStatus.SUCCEEDED));
            assertThat(results.values())
                    .as("some requests were tried during the outage and still succeeded")
                    .anySatisfy(r -> assertThat(r.getAttempts()).isGreaterThan(1));
            long bound = WINDOW + CONCURRENCY + HALF_OPEN * (length.toMillis() / OPEN_MS + 2);
            log.info(
                    "measured: {} outage of {}: {} failed calls (bound {}), simulator outage answers {}",
                    mode,
                    length,
                    failedCalls,
                    bound,
                    sim.outcomes(FaultRates.Outcome.OUTAGE));
            assertThat(failedCalls)
                    .as("failed calls: the breaker opened (>= window x 50 %%) and held them")
                    .isBetween((long) WINDOW / 2, bound);
            if (mode == SimulatorOutage.Mode.HTTP_503) {
                assertThat(sim.outcomes(FaultRates.Outcome.OUTAGE))
                        .as("503s the simulator answered")
                        .isBetween((long) WINDOW / 2, bound);
            }
        }
    }

    private static Map<String, Object> config(Infra infra, String name, SimulatorServer sim) {
        Map<String, Object> cfg = new HashMap<>(WorkerConfigs.base(infra, name));
        cfg.put("providers.sim.base-url", sim.baseUrl());
        cfg.put("providers.sim.models", List.of("*"));
        cfg.put("cache.enabled", false);
        cfg.put("dispatch.max-attempts", MAX_ATTEMPTS);
        cfg.put("dispatch.backoff-base-ms", 20);
        cfg.put("dispatch.backoff-max-ms", 500);
        cfg.put("dispatch.concurrency-initial", CONCURRENCY);
        cfg.put("dispatch.concurrency-max", CONCURRENCY);
        cfg.put("breaker.window-calls", WINDOW);
        cfg.put("breaker.open-ms", OPEN_MS);
        cfg.put("breaker.half-open-calls", HALF_OPEN);
        return cfg;
    }

    private static String id(String prefix, int i) {
        return prefix + "-" + i;
    }

    private static String content(String prefix, int i) {
        return "isolation " + prefix + " question " + i;
    }

    /** Sends requests {@code from..to-1}; {@code perSecond} > 0 paces them in 100 ms slices. */
    private static void produce(Infra infra, Map<String, Object> cfg, String prefix, int from, int to, int perSecond) {
        SchemaRegistryClient registry = SchemaRegistryClient.create(infra.schemaRegistryUrl());
        String topic = (String) cfg.get("topics.requests");
        try (var producer = new KafkaProducer<>(
                Map.<String, Object>of("bootstrap.servers", infra.kafkaBootstrap()),
                new StringSerializer(),
                new AvroSerde<>(registry, ChatRequest.class, true).serializer())) {
            long start = System.nanoTime();
            for (int i = from; i < to; i++) {
                if (perSecond > 0 && (i - from) % Math.max(1, perSecond / 10) == 0) {
                    long dueNs = start + (long) (i - from) * 1_000_000_000L / perSecond;
                    long sleepMs = (dueNs - System.nanoTime()) / 1_000_000;
                    if (sleepMs > 0) {
                        Thread.sleep(sleepMs);
                    }
                }
                ChatRequest r = ChatRequest.newBuilder()
                        .setId(id(prefix, i))
                        .setModel("sim-chat")
                        .setMessages(List.of(Message.newBuilder()
                                .setRole("user")
                                .setContent(content(prefix, i))
                                .build()))
                        .setParams(Params.newBuilder().build())
                        .build();
                producer.send(new ProducerRecord<>(topic, r.getId(), r));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Every request's one result, by id (asserting there is exactly one per id). */
    private static Map<String, ChatResult> await(Infra infra, Map<String, Object> cfg, String prefix, int n) {
        SchemaRegistryClient registry = SchemaRegistryClient.create(infra.schemaRegistryUrl());
        Set<String> ids = IntStream.range(0, n).mapToObj(i -> id(prefix, i)).collect(Collectors.toSet());
        List<ConsumerRecord<String, ChatResult>> got = ResultsReader.results(
                infra.kafkaBootstrap(),
                registry,
                (String) cfg.get("topics.results"),
                Duration.ofSeconds(240),
                recs -> recs.size() >= n
                        && recs.stream()
                                .map(ConsumerRecord::key)
                                .collect(Collectors.toSet())
                                .containsAll(ids));
        Map<String, Long> perId =
                got.stream().collect(Collectors.groupingBy(ConsumerRecord::key, Collectors.counting()));
        assertThat(perId.keySet()).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(perId.values()).as("exactly one result per request").containsOnly(1L);
        return got.stream().collect(Collectors.toMap(ConsumerRecord::key, ConsumerRecord::value));
    }

    /** The simulator's calls per Idempotency-Key (= request id). */
    private JsonNode callLog(SimulatorServer sim) throws Exception {
        return SimulatorStats.callsByKey(sim);
    }
}
