package io.harborai.worker.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Policy;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-process tier: encoded {@link CachedAnswer}s in a Caffeine cache bounded by bytes, each
 * entry living until its own {@code expiresAtMs}.
 *
 * <p>Why bytes and not objects: the worker's memory budget is in bytes, and an answer's size
 * varies by orders of magnitude (a one-word reply vs a long completion with its verbatim body).
 * Holding the {@link CacheCodec} bytes makes each entry's size known exactly, at the price of one
 * Avro decode per hit (microseconds, next to the provider call a hit saves). The weight of an
 * entry is {@code encoded.length + key.length() + }{@value #ENTRY_OVERHEAD_BYTES}: the key is
 * hex, so one byte per char; the fixed part approximates what the JVM spends around each entry on
 * 64-bit HotSpot with compressed oops (the Caffeine node with its expiry and weight fields and
 * links, the hash-map node, the key's String object and both array headers). So {@code maxBytes}
 * reads as heap bytes, to within the accuracy of that estimate.
 *
 * <p>Expiry: each entry expires at the {@code expiresAtMs} given to {@link #put}, a wall-clock
 * instant (it may come from another worker through L2). Caffeine measures it as a duration from
 * now on its monotonic ticker, so a wall-clock jump does not move it; {@link #get} also checks the
 * decoded {@code expiresAtMs} against the wall clock, so an entry at or past it is never returned,
 * whatever Caffeine's clock says.
 *
 * <p>Threading: any thread may call any method. Maintenance (eviction, expiry) runs on the
 * calling thread ({@code executor(Runnable::run)}): no background pool to size or to make tests
 * nondeterministic, and the amortized cost per write is small.
 */
public final class L1Cache {

    /** Approximate JVM bytes around each entry besides the key's chars and the encoded value. */
    static final int ENTRY_OVERHEAD_BYTES = 160;

    /** Caffeine's own cap on a duration (about 146 years); longer means "never" here. */
    private static final long MAX_EXPIRY_NANOS = Long.MAX_VALUE >> 1;

    private static final Logger log = LoggerFactory.getLogger(L1Cache.class);

    private final Cache<String, byte[]> cache;
    private final Policy.Eviction<String, byte[]> eviction;
    private final Policy.VarExpiration<String, byte[]> expiration;
    private final LongSupplier wallClockMs;

    /**
     * @param maxBytes the most bytes of weight (see class doc) the cache holds after maintenance; 0
     *     holds nothing (L1 off: every lookup goes to L2)
     * @param wallClockMs epoch milliseconds, the clock {@code expiresAtMs} is compared to
     */
    public L1Cache(long maxBytes, LongSupplier wallClockMs) {
        this(maxBytes, wallClockMs, System::nanoTime);
    }

    /** For tests: also the monotonic clock Caffeine measures expiry and age with. */
    L1Cache(long maxBytes, LongSupplier wallClockMs, LongSupplier nanoClock) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must not be negative, was " + maxBytes);
        }
        this.wallClockMs = wallClockMs;
        this.cache = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher(L1Cache::weigh)
                .expireAfter(new HeaderExpiry())
                .ticker(nanoClock::getAsLong)
                .executor(Runnable::run)
                .build();
        this.eviction = cache.policy().eviction().orElseThrow();
        this.expiration = cache.policy().expireVariably().orElseThrow();
    }

    /**
     * The answer under {@code key}, unless absent or at/past its {@code expiresAtMs}. An entry that
     * no longer decodes (a bug, since L1 only holds bytes that did) is dropped and reported absent.
     */
    public Optional<CachedAnswer> get(String key) {
        byte[] bytes = cache.getIfPresent(key);
        if (bytes == null) {
            return Optional.empty();
        }
        CachedAnswer cached;
        try {
            cached = CacheCodec.decode(bytes);
        } catch (IllegalArgumentException e) {
            log.warn("Dropping an undecodable L1 cache entry: {}", e.getMessage());
            cache.asMap().remove(key, bytes);
            return Optional.empty();
        }
        if (cached.expiresAtMs() <= wallClockMs.getAsLong()) {
            cache.asMap().remove(key, bytes);
            return Optional.empty();
        }
        return Optional.of(cached);
    }

    /**
     * Stores {@link CacheCodec} bytes until {@code expiresAtMs} (pass the instant encoded in them),
     * replacing any entry for {@code key}. Bytes already expired are not stored (an existing entry
     * stays). An entry heavier than the whole cache is evicted at once.
     */
    public void put(String key, byte[] encoded, long expiresAtMs) {
        long remainingMs = expiresAtMs - wallClockMs.getAsLong();
        if (remainingMs <= 0) {
            return;
        }
        expiration.put(key, encoded, toNanos(remainingMs), TimeUnit.NANOSECONDS);
    }

    /** The summed weight of the entries (see class doc), in bytes. */
    public long weightedBytes() {
        return eviction.weightedSize().orElse(0);
    }

    /** Entries held, expired ones included until maintenance removes them. */
    public long size() {
        return cache.estimatedSize();
    }

    /** Runs pending maintenance now (tests). */
    void cleanUp() {
        cache.cleanUp();
    }

    static int weigh(String key, byte[] encoded) {
        long weight = (long) encoded.length + key.length() + ENTRY_OVERHEAD_BYTES;
        return (int) Math.min(Integer.MAX_VALUE, weight);
    }

    private static long toNanos(long millis) {
        return millis >= MAX_EXPIRY_NANOS / 1_000_000 ? MAX_EXPIRY_NANOS : TimeUnit.MILLISECONDS.toNanos(millis);
    }

    /**
     * Expiry for writes that do not name a duration (none in this class: {@link #put} does):
     * the {@code expiresAtMs} in the bytes' header. Reads leave it alone.
     */
    private final class HeaderExpiry implements Expiry<String, byte[]> {
        @Override
        public long expireAfterCreate(String key, byte[] value, long currentTime) {
            if (value.length < CacheCodec.HEADER_BYTES) {
                return 0;
            }
            long expiresAtMs =
                    ByteBuffer.wrap(value, 1 + Long.BYTES, Long.BYTES).getLong();
            return Math.max(0, toNanos(expiresAtMs - wallClockMs.getAsLong()));
        }

        @Override
        public long expireAfterUpdate(String key, byte[] value, long currentTime, long currentDuration) {
            return expireAfterCreate(key, value, currentTime);
        }

        @Override
        public long expireAfterRead(String key, byte[] value, long currentTime, long currentDuration) {
            return currentDuration;
        }
    }
}
