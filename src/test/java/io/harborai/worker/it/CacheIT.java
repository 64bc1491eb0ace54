package io.harborai.worker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.harborai.worker.HarborWorker;
import io.harborai.worker.avro.CacheOutcome;
import io.harborai.worker.avro.ChatRequest;
import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.avro.Message;
import io.harborai.worker.avro.Params;
import io.harborai.worker.avro.ResultStatus;
import io.harborai.worker.schema.AvroSerde;
import io.harborai.worker.schema.SchemaRegistryClient;
import io.harborai.worker.simulator.SimulatorOptions;
import io.harborai.worker.simulator.SimulatorServer;
import io.harborai.worker.testinfra.HarborIntegrationTest;
import io.harborai.worker.testinfra.Infra;
import io.harborai.worker.testinfra.WorkerConfigs;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dedupe on a real broker and a real redis-server: identical requests reach the provider once,
 * also when they arrive at the same moment on two worker instances; a Redis outage never fails a
 * request and L2 is used again once Redis is back; tenants never share answers.
 */
@HarborIntegrationTest
class CacheIT {
    private static final Logger log = LoggerFactory.getLogger(CacheIT.class);

    private record Req(String id, String tenant, String question) {}

    private static Map<String, Object> config(Infra infra, String name, String simUrl) {
        Map<String, Object> cfg = WorkerConfigs.base(infra, name);
        cfg.put("topics.partitions", 4);
        cfg.put("providers.sim.base-url", simUrl);
        cfg.put("providers.sim.models", List.of("*"));
        return cfg;
    }

    private static void produce(Infra infra, SchemaRegistryClient registry, String topic, List<Req> reqs) {
        try (var producer = new KafkaProducer<>(
                Map.<String, Object>of("bootstrap.servers", infra.kafkaBootstrap(), "linger.ms", 20),
                new StringSerializer(),
                new AvroSerde<>(registry, ChatRequest.class, true).serializer())) {
            for (Req q : reqs) {
                ChatRequest r = ChatRequest.newBuilder()
                        .setId(q.id())
                        .setTenant(q.tenant())
                        .setModel("sim-chat")
                        .setMessages(List.of(Message.newBuilder()
                                .setRole("user")
                                .setContent(q.question())
                                .build()))
                        .setParams(Params.newBuilder().build())
                        .build();
                producer.send(new ProducerRecord<>(topic, r.getId(), r));
            }
        }
    }

    private static Map<String, ChatResult> await(
            Infra infra, SchemaRegistryClient registry, String topic, List<Req> reqs, Duration timeout) {
        Set<String> ids = reqs.stream().map(Req::id).collect(Collectors.toSet());
        List<ConsumerRecord<String, ChatResult>> got = ResultsReader.results(
                infra.kafkaBootstrap(),
                registry,
                topic,
                timeout,
                recs -> recs.stream()
                        .map(ConsumerRecord::key)
                        .collect(Collectors.toSet())
                        .containsAll(ids));
        Map<String, Long> perId =
                got.stream().collect(Collectors.groupingBy(ConsumerRecord::key, Collectors.counting()));
        assertThat(perId.values()).as("exactly one result per request id").allMatch(c -> c == 1);
        return got.stream()
                .filter(r -> ids.contains(r.key()))
                .collect(Collectors.toMap(ConsumerRecord::key, ConsumerRecord::value));
    }

    private static List<Req> requests(String prefix, int n, int distinct, String tenant) {
        return java.util.stream.IntStream.range(0, n)
                .mapToObj(i -> new Req(prefix + i, tenant, prefix + " question " + (i % distinct)))
                .toList();
    }

    private static boolean l2Up(HarborWorker worker) {
        var gauge = worker.meters()
                .find(io.harborai.worker.metrics.MetricsCatalog.CACHE_L2_AVAILABLE)
                .gauge();
        return gauge != null && gauge.value() == 1.0;
    }

    private static Map<CacheOutcome, Long> outcomes(Map<String, ChatResult> results) {
        Map<CacheOutcome, Long> m = new EnumMap<>(CacheOutcome.class);
        results.values().forEach(r -> m.merge(r.getCache(), 1L, Long::sum));
        return m;
    }

    @Test
    @SuppressWarnings("try") // the worker runs for the whole block; the test talks to it through Kafka
    void shouldCallTheProviderOncePerDistinctRequestAcrossTwoInstances(Infra infra) throws Exception {
        SchemaRegistryClient registry = SchemaRegistryClient.create(infra.schemaRegistryUrl());
        List<Req> reqs = requests("sf-", 10_000, 2_000, null);
        try (SimulatorServer sim =
                SimulatorServer.start(SimulatorOptions.defaults().withLatency(Duration.ofMillis(50)))) {
            Map<String, Object> cfg = config(infra, "sf", sim.baseUrl());
            try (HarborWorker a = WorkerConfigs.running(cfg);
                    HarborWorker b = WorkerConfigs.running(cfg)) {
                produce(infra, registry, (String) cfg.get("topics.requests"), reqs);
                Map<String, ChatResult> byId =
                        await(infra, registry, (String) cfg.get("topics.results"), reqs, Duration.ofSeconds(180));
                log.info(
                        "measured: 10,000 requests over 2,000 keys on two instances: {} provider calls, outcomes {}",
                        sim.calls(),
                        outcomes(byId));
                assertThat(byId).hasSize(10_000);
                assertThat(byId.values())
                        .allSatisfy(r -> assertThat(r.getStatus()).isEqualTo(ResultStatus.SUCCEEDED));
                assertThat(sim.calls())
                        .as("one provider call per distinct request")
                        .isEqualTo(2_000);
                assertThat(outcomes(byId).get(CacheOutcome.MISS)).isEqualTo(2_000);
                for (Req q : reqs.subList(0, 50)) {
                    assertThat(byId.get(q.id()).getResponse().getContent())
                            .as("every request gets the answer to its own question")
                            .contains(q.question());
                }
            }
        }
    }

