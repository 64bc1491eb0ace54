package io.harborai.worker.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.harborai.worker.cache.CacheFixtures.ManualClock;
import io.harborai.worker.metrics.MetricsCatalog;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** L1 only (no L2): ages, expiry and meters, on an injected clock. L2 paths are in RedisL2CacheIT. */
class TwoTierCacheTest {

    private final ManualClock clock = new ManualClock();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final L1Cache l1 = new L1Cache(1_000_000, clock::millis, clock::nanos);
    private final TwoTierCache cache = new TwoTierCache(l1, null, clock::millis, meters);
    private final String key = CacheFixtures.key(42);

    @AfterEach
    void close() {
        cache.close();
    }

    private double lookups(String tier, String result) {
        return meters.get(MetricsCatalog.CACHE_LOOKUPS)
                .tag("tier", tier)
                .tag("result", result)
                .counter()
                .count();
    }

    @Test
    void shouldServeAStoredAnswerFromL1WithItsInstants() {
        long t0 = clock.millis();
        cache.store(key, CacheFixtures.answer("r1", "hello"), Duration.ofMinutes(1));

        Optional<CachedAnswer> hit = cache.getL1(key, null);

        assertThat(hit).isPresent();
        assertThat(hit.get().answer()).isEqualTo(CacheFixtures.answer("r1", "hello"));
        assertThat(hit.get().storedAtMs()).isEqualTo(t0);
        assertThat(hit.get().expiresAtMs()).isEqualTo(t0 + 60_000);
        assertThat(lookups("l1", "hit")).isEqualTo(1);
        assertThat(meters.get(MetricsCatalog.CACHE_STORES).counter().count()).isEqualTo(1);
    }

    @Test
    void shouldCountAnAbsentKeyAsAMiss() {
        assertThat(cache.getL1(key, null)).isEmpty();

        assertThat(lookups("l1", "miss")).isEqualTo(1);
        assertThat(lookups("l1", "hit")).isZero();
    }

    @Test
    void shouldTreatAnAnswerOlderThanMaxAgeAsStaleButServeItToCallersThatAcceptItsAge() {
        cache.store(key, CacheFixtures.answer("r1", "hello"), Duration.ofMinutes(1));
        clock.advanceMillis(5_000);

        assertThat(cache.getL1(key, 4_999L)).isEmpty();
        assertThat(cache.getL1(key, 5_000L)).isPresent();
        assertThat(cache.getL1(key, null)).isPresent();

        assertThat(lookups("l1", "stale")).isEqualTo(1);
        assertThat(lookups("l1", "hit")).isEqualTo(2);
        assertThat(lookups("l1", "miss")).isZero();
    }

    @Test
    void shouldCountAnExpiredAnswerAsAMiss() {
        cache.store(key, CacheFixtures.answer("r1", "hello"), Duration.ofSeconds(2));
        clock.advanceMillis(2_000);

        assertThat(cache.getL1(key, null)).isEmpty();

        assertThat(lookups("l1", "miss")).isEqualTo(1);
        assertThat(lookups("l1", "stale")).isZero();
    }

    @Test
    void shouldAnswerL2LookupsEmptyAtOnceWithoutAnL2AndCountNothing() {
        cache.store(key, CacheFixtures.answer("r1", "hello"), Duration.ofMinutes(1));

        CompletableFuture<Optional<CachedAnswer>> l2 = cache.getL2(key, null).toCompletableFuture();

        assertThat(l2).isCompletedWithValue(Optional.empty());
        assertThat(lookups("l2", "miss") + lookups("l2", "hit") + lookups("l2", "stale"))
                .isZero();
    }

    @Test
    void shouldExposeL1SizeAndL2StateAsGauges() {
        cache.store(key, CacheFixtures.answer("r1", "hello"), Duration.ofMinutes(1));
        cache.store(CacheFixtures.key(43), CacheFixtures.answer("r2", "world"), Duration.ofMinutes(1));

        assertThat(meters.get(MetricsCatalog.CACHE_L1_ENTRIES).gauge().value()).isEqualTo(2);
        assertThat(meters.get(MetricsCatalog.CACHE_L1_BYTES).gauge().value())
                .isEqualTo((double) l1.weightedBytes())
                .isGreaterThan(2 * L1Cache.ENTRY_OVERHEAD_BYTES);
        assertThat(meters.get(MetricsCatalog.CACHE_L2_AVAILABLE).gauge().value())
                .isZero();
        assertThat(meters.get(MetricsCatalog.CACHE_L2_ERRORS).functionCounter().count())
                .isZero();
        assertThat(meters.get(MetricsCatalog.CACHE_STORES).counter().count()).isEqualTo(2);
    }

    @Test
    void shouldRemoveItsMetersOnClose() {
        assertThat(meters.getMeters()).hasSize(6 + 6);

        cache.close();

        assertThat(meters.getMeters()).isEmpty();
    }

    @Test
    void shouldRefuseATtlUnderAMillisecond() {
        assertThatThrownBy(() -> cache.store(key, CacheFixtures.answer("r1", "hello"), Duration.ofNanos(999_999)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(l1.size()).isZero();
    }
}
