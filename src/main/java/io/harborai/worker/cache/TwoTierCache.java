package io.harborai.worker.cache;

import io.harborai.worker.avro.ChatResult;
import io.harborai.worker.metrics.MetricsCatalog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The answer cache as the dispatcher sees it: a fast in-process tier ({@link L1Cache}) in front of
 * an optional shared one ({@link RedisL2Cache}), with the meters to tell how each performs.
 *
 * <p>Why L1 and L2 are separate calls rather than one {@code get}: an L1 lookup is synchronous and
 * cheap, so the stream thread can answer from it inline; an L2 lookup is a network round trip,
 * so it returns a stage the caller waits on asynchronously, like a provider call.
 *
 * <p>Contract: an answer older than the caller's {@code maxAgeMs} ({@code null}: any age) is not
 * returned and counts as {@code stale}; absent, expired and undecodable entries count as {@code
 * miss}. An L2 entry that decodes and has not expired is copied into L1 with the same {@code
 * expiresAtMs} (even when too old for this caller: it is valid for others), so the next lookup of
 * the key on this worker is an L1 hit. {@link #store} encodes once and writes both tiers. Without
 * an L2 ({@code null}), {@link #getL2} completes empty at once and counts nothing. {@link #getL2}
 * never completes exceptionally; Redis trouble is a miss (see {@link RedisL2Cache}).
 *
 * <p>Meters, registered at construction and removed by {@link #close()}: {@value #LOOKUPS}
 * (tags {@code tier=l1|l2}, {@code result=hit|miss|stale}), {@value #STORES}, {@value
 * #L2_ERRORS}, gauges {@value #L1_BYTES}, {@value #L1_ENTRIES} and {@value #L2_AVAILABLE} (1 or
 * 0; 0 without an L2). One instance per registry: a second would share the counters but not the
 * gauges.
 *
 * <p>Threading: {@link #getL1} and {@link #store} run on Kafka Streams threads, the work after an
 * L2 answer (decode, L1 back-fill, counting) on Redisson's threads; every piece of shared state is
 * thread-safe (Caffeine, Micrometer counters, atomics), so any thread may call any method. L1
 * maintenance then also runs on Redisson threads now and then; it is short.
 */
public final class TwoTierCache implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TwoTierCache.class);

    private final L1Cache l1;
    private final RedisL2Cache l2;
    private final LongSupplier wallClockMs;
    private final MeterRegistry meters;
    private final List<Meter> registered = new ArrayList<>();
    private final Lookups l1Lookups;
    private final Lookups l2Lookups;
    private final Counter stores;
    private final Counter coalesced;
    private final AtomicBoolean warnedUndecodable = new AtomicBoolean();

    /**
     * @param l2OrNull the shared tier, or {@code null} to run on L1 alone; closed by {@link #close()}
     * @param wallClockMs epoch milliseconds, for {@code storedAtMs}/{@code expiresAtMs} and ages
     */
    public TwoTierCache(L1Cache l1, RedisL2Cache l2OrNull, LongSupplier wallClockMs, MeterRegistry meters) {
        this.l1 = Objects.requireNonNull(l1, "l1");
        this.l2 = l2OrNull;
        this.wallClockMs = Objects.requireNonNull(wallClockMs, "wallClockMs");
        this.meters = Objects.requireNonNull(meters, "meters");
        this.l1Lookups = new Lookups("l1");
        this.l2Lookups = new Lookups("l2");
        this.stores = keep(Counter.builder(MetricsCatalog.CACHE_STORES)
                .description("Answers written to the cache")
                .register(meters));
        this.coalesced = keep(Counter.builder(MetricsCatalog.CACHE_COALESCED)
                .description("Requests answered by an identical request's call (single-flight)")
                .register(meters));
        keep(FunctionCounter.builder(MetricsCatalog.CACHE_L2_ERRORS, this, c -> c.l2 == null ? 0 : c.l2.errors())
                .description("Failed or timed-out Redis cache calls")
                .register(meters));
        keep(Gauge.builder(MetricsCatalog.CACHE_L1_BYTES, l1, L1Cache::weightedBytes)
                .baseUnit("bytes")
                .description("Weight of the L1 entries")
                .register(meters));
        keep(Gauge.builder(MetricsCatalog.CACHE_L1_ENTRIES, l1, L1Cache::size)
                .description("Entries in L1")
                .register(meters));
        keep(Gauge.builder(MetricsCatalog.CACHE_L2_AVAILABLE, this, c -> c.l2 != null && c.l2.available() ? 1 : 0)
                .description("1 while the Redis cache is used, 0 while it is down or absent")
                .register(meters));
    }

    /** Counts requests that waited for an identical request's lookup or call instead of their own. */
    public void countCoalesced(int requests) {
        coalesced.increment(requests);
    }

    /** The L1 answer under {@code key}, if present, unexpired and at most {@code maxAgeMs} old. */
    public Optional<CachedAnswer> getL1(String key, Long maxAgeMs) {
        Optional<CachedAnswer> found = l1.get(key);
        if (found.isEmpty()) {
            l1Lookups.miss.increment();
            return Optional.empty();
        }
        return fresh(l1Lookups, found.get(), maxAgeMs);
    }

    /** The L2 answer under {@code key}, on the same terms; back-fills L1 (see class doc). */
    public CompletionStage<Optional<CachedAnswer>> getL2(String key, Long maxAgeMs) {
        if (l2 == null) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return l2.get(key).handle((bytes, e) -> {
            try {
                return fromL2(key, e == null ? bytes : Optional.empty(), maxAgeMs);
            } catch (RuntimeException unexpected) {
                log.warn("L2 cache lookup failed; counting it as a miss", unexpected);
                l2Lookups.miss.increment();
                return Optional.empty();
            }
        });
    }

    /**
     * Caches {@code answer} for {@code ttl} from now in both tiers (L2 asynchronously, skipped while
     * Redis is down).
     *
     * @return completes when the L2 write has ended, either way (never exceptionally)
     * @throws IllegalArgumentException if {@code ttl} is under a millisecond
     */
    public CompletableFuture<Void> store(String key, ChatResult answer, Duration ttl) {
        if (ttl.toMillis() < 1) {
            throw new IllegalArgumentException("ttl must be at least 1 ms, was " + ttl);
        }
        long now = wallClockMs.getAsLong();
        long expiresAtMs = now + ttl.toMillis();
        byte[] encoded = CacheCodec.encode(new CachedAnswer(answer, now, expiresAtMs));
        l1.put(key, encoded, expiresAtMs);
        CompletableFuture<Void> written =
                l2 == null ? CompletableFuture.completedFuture(null) : l2.put(key, encoded, ttl);
        stores.increment();
        return written;
    }

    /** Closes the L2 tier (not its Redis client) and removes this cache's meters from the registry. */
    @Override
    public void close() {
        if (l2 != null) {
            l2.close();
        }
        for (Meter m : registered) {
            meters.remove(m);
        }
    }

    private Optional<CachedAnswer> fromL2(String key, Optional<byte[]> bytes, Long maxAgeMs) {
        if (bytes.isEmpty()) {
            l2Lookups.miss.increment();
            return Optional.empty();
        }
        CachedAnswer cached;
        try {
            cached = CacheCodec.decode(bytes.get());
        } catch (IllegalArgumentException e) {
            undecodable(e);
            l2Lookups.miss.increment();
            return Optional.empty();
        }
        if (cached.expiresAtMs() <= wallClockMs.getAsLong()) {
            l2Lookups.miss.increment();
            return Optional.empty();
        }
        l1.put(key, bytes.get(), cached.expiresAtMs());
        return fresh(l2Lookups, cached, maxAgeMs);
    }

    private Optional<CachedAnswer> fresh(Lookups tier, CachedAnswer cached, Long maxAgeMs) {
        if (maxAgeMs != null && !cached.fresherThan(maxAgeMs, wallClockMs.getAsLong())) {
            tier.stale.increment();
            return Optional.empty();
        }
        tier.hit.increment();
        return Optional.of(cached);
    }

    /** WARN for the first undecodable entry under this L2's prefix, DEBUG after: one cause, many keys. */
    private void undecodable(IllegalArgumentException e) {
        if (warnedUndecodable.compareAndSet(false, true)) {
            log.warn(
                    "Undecodable entry in the Redis cache under {}* ({}); counting such entries as misses"
                            + " (further ones are logged at DEBUG)",
                    l2.keyPrefix(),
                    e.getMessage());
        } else {
            log.debug("Undecodable entry in the Redis cache under {}*: {}", l2.keyPrefix(), e.getMessage());
        }
    }

    private <M extends Meter> M keep(M meter) {
        registered.add(meter);
        return meter;
    }

    /** The three lookup counters of one tier. */
    private final class Lookups {
        final Counter hit;
        final Counter miss;
        final Counter stale;

        Lookups(String tier) {
            hit = counter(tier, "hit");
            miss = counter(tier, "miss");
            stale = counter(tier, "stale");
        }

        private Counter counter(String tier, String result) {
            return keep(Counter.builder(MetricsCatalog.CACHE_LOOKUPS)
                    .tag("tier", tier)
                    .tag("result", result)
                    .description("Cache lookups by tier and result")
                    .register(meters));
        }
    }
}