    @Test
    @SuppressWarnings("try") // the worker runs for the whole block; the test talks to it through Kafka
    void shouldServeThroughARedisOutageAndUseL2AgainWhenItReturns(Infra infra) throws Exception {
        assumeThat(infra.canRestartRedis())
                .as("needs a Redis the test may stop")
                .isTrue();
        SchemaRegistryClient registry = SchemaRegistryClient.create(infra.schemaRegistryUrl());
        try (SimulatorServer sim =
                SimulatorServer.start(SimulatorOptions.defaults().withLatency(Duration.ofMillis(20)))) {
            Map<String, Object> cfg = config(infra, "l2o", sim.baseUrl());
            String requests = (String) cfg.get("topics.requests");
            String results = (String) cfg.get("topics.results");
            List<Req> before = requests("l2o-a-", 300, 300, null);
            List<Req> during = requests("l2o-b-", 600, 300, null);
            List<Req> after = requests("l2o-c-", 200, 200, null);
            try (HarborWorker a = WorkerConfigs.running(cfg);
                    HarborWorker b = WorkerConfigs.running(cfg)) {
                produce(infra, registry, requests, before);
                await(infra, registry, results, before, Duration.ofSeconds(60));
                infra.stopRedis();
                Map<String, ChatResult> down;
                try {
                    produce(infra, registry, requests, during);
                    down = await(infra, registry, results, during, Duration.ofSeconds(90));
                } finally {
                    infra.startRedis();
                }
                assertThat(down.values())
                        .as("no request fails because Redis is down")
                        .allSatisfy(r -> assertThat(r.getStatus()).isEqualTo(ResultStatus.SUCCEEDED));
                assertThat(outcomes(down).get(CacheOutcome.MISS))
                        .as("L1 and single-flight still dedupe")
                        .isEqualTo(300);
                // Both instances must use Redis again before the measured requests, or answers stored
                // before an instance's next probe are skipped: probe with distinct requests until each
                // instance's L2 gauge reads 1 (state, not a guessed sleep).
                long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                for (int round = 0; !(l2Up(a) && l2Up(b)); round++) {
                    assertThat(System.nanoTime())
                            .as("both instances use L2 again within 60 s")
                            .isLessThan(until);
                    List<Req> probes = requests("l2o-probe" + round + "-", 20, 20, null);
                    produce(infra, registry, requests, probes);
                    await(infra, registry, results, probes, Duration.ofSeconds(60));
                    Thread.sleep(300);
                }
                produce(infra, registry, requests, after);
                await(infra, registry, results, after, Duration.ofSeconds(60));
            }
            // Fresh instances have empty L1s: what they do not call for again came from Redis.
            long callsBefore = sim.calls();
            List<Req> replay = after.stream()
                    .map(q -> new Req(q.id() + "-again", null, q.question()))
                    .toList();
            try (HarborWorker c = WorkerConfigs.running(cfg)) {
                produce(infra, registry, requests, replay);
                Map<String, ChatResult> again = await(infra, registry, results, replay, Duration.ofSeconds(60));
                log.info("measured: after the outage, replayed on a fresh instance: outcomes {}", outcomes(again));
                assertThat(outcomes(again).getOrDefault(CacheOutcome.L2, 0L))
                        .as("L2 serves again after the outage")
                        .isGreaterThanOrEqualTo(190);
                assertThat(sim.calls() - callsBefore).isLessThanOrEqualTo(10);
            }
        }
    }

    @Test
    @SuppressWarnings("try") // the worker runs for the whole block; the test talks to it through Kafka
    void shouldNeverServeOneTenantAnotherTenantsAnswer(Infra infra) throws Exception {
        SchemaRegistryClient registry = SchemaRegistryClient.create(infra.schemaRegistryUrl());
        try (SimulatorServer sim = SimulatorServer.start(SimulatorOptions.defaults())) {
            Map<String, Object> cfg = config(infra, "tenant", sim.baseUrl());
            String requests = (String) cfg.get("topics.requests");
            String results = (String) cfg.get("topics.results");
            List<Req> tenantA = List.of(new Req("ta-1", "A", "shared question"));
            List<Req> tenantB =
                    List.of(new Req("tb-1", "B", "shared question"), new Req("tb-2", "B", "shared question"));
            try (HarborWorker w = WorkerConfigs.running(cfg)) {
                produce(infra, registry, requests, tenantA);
                Map<String, ChatResult> a = await(infra, registry, results, tenantA, Duration.ofSeconds(60));
                produce(infra, registry, requests, tenantB);
                Map<String, ChatResult> b = await(infra, registry, results, tenantB, Duration.ofSeconds(60));
                assertThat(a.get("ta-1").getCache()).isEqualTo(CacheOutcome.MISS);
                assertThat(b.get("tb-1").getCache())
                        .as("tenant B is not served tenant A's answer")
                        .isIn(CacheOutcome.MISS);
                assertThat(b.get("tb-2").getCache())
                        .as("but tenant B shares with itself")
                        .isIn(CacheOutcome.L1, CacheOutcome.COALESCED);
                assertThat(b.get("tb-1").getTenant()).isEqualTo("B");
                assertThat(sim.calls()).as("one call per tenant").isEqualTo(2);
            }
        }
    }
}
