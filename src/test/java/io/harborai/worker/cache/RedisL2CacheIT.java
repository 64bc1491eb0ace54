package io.harborai.worker.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.metrics.MetricsCatalog;
import io.harborai.worker.redis.RedisClients;
import io.harborai.worker.testinfra.HarborIntegrationTest;
import io.harborai.worker.testinfra.Infra;
import io.harborai.worker.testinfra.SilentServer;
import io.harborai.worker.testinfra.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.Redisson;
import org.redisson.api.RBucket;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.ByteArrayCodec;
import org.redisson.config.Config;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two Redisson clients with their own L1s stand for two workers sharing one Redis. Measured
 * numbers are logged at INFO (look for "measured:").
 */
@HarborIntegrationTest
class RedisL2CacheIT {

    private static final Logger log = LoggerFactory.getLogger(RedisL2CacheIT.class);
    private static final Duration CALL_TIMEOUT = Duration.ofMillis(300);
    private static final Duration SLACK = Duration.ofMillis(300);

    private static RedissonClient workerA;
    private static RedissonClient workerB;

    @BeforeAll
    static void connect(Infra infra) {
        workerA = RedisClients.create(infra.redisUrl());
        workerB = RedisClients.create(infra.redisUrl());
        // Connect now, as a running worker would have: with lazy initialization the first command
        // connects on the caller's thread, which in a cold JVM takes longer than CALL_TIMEOUT.
        for (RedissonClient c : new RedissonClient[] {workerA, workerB}) {
            await().atMost(Duration.ofSeconds(10))
                    .ignoreExceptions()
                    .until(() -> !c.getBucket("harbor:warmup", ByteArrayCodec.INSTANCE)
                            .isExists());
        }
    }

    @AfterAll
    static void disconnect() {
        for (RedissonClient c : new RedissonClient[] {workerA, workerB}) {
            if (c != null) {
                RedisClients.shutdown(c);
            }
        }
    }

    private static String prefix() {
        return "harbor:" + Topics.unique("cache") + ":";
    }

    private static TwoTierCache worker(RedissonClient client, String prefix, SimpleMeterRegistry meters) {
        return new TwoTierCache(
                new L1Cache(1 << 20, System::currentTimeMillis),
                new RedisL2Cache(client, prefix, CALL_TIMEOUT, System::nanoTime, Duration.ofMillis(500)),
                System::currentTimeMillis,
                meters);
    }

    private static RBucket<byte[]> raw(String prefix, String key) {
        return workerA.getBucket(prefix + key, ByteArrayCodec.INSTANCE);
    }

