package io.harborai.worker.cache;

import io.harborai.worker.redis.RedisGate;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;
import org.redisson.api.RBucket;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.ByteArrayCodec;

/**
 * The shared tier: encoded answers in Redis under {@code keyPrefix + key}, each with a TTL, so a
 * worker can serve what another worker paid a provider for.
 *
 * <p>Why it never fails: a cache is an optimisation, so a Redis outage must cost hit rate, not
 * requests or stream-thread time. {@link #get} never completes exceptionally and never takes
 * longer than {@code callTimeout}: an error or timeout completes it empty (a miss), adds one to
 * {@link #errors()} and marks Redis down. While down, {@code get} completes empty at once without
 * calling Redis and {@link #put} does nothing, until {@code probeInterval} has passed since the
 * last failure; then one {@code get} goes to Redis as a probe (others keep answering empty while
 * it runs). Any successful call marks Redis up again. That state machine ({@code RedisHealth},
 * shared with the budgets and the rate limiter), its logging and the connector thread that keeps a
 * lazily connecting client off the caller's thread are {@link RedisGate}'s.
 *
 * <p>Limits: the lookup that discovers an outage waits up to {@code callTimeout} for its answer,
 * and so may each probe; the wait is in the returned stage, not on the caller's thread. A
 * timed-out command is not cancelled in Redisson, which may still run it; for a SET that only
 * means the entry appears late. Puts are fire and forget: a lost put is a later miss, counted in
 * {@code errors()} when Redisson reports it. The constructor starts connecting at once (an EXISTS
 * of {@code keyPrefix}), so a worker normally connects while Kafka Streams starts, before its
 * first lookup.
 *
 * <p>Threading: any thread may call any method; the state is the gate's atomics and volatiles.
 * Returned stages complete on Redisson's Netty threads, on the JDK's {@code CompletableFuture}
 * delay thread for a timeout, or at once when answered without Redis; dependent work should be
 * short.
 */
public final class RedisL2Cache implements AutoCloseable {

    private final RedissonClient client;
    private final String keyPrefix;
    private final RedisGate gate;

    /**
     * @param client shared with the rest of the worker; the caller shuts it down
     * @param keyPrefix prepended to every key, e.g. {@code "harbor:cache:"}
     * @param callTimeout the longest a get or put waits for Redis
     * @param nanoClock monotonic nanoseconds, for the probe interval
     * @param probeInterval how long after a failure the next call may try Redis again
     */
    public RedisL2Cache(
            RedissonClient client,
            String keyPrefix,
            Duration callTimeout,
            LongSupplier nanoClock,
            Duration probeInterval) {
        this.client = Objects.requireNonNull(client, "client");
        this.keyPrefix = Objects.requireNonNull(keyPrefix, "keyPrefix");
        this.gate = new RedisGate(
                "L2 cache (" + keyPrefix + ")", "treating L2 as empty", callTimeout, nanoClock, probeInterval);
        gate.connectAhead(
                () -> client.getBucket(keyPrefix, ByteArrayCodec.INSTANCE).isExistsAsync());
    }

    /** The bytes under {@code key}; empty when absent, when Redis fails or is down, or after close. */
    public CompletionStage<Optional<byte[]>> get(String key) {
        CompletableFuture<byte[]> call = gate.send("GET", () -> bucket(key).getAsync(), true);
        if (call == null) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return call.handle((bytes, e) -> e != null ? Optional.empty() : Optional.ofNullable(bytes));
    }

    /**
     * Stores {@code value} under {@code key} for {@code ttl}, asynchronously; skipped while Redis is
     * down or after close. Never throws for Redis trouble.
     *
     * @return completes when Redis has answered, failed or timed out, or was skipped (never
     *     exceptionally)
     * @throws IllegalArgumentException if {@code ttl} is under a millisecond (Redis would refuse it)
     */
    public CompletableFuture<Void> put(String key, byte[] value, Duration ttl) {
        if (ttl.toMillis() < 1) {
            throw new IllegalArgumentException("ttl must be at least 1 ms, was " + ttl);
        }
        CompletableFuture<Void> sent = gate.send("SET", () -> bucket(key).setAsync(value, ttl), false);
        // the gate counts a failure; a caller only learns that the write has ended
        return sent == null ? CompletableFuture.completedFuture(null) : sent.handle((v, e) -> null);
    }

    /** Whether calls currently go to Redis. */
    public boolean available() {
        return gate.available();
    }

    /** Failed or timed-out gets, probes and puts since start. */
    public long errors() {
        return gate.errors();
    }

    /** Whether a command has succeeded, so commands are sent inline (tests). */
    boolean connected() {
        return gate.connected();
    }

    /** The prefix of every Redis key this cache uses. */
    String keyPrefix() {
        return keyPrefix;
    }

    /** Stops using Redis: later gets answer empty, puts are skipped. Leaves the shared client running. */
    @Override
    public void close() {
        gate.close();
    }

    private RBucket<byte[]> bucket(String key) {
        return client.getBucket(keyPrefix + key, ByteArrayCodec.INSTANCE);
    }
}
