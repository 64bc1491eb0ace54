package io.harborai.worker.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.harborai.worker.cache.CacheFixtures.ManualClock;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class L1CacheTest {

    private final ManualClock clock = new ManualClock();

    private L1Cache cache(long maxBytes) {
        return new L1Cache(maxBytes, clock::millis, clock::nanos);
    }

    private byte[] encoded(String content, long ttlMs) {
        return CacheCodec.encode(
                new CachedAnswer(CacheFixtures.answer("r", content), clock.millis(), clock.millis() + ttlMs));
    }

    @Test
    void shouldWeighEachEntryAsItsBytesPlusKeyPlusFixedOverhead() {
        L1Cache cache = cache(1_000_000);
        byte[] bytes = encoded("hello", 60_000);

        cache.put(CacheFixtures.key(1), bytes, clock.millis() + 60_000);

        assertThat(cache.size()).isEqualTo(1);
        assertThat(cache.weightedBytes()).isEqualTo(bytes.length + 64 + L1Cache.ENTRY_OVERHEAD_BYTES);
    }

    @Test
    void shouldEvictToStayWithinMaxBytes() {
        byte[] bytes = encoded("x".repeat(1_000), 60_000);
        long entryWeight = L1Cache.weigh(CacheFixtures.key(0), bytes);
        long maxBytes = entryWeight * 10 + entryWeight / 2;
        L1Cache cache = cache(maxBytes);

        for (int i = 0; i < 50; i++) {
            cache.put(CacheFixtures.key(i), bytes, clock.millis() + 60_000);
            assertThat(cache.weightedBytes()).as("after put %d", i).isLessThanOrEqualTo(maxBytes);
        }
        cache.cleanUp();

        assertThat(cache.weightedBytes()).isLessThanOrEqualTo(maxBytes).isGreaterThan(0);
        assertThat(cache.size()).isBetween(1L, 10L);
    }

    @Test
    void shouldReturnAnEntryUntilItsExpiryAndNothingFromThen() {
        L1Cache cache = cache(1_000_000);
        String key = CacheFixtures.key(7);
        cache.put(key, encoded("hello", 1_000), clock.millis() + 1_000);

        clock.advanceMillis(999);
        assertThat(cache.get(key))
                .map(c -> c.answer().getResponse().getContent())
                .contains("hello");

        clock.advanceMillis(1);
        assertThat(cache.get(key)).isEmpty();
        cache.cleanUp();
        assertThat(cache.size()).isZero();
        assertThat(cache.weightedBytes()).isZero();
    }

    @Test
    void shouldLetCaffeineDropExpiredEntriesWithoutAGet() {
        L1Cache cache = cache(1_000_000);
        cache.put(CacheFixtures.key(1), encoded("short", 1_000), clock.millis() + 1_000);
        cache.put(CacheFixtures.key(2), encoded("long", 5_000), clock.millis() + 5_000);

        clock.advanceMillis(2_000);
        cache.cleanUp();

        assertThat(cache.size()).isEqualTo(1);
        assertThat(cache.get(CacheFixtures.key(2))).isPresent();
    }

    @Test
    void shouldNotReturnAnEntryPastItsExpiryByTheWallClockEvenIfCaffeinesClockLags() {
        AtomicLong frozenNanos = new AtomicLong();
        L1Cache cache = new L1Cache(1_000_000, clock::millis, frozenNanos::get);
        String key = CacheFixtures.key(3);
        cache.put(key, encoded("hello", 1_000), clock.millis() + 1_000);

        clock.advanceMillis(1_000);

        assertThat(cache.get(key)).isEmpty();
        assertThat(cache.size()).as("the stale entry is dropped on the way").isZero();
    }

    @Test
    void shouldNotStoreAnEntryThatHasAlreadyExpired() {
        L1Cache cache = cache(1_000_000);

        cache.put(CacheFixtures.key(4), encoded("late", 0), clock.millis());

        assertThat(cache.size()).isZero();
    }

    @Test
    void shouldTakeTheExpiryOfTheLatestPut() {
        L1Cache cache = cache(1_000_000);
        String key = CacheFixtures.key(5);
        cache.put(key, encoded("first", 1_000), clock.millis() + 1_000);
        cache.put(key, encoded("second", 10_000), clock.millis() + 10_000);

        clock.advanceMillis(5_000);
        cache.cleanUp();

        assertThat(cache.get(key))
                .map(c -> c.answer().getResponse().getContent())
                .contains("second");
    }

    @Test
    void shouldDropAnUndecodableEntryAndReportItAbsent() {
        L1Cache cache = cache(1_000_000);
        byte[] bytes = encoded("hello", 60_000);
        bytes[bytes.length - 1] = (byte) 0x80; // a varint that never ends
        String key = CacheFixtures.key(6);
        cache.put(key, bytes, clock.millis() + 60_000);

        assertThat(cache.get(key)).isEmpty();
        assertThat(cache.size()).isZero();
    }

    @Test
    void shouldHoldNothingWhenItsBoundIsZero() {
        L1Cache off = cache(0);
        String key = CacheFixtures.key(1);
        off.put(key, encoded("hello", 60_000), clock.millis() + 60_000);
        assertThat(off.get(key)).isEmpty();
        assertThat(off.weightedBytes()).isZero();
    }
}
