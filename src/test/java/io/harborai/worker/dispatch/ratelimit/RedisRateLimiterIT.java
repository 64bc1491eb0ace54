package io.harborai.worker.dispatch.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.harborai.worker.redis.RedisClients;
import io.harborai.worker.testinfra.HarborIntegrationTest;
import io.harborai.worker.testinfra.Infra;
import io.harborai.worker.testinfra.Topics;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two Redisson clients stand for two worker instances sharing one Redis. Measured numbers are
 * logged at INFO (look for "measured:").
 */
@HarborIntegrationTest
class RedisRateLimiterIT {

    private static final Logger log = LoggerFactory.getLogger(RedisRateLimiterIT.class);
    private static final Duration CALL_TIMEOUT = Duration.ofMillis(RateLimiters.CALL_TIMEOUT_MS);

    private static RedissonClient workerA;
    private static RedissonClient workerB;

    @BeforeAll
    static void connect(Infra infra) {
        workerA = client(infra.redisUrl());
        workerB = client(infra.redisUrl());
    }

    @AfterAll
    static void disconnect() {
        for (RedissonClient c : new RedissonClient[] {workerA, workerB}) {
            if (c != null) {
                c.shutdown(0, 2, TimeUnit.SECONDS);
            }
        }
    }

    private static RedissonClient client(String url) {
        return RedisClients.create(url);
    }

    private static List<RedisRateLimiter> twoInstances(RateLimitSpec spec) {
        return List.of(
                new RedisRateLimiter(workerA, List.of(spec), CALL_TIMEOUT),
                new RedisRateLimiter(workerB, List.of(spec), CALL_TIMEOUT));
    }

    private static String provider(String what) {
        return Topics.unique("rl-" + what);
    }

    @Test
    void shouldHoldOneRequestLimitAcrossTwoInstancesHammeredFromManyThreads() throws Exception {
        RateLimitSpec spec = RateLimitSpec.of(provider("rpm"), 600, 0);
        List<RedisRateLimiter> instances = twoInstances(spec);

        Hammer result = hammer(instances, spec.provider(), 0, Duration.ofSeconds(7));

        double allowed = 600 / 60.0 * result.seconds + spec.effectiveRequestBurst();
        double earned = 600 / 60.0 * result.callingSeconds + spec.effectiveRequestBurst();
        log.info(
                "measured: two instances granted {} (A {}, B {}) of {} calls in {} s; limit {}; worst call {} ms;"
                        + " {} unanswered",
                result.total(),
                result.granted[0],
                result.granted[1],
                result.calls,
                fmt(result.seconds),
                fmt(allowed),
                result.worstMillis,
                result.unanswered);
        assertThat((double) result.total()).isLessThanOrEqualTo(allowed * 1.05);
        assertThat((double) result.total() + result.unanswered).isGreaterThan(earned * 0.8);
        assertThat(result.granted[0]).isGreaterThan(result.total() / 10);
        assertThat(result.granted[1]).isGreaterThan(result.total() / 10);
    }

    @Test
    void shouldHoldOneTokenLimitAcrossTwoInstancesForLargeEstimates() throws Exception {
        RateLimitSpec spec = RateLimitSpec.of(provider("tpm"), 0, 60_000);
        List<RedisRateLimiter> instances = twoInstances(spec);

        long perCall = 2_000;
        Hammer result = hammer(instances, spec.provider(), perCall, Duration.ofSeconds(3));

        double allowed = 60_000 / 60.0 * result.seconds + spec.effectiveTokenBurst();
        double earned = 60_000 / 60.0 * result.callingSeconds + spec.effectiveTokenBurst();
        log.info(
                "measured: {} tokens granted in {} s; limit {}; {} calls unanswered",
                result.total() * perCall,
                fmt(result.seconds),
                fmt(allowed),
                result.unanswered);
        assertThat((double) result.total() * perCall).isLessThanOrEqualTo(allowed * 1.05);
        assertThat((double) (result.total() + result.unanswered) * perCall).isGreaterThan(earned * 0.7);
    }