    /**
     * A lookup's answer. Waits generously: that the gate ends a lookup within its call timeout is
     * shown against a silent Redis below, not by a wait a loaded machine can overrun.
     */
    private static Optional<CachedAnswer> l2(TwoTierCache cache, String key, Long maxAgeMs) throws Exception {
        return cache.getL2(key, maxAgeMs).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static double lookups(SimpleMeterRegistry meters, String tier, String result) {
        return meters.get(MetricsCatalog.CACHE_LOOKUPS)
                .tag("tier", tier)
                .tag("result", result)
                .counter()
                .count();
    }

    @Test
    void shouldServeAnAnswerStoredByOneWorkerToAnotherAndBackFillItsL1() throws Exception {
        String prefix = prefix();
        String key = CacheFixtures.key(1);
        ChatResult answer = CacheFixtures.answer("r1", "shared");
        SimpleMeterRegistry metersB = new SimpleMeterRegistry();
        try (TwoTierCache a = worker(workerA, prefix, new SimpleMeterRegistry());
                TwoTierCache b = worker(workerB, prefix, metersB)) {
            long t0 = System.nanoTime();
            a.store(key, answer, Duration.ofMinutes(1));
            await().atMost(Duration.ofSeconds(10)).until(() -> raw(prefix, key).isExists());
            CachedAnswer inRedis = CacheCodec.decode(raw(prefix, key).get());
            assertThat(inRedis.answer()).isEqualTo(answer);
            long ttl = raw(prefix, key).remainTimeToLive();
            long sinceStoreMs = (System.nanoTime() - t0) / 1_000_000;
            assertThat(ttl)
                    .as("a minute, less the %s ms since the store", sinceStoreMs)
                    .isBetween(60_000L - sinceStoreMs - 5, 60_000L);

            assertThat(b.getL1(key, null)).isEmpty();
            Optional<CachedAnswer> fromL2 = l2(b, key, null);
            Optional<CachedAnswer> fromL1 = b.getL1(key, null);

            assertThat(fromL2).contains(inRedis);
            assertThat(fromL1)
                    .as("back-filled, with the storing worker's instants")
                    .contains(inRedis);
            assertThat(lookups(metersB, "l1", "miss")).isEqualTo(1);
            assertThat(lookups(metersB, "l2", "hit")).isEqualTo(1);
            assertThat(lookups(metersB, "l1", "hit")).isEqualTo(1);
            assertThat(metersB.get(MetricsCatalog.CACHE_L2_AVAILABLE).gauge().value())
                    .isEqualTo(1);
            assertThat(metersB.get(MetricsCatalog.CACHE_L2_ERRORS)
                            .functionCounter()
                            .count())
                    .isZero();
        }
    }

    @Test
    void shouldLetRedisDropAnEntryAtItsTtlAndTheBackFilledCopyExpireWithIt() throws Exception {
        String prefix = prefix();
        String key = CacheFixtures.key(2);
        try (TwoTierCache a = worker(workerA, prefix, new SimpleMeterRegistry());
                TwoTierCache b = worker(workerB, prefix, new SimpleMeterRegistry())) {
            // 3 s, not 1: B must read the entry before it expires, and a loaded machine needs the room.
            Duration ttl = Duration.ofSeconds(3);
            long t0 = System.nanoTime(); // before the SET leaves: Redis counts the TTL from its arrival
            a.store(key, CacheFixtures.answer("r2", "brief"), ttl);
            await().atMost(ttl.minusMillis(500)).until(() -> l2(b, key, null).isPresent());
            assertThat(b.getL1(key, null)).isPresent();

            await().atMost(ttl.plusSeconds(10))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> !raw(prefix, key).isExists());
            long goneAfterMs = (System.nanoTime() - t0) / 1_000_000;
            log.info(
                    "measured: entry with a {} ms TTL gone from Redis {} ms after the store",
                    ttl.toMillis(),
                    goneAfterMs);

            assertThat(goneAfterMs).as("not before its TTL").isGreaterThanOrEqualTo(ttl.toMillis() - 200);
            assertThat(l2(b, key, null)).isEmpty();
            assertThat(b.getL1(key, null))
                    .as("the L1 copy expires with the original, not a TTL later")
                    .isEmpty();
        }
    }

    @Test
    void shouldCountUndecodableAndExpiredRedisEntriesAsMissesAndOldOnesAsStale() throws Exception {
        String prefix = prefix();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        long now = System.currentTimeMillis();
        ChatResult answer = CacheFixtures.answer("r3", "old");
        raw(prefix, CacheFixtures.key(3)).set(new byte[] {1, 2, 3}, Duration.ofMinutes(1));
        raw(prefix, CacheFixtures.key(4)).set(new byte[] {9, 9, 9, 9}, Duration.ofMinutes(1));
        // Written by a worker whose clock runs ahead: Redis still holds what has already expired here.
        raw(prefix, CacheFixtures.key(5))
                .set(CacheCodec.encode(new CachedAnswer(answer, now - 20_000, now - 1)), Duration.ofMinutes(1));
        raw(prefix, CacheFixtures.key(6))
                .set(CacheCodec.encode(new CachedAnswer(answer, now - 10_000, now + 60_000)), Duration.ofMinutes(1));
        try (TwoTierCache b = worker(workerB, prefix, meters)) {
            assertThat(l2(b, CacheFixtures.key(3), null)).isEmpty();
            assertThat(l2(b, CacheFixtures.key(4), null)).isEmpty();
            assertThat(l2(b, CacheFixtures.key(5), null)).isEmpty();
            assertThat(l2(b, CacheFixtures.key(6), 5_000L)).isEmpty();
            assertThat(l2(b, CacheFixtures.key(6), 60_000L)).isPresent();

            assertThat(lookups(meters, "l2", "miss")).isEqualTo(3);
            assertThat(lookups(meters, "l2", "stale")).isEqualTo(1);
            assertThat(lookups(meters, "l2", "hit")).isEqualTo(1);
            assertThat(b.getL1(CacheFixtures.key(3), null))
                    .as("nothing undecodable back-filled")
                    .isEmpty();
            assertThat(b.getL1(CacheFixtures.key(5), null))
                    .as("nothing expired back-filled")
                    .isEmpty();
            assertThat(b.getL1(CacheFixtures.key(6), null)).isPresent();
        }
    }