    @Test
    void shouldRefundUnusedTokensAndLetIdleKeysExpire() throws Exception {
        RateLimitSpec spec = new RateLimitSpec(provider("usage"), 600, 60_000, 0, 1_000);
        RedisRateLimiter limiter = new RedisRateLimiter(workerA, List.of(spec), CALL_TIMEOUT);

        long t0 = System.nanoTime();
        assertThat(limiter.tryAcquire(spec.provider(), 1_000)).isTrue();
        assertThat(limiter.tryAcquire(spec.provider(), 600)).isFalse();
        limiter.recordUsageAsync(spec.provider(), 1_000, 100)
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        assertThat(limiter.tryAcquire(spec.provider(), 600)).isTrue();

        // Each key lives until its bucket would be full again, plus a second.
        long reqTtl = workerA.getBucket(RedisRateLimiter.requestKey(spec.provider()), StringCodec.INSTANCE)
                .remainTimeToLive();
        long tokTtl = workerA.getBucket(RedisRateLimiter.tokenKey(spec.provider()), StringCodec.INSTANCE)
                .remainTimeToLive();
        // What refilled since the first call, and the time since the last, comes off: both are
        // bounded by the time since the first call.
        long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
        assertThat(reqTtl).isBetween(1_200L - elapsedMs - 10, 1_300L); // 2 of 100 requests at 10/s
        assertThat(tokTtl).isBetween(1_700L - elapsedMs - 10, 2_100L); // 700 of 1,000 tokens at 1,000/s
    }

    @Test
    void shouldKeepAnsweringOnLocalLimitsWhileRedisIsDownAndReturnWhenItIsBack(Infra infra) {
        Assumptions.assumeTrue(
                infra.canRestartRedis(), "Redis from rung " + infra.redisRung() + " cannot be restarted");
        RateLimitSpec spec = RateLimitSpec.of(provider("outage"), 600, 0);
        try (FailoverRateLimiter limiter =
                (FailoverRateLimiter) RateLimiters.create(infra.redisUrl(), List.of(spec), 0.5)) {
            assertThat(limiter.tryAcquire(spec.provider(), 0)).isTrue();
            assertThat(limiter.usingShared()).isTrue();

            long worstNanos = 0;
            int granted = 0;
            int calls = 0;
            long t0 = System.nanoTime();
            infra.stopRedis();
            try {
                while (System.nanoTime() - t0 < Duration.ofMillis(2_500).toNanos()) {
                    long c0 = System.nanoTime();
                    granted += limiter.tryAcquire(spec.provider(), 0) ? 1 : 0;
                    worstNanos = Math.max(worstNanos, System.nanoTime() - c0);
                    calls++;
                    sleepMillis(2);
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                double localLimit = 0.5 * (600 / 60.0 * seconds + spec.effectiveRequestBurst());
                log.info(
                        "measured: Redis down: {} of {} calls granted in {} s (local limit {}), worst call {} ms,"
                                + " errors {}",
                        granted,
                        calls,
                        fmt(seconds),
                        fmt(localLimit),
                        worstNanos / 1_000_000,
                        limiter.errors());
                // Answered locally: only the call that found the outage and one probe per interval
                // went to Redis (each counts an error); a limiter still asking Redis would count
                // one per call. The one call allowed to wait is bounded by the limiter's timeout.
                assertThat(limiter.errors())
                        .isPositive()
                        .isLessThanOrEqualTo(
                                2 + (long) (seconds / FailoverRateLimiter.DEFAULT_PROBE_INTERVAL.toSeconds()));
                assertThat(Duration.ofNanos(worstNanos))
                        .as("bounded by the %s call timeout", CALL_TIMEOUT)
                        .isLessThan(CALL_TIMEOUT.multipliedBy(10));
                assertThat(limiter.usingShared()).isFalse();
                assertThat((double) granted).isGreaterThan(0).isLessThanOrEqualTo(localLimit + 1);
            } finally {
                infra.startRedis();
            }

            long back0 = System.nanoTime();
            await().atMost(Duration.ofSeconds(8))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> {
                        limiter.tryAcquire(spec.provider(), 0); // while local, calls are what trigger probes
                        return limiter.usingShared();
                    });
            log.info(
                    "measured: back on the shared limiter {} ms after Redis restarted",
                    (System.nanoTime() - back0) / 1_000_000);
            await().atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> {
                        limiter.tryAcquire(spec.provider(), 0);
                        return workerA.getKeys().countExists(RedisRateLimiter.requestKey(spec.provider())) == 1;
                    });
        }
    }

    @Test
    void shouldStartOnLocalLimitsWhenRedisIsUnreachable() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        RateLimitSpec spec = RateLimitSpec.of(provider("nostart"), 60, 0);
        try (FailoverRateLimiter limiter = (FailoverRateLimiter)
                RateLimiters.create("redis://:hunter2@127.0.0.1:" + closedPort, List.of(spec), 1.0)) {
            long t0 = System.nanoTime();
            int granted = 0;
            for (int i = 0; i < 50; i++) {
                granted += limiter.tryAcquire(spec.provider(), 0) ? 1 : 0;
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            // Local from the first failure on: the first call and at most one probe per interval
            // reached Redis, where a limiter that kept asking would count 50 errors.
            assertThat(limiter.errors())
                    .isPositive()
                    .isLessThanOrEqualTo(2 + (long) (seconds / FailoverRateLimiter.DEFAULT_PROBE_INTERVAL.toSeconds()));
            assertThat(granted).isEqualTo(spec.effectiveRequestBurst());
            assertThat(limiter.usingShared()).isFalse();
        }
    }

    /**
     * {@code seconds} spans everything (for the upper bound: no grant falls outside it); {@code
     * callingSeconds} only the time until the threads were told to stop (for the lower bound).
     * {@code unanswered}: calls Redis did not answer within the limiter's timeout (a loaded machine);
     * each may or may not have taken its share, so the lower bounds count them, the upper ones not.
     */
    private record Hammer(
            long[] granted, long calls, long unanswered, double seconds, double callingSeconds, long worstMillis) {
        long total() {
            return granted[0] + granted[1];
        }
    }

    /** Three threads per instance call tryAcquire as fast as they can for {@code duration}. */
    private static Hammer hammer(List<RedisRateLimiter> instances, String provider, long tokens, Duration duration)
            throws Exception {
        int threadsPerInstance = 3;
        ExecutorService pool = Executors.newFixedThreadPool(instances.size() * threadsPerInstance);
        AtomicBoolean stop = new AtomicBoolean();
        LongAdder[] granted = {new LongAdder(), new LongAdder()};
        LongAdder calls = new LongAdder();
        LongAdder unanswered = new LongAdder();
        long[] worst = new long[instances.size() * threadsPerInstance];
        List<Future<?>> futures = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < instances.size(); i++) {
            for (int t = 0; t < threadsPerInstance; t++) {
                int instance = i;
                int slot = i * threadsPerInstance + t;
                futures.add(pool.submit(() -> {
                    while (!stop.get()) {
                        long c0 = System.nanoTime();
                        try {
                            if (instances.get(instance).tryAcquire(provider, tokens)) {
                                granted[instance].increment();
                            }
                        } catch (RateLimiterUnavailableException e) {
                            unanswered.increment();
                        }
                        worst[slot] = Math.max(worst[slot], System.nanoTime() - c0);
                        calls.increment();
                        // Thousands of calls a second still, without six spinning threads starving
                        // the Redis client's own threads on two cores.
                        sleepMillis(1);
                    }
                }));
            }
        }
        Thread.sleep(duration.toMillis());
        stop.set(true);
        double callingSeconds = (System.nanoTime() - t0) / 1e9;
        for (Future<?> f : futures) {
            f.get(5, TimeUnit.SECONDS);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        pool.shutdown();
        long worstNanos = 0;
        for (long w : worst) {
            worstNanos = Math.max(worstNanos, w);
        }
        return new Hammer(
                new long[] {granted[0].sum(), granted[1].sum()},
                calls.sum(),
                unanswered.sum(),
                seconds,
                callingSeconds,
                worstNanos / 1_000_000);
    }

    private static void sleepMillis(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String fmt(double d) {
        return String.format("%.1f", d);
    }
}