    @Test
    void shouldConnectAheadOfItsFirstLookup(Infra infra) {
        RedissonClient fresh = RedisClients.create(infra.redisUrl());
        try (RedisL2Cache l2 =
                new RedisL2Cache(fresh, prefix(), CALL_TIMEOUT, System::nanoTime, Duration.ofSeconds(1))) {
            await().atMost(Duration.ofSeconds(10)).until(l2::connected);
            assertThat(l2.errors()).isZero();
        } finally {
            RedisClients.shutdown(fresh);
        }
    }

    @Test
    void shouldStopCallingAnUnreachableRedisAndProbeItOncePerInterval() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        RedissonClient client = RedisClients.create("redis://127.0.0.1:" + closedPort);
        AtomicLong nanos = new AtomicLong();
        try (RedisL2Cache l2 = new RedisL2Cache(client, prefix(), CALL_TIMEOUT, nanos::get, Duration.ofSeconds(1))) {
            long t0 = System.nanoTime();
            assertThat(l2.get("k").toCompletableFuture().get(10, TimeUnit.SECONDS))
                    .isEmpty();
            log.info(
                    "measured: first GET against a closed port answered empty in {} ms",
                    (System.nanoTime() - t0) / 1_000_000);
            assertThat(l2.errors()).isEqualTo(1);
            assertThat(l2.available()).isFalse();

            assertThat(l2.get("k").toCompletableFuture())
                    .as("answered without Redis")
                    .isCompletedWithValue(Optional.empty());
            l2.put("k", new byte[] {1}, Duration.ofSeconds(5));
            nanos.addAndGet(Duration.ofMillis(999).toNanos());
            assertThat(l2.get("k").toCompletableFuture()).isCompletedWithValue(Optional.empty());
            Thread.sleep(CALL_TIMEOUT.plus(SLACK).toMillis());
            assertThat(l2.errors()).as("no call reached Redis while down").isEqualTo(1);

            nanos.addAndGet(Duration.ofMillis(1).toNanos());
            CompletableFuture<Optional<byte[]>> probe = l2.get("k").toCompletableFuture();
            assertThat(probe.get(10, TimeUnit.SECONDS)).isEmpty();
            assertThat(l2.errors()).as("the probe went to Redis").isEqualTo(2);
            assertThat(l2.get("k").toCompletableFuture())
                    .as("next probe only an interval after the failed one")
                    .isCompletedWithValue(Optional.empty());
            assertThat(l2.errors()).isEqualTo(2);
        } finally {
            RedisClients.shutdown(client);
        }
    }

    @Test
    void shouldNotHoldTheCallerWhenRedisAcceptsConnectionsButNeverAnswers() throws Exception {
        Duration callTimeout = Duration.ofMillis(100);
        // Redisson's own timeouts stretched from ~600 ms to 30 s: a caller held while Redisson
        // connects, or a wait that only Redisson ends, would take 30 s, which no loaded machine
        // confuses with the gate's 100 ms. The production timeouts are RedisClients' business.
        Duration redissonGivesUp = Duration.ofSeconds(30);
        SilentServer silent = new SilentServer();
        Config config = RedisClients.redissonConfig(RedisClients.RedisUrl.parse("redis://127.0.0.1:" + silent.port()));
        config.useSingleServer()
                .setTimeout((int) redissonGivesUp.toMillis())
                .setConnectTimeout((int) redissonGivesUp.toMillis())
                .setRetryAttempts(0);
        RedissonClient client = Redisson.create(config);
        try (RedisL2Cache l2 =
                new RedisL2Cache(client, prefix(), callTimeout, System::nanoTime, Duration.ofSeconds(10))) {
            long t0 = System.nanoTime();
            CompletableFuture<Optional<byte[]>> get = l2.get("k").toCompletableFuture();
            long returnedMs = (System.nanoTime() - t0) / 1_000_000;
            Optional<byte[]> answer = get.get(redissonGivesUp.toSeconds() / 3, TimeUnit.SECONDS);
            long completedMs = (System.nanoTime() - t0) / 1_000_000;
            log.info(
                    "measured: silent Redis: get returned after {} ms, completed empty after {} ms (timeout {} ms)",
                    returnedMs,
                    completedMs,
                    callTimeout.toMillis());

            assertThat(answer).as("ended by the gate's timeout, not Redisson's").isEmpty();
            assertThat(Duration.ofMillis(returnedMs))
                    .as("the caller is not held while Redisson connects")
                    .isLessThan(redissonGivesUp.dividedBy(3));
            assertThat(l2.errors()).isEqualTo(1);
            assertThat(l2.available()).isFalse();
        } finally {
            silent.close();
            RedisClients.shutdown(client);
        }
    }

    @Test
    void shouldTreatRedisAsEmptyWhileItIsDownAndUseItAgainWhenItIsBack(Infra infra) throws Exception {
        Assumptions.assumeTrue(
                infra.canRestartRedis(), "Redis from rung " + infra.redisRung() + " cannot be restarted");
        String prefix = prefix();
        ChatResult answer = CacheFixtures.answer("r7", "outage");
        RedissonClient client = RedisClients.create(infra.redisUrl());
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        RedisL2Cache l2 = new RedisL2Cache(client, prefix, CALL_TIMEOUT, System::nanoTime, Duration.ofMillis(500));
        try (TwoTierCache cache = new TwoTierCache(
                new L1Cache(1 << 20, System::currentTimeMillis), l2, System::currentTimeMillis, meters)) {
            cache.store(CacheFixtures.key(7), answer, Duration.ofMinutes(1));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> l2(cache, CacheFixtures.key(7), null).isPresent());

            double missesBefore = lookups(meters, "l2", "miss");
            infra.stopRedis();
            try {
                long t0 = System.nanoTime();
                Optional<CachedAnswer> first = l2(cache, CacheFixtures.key(7), null);
                long firstMs = (System.nanoTime() - t0) / 1_000_000;
                long t1 = System.nanoTime();
                Optional<CachedAnswer> second = l2(cache, CacheFixtures.key(7), null);
                long secondMicros = (System.nanoTime() - t1) / 1_000;
                long t2 = System.nanoTime();
                cache.store(CacheFixtures.key(8), answer, Duration.ofMinutes(1));
                long storeMicros = (System.nanoTime() - t2) / 1_000;
                log.info(
                        "measured: Redis down: first getL2 {} ms (timeout {} ms), next getL2 {} us, store {} us,"
                                + " errors {}",
                        firstMs,
                        CALL_TIMEOUT.toMillis(),
                        secondMicros,
                        storeMicros,
                        l2.errors());

                assertThat(first).isEmpty();
                assertThat(second).isEmpty();
                assertThat(l2.errors()).isPositive();
                assertThat(l2.available()).isFalse();
                assertThat(meters.get(MetricsCatalog.CACHE_L2_AVAILABLE).gauge().value())
                        .isZero();
                assertThat(meters.get(MetricsCatalog.CACHE_L2_ERRORS)
                                .functionCounter()
                                .count())
                        .isPositive();
                assertThat(lookups(meters, "l2", "miss") - missesBefore).isEqualTo(2);
                assertThat(cache.getL1(CacheFixtures.key(8), null))
                        .as("L1 still stores")
                        .isPresent();
            } finally {
                infra.startRedis();
            }

            long back0 = System.nanoTime();
            String key = CacheFixtures.key(9);
            await().atMost(Duration.ofSeconds(8))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        cache.store(key, answer, Duration.ofMinutes(1)); // skipped until a getL2 probe succeeds
                        return l2(cache, key, null).isPresent();
                    });
            log.info(
                    "measured: L2 hits again {} ms after Redis restarted ({} errors in all)",
                    (System.nanoTime() - back0) / 1_000_000,
                    l2.errors());
            assertThat(l2.available()).isTrue();
            assertThat(raw(prefix, key).isExists()).isTrue();
        } finally {
            RedisClients.shutdown(client);
        }
    }
}
