package io.harborai.worker.cache;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.redisson.api.RFuture;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.ByteArrayCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * it runs). Any successful call marks Redis up again. The same state machine as {@code
 * FailoverRateLimiter}, kept separate because here the fallback is "no cache", not another
 * limiter. WARN once per outage, INFO once when Redis answers again.
 *
 * <p>Limits: the lookup that discovers an outage waits up to {@code callTimeout} for its answer,
 * and so may each probe; the wait is in the returned stage, not on the caller's thread. A
 * timed-out command is not cancelled in Redisson, which may still run it; for a SET that only
 * means the entry appears late. Puts are fire and forget: a lost put is a later miss, counted in
 * {@code errors()} when Redisson reports it.
 *
 * <p>Why a connector thread: a Redisson client built with lazy initialization ({@code
 * RedisClients}) connects on the thread that sends its first command, before any future exists
 * to time out; measured, that held the caller ~35 ms warm, ~1 s in a cold JVM, ~100 ms per call
 * while Redis refused connections, and ~600 ms per call (2 s the first time) while a server
 * accepted connections but never answered. So until a first command succeeds, commands are sent
 * from one daemon thread (it exits after 30 s idle, and on {@link #close()}), and the caller only
 * waits on the stage, within {@code callTimeout}; a command whose caller has already given up is
 * not sent. The constructor starts that connection at once (an EXISTS of {@code keyPrefix}), so
 * a worker normally connects while Kafka Streams starts, before its first lookup. From the first
 * success on, commands are sent inline, with no hop: once connected, Redisson sends
 * asynchronously (measured: under 5 ms per call while a killed Redis refused reconnection).
 *
 * <p>Threading: any thread may call any method. The state is atomics and volatiles; callers race
 * for the probe and exactly one wins. Returned stages complete on Redisson's Netty threads, on
 * the JDK's {@code CompletableFuture} delay thread for a timeout, or at once when answered
 * without Redis; dependent work should be short.
 */
public final class RedisL2Cache implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisL2Cache.class);

    private final RedissonClient client;
    private final String keyPrefix;
    private final long callTimeoutMillis;
    private final LongSupplier nanoClock;
    private final long probeIntervalNanos;
    private final AtomicBoolean up = new AtomicBoolean(true);
    private final AtomicBoolean probing = new AtomicBoolean();
    private final AtomicLong nextProbeNanos = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final ThreadPoolExecutor connector;
    /** Set by the first successful command: the client is connected, sending no longer blocks. */
    private volatile boolean connected;
    private volatile boolean closed;

    /**
     * @param client shared with the rest of the worker; the caller shuts it down
     * @param keyPrefix prepended to every key, e.g. {@code "harbor:cache:"}
     * @param callTimeout the longest a get or put waits for Redis
     * @param nanoClock monotonic nanoseconds, for the probe interval
     * @param probeInterval how long after a failure the next call may try Redis again
     */
    public RedisL2Cache(RedissonClient client, String keyPrefix, Duration callTimeout, LongSupplier nanoClock,
                        Duration probeInterval) {
        if (callTimeout.isNegative() || callTimeout.isZero()) {
            throw new IllegalArgumentException("callTimeout must be positive, was " + callTimeout);
        }
        if (probeInterval.isNegative()) {
            throw new IllegalArgumentException("probeInterval must not be negative, was " + probeInterval);
        }
        this.client = Objects.requireNonNull(client, "client");
        this.keyPrefix = Objects.requireNonNull(keyPrefix, "keyPrefix");
        this.callTimeoutMillis = Math.max(1, callTimeout.toMillis());
        this.nanoClock = nanoClock;
        this.probeIntervalNanos = probeInterval.toNanos();
        this.connector = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "harbor-l2-connect");
            t.setDaemon(true);
            return t;
        });
        this.connector.allowCoreThreadTimeOut(true);
        connectAhead();
    }

    /** The bytes under {@code key}; empty when absent, when Redis fails or is down, or after close. */
    public CompletionStage<Optional<byte[]>> get(String key) {
        if (closed) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        boolean probe = false;
        if (!up.get()) {
            if (nanoClock.getAsLong() - nextProbeNanos.get() < 0 || !probing.compareAndSet(false, true)) {
                return CompletableFuture.completedFuture(Optional.empty());
            }
            probe = true;
        }
        boolean isProbe = probe;
        CompletableFuture<byte[]> call = send(() -> client.<byte[]>getBucket(keyPrefix + key, ByteArrayCodec.INSTANCE)
                .getAsync());
        return call.orTimeout(callTimeoutMillis, TimeUnit.MILLISECONDS).handle((bytes, e) -> {
            if (isProbe) {
                probing.set(false);
            }
            if (e != null) {
                failed("GET", e);
                return Optional.empty();
            }
            markUp();
            return Optional.ofNullable(bytes);
        });
    }

    /**
     * Stores {@code value} under {@code key} for {@code ttl}, asynchronously; skipped while Redis is
     * down or after close. Never throws for Redis trouble.
     *
     * @throws IllegalArgumentException if {@code ttl} is under a millisecond (Redis would refuse it)
     */
    public void put(String key, byte[] value, Duration ttl) {
        if (ttl.toMillis() < 1) {
            throw new IllegalArgumentException("ttl must be at least 1 ms, was " + ttl);
        }
        if (closed || !up.get()) {
            return;
        }
        CompletableFuture<Void> call = send(() -> client.<byte[]>getBucket(keyPrefix + key, ByteArrayCodec.INSTANCE)
                .setAsync(value, ttl));
        call.orTimeout(callTimeoutMillis, TimeUnit.MILLISECONDS).whenComplete((v, e) -> {
            if (e != null) {
                failed("SET", e);
            } else {
                markUp();
            }
        });
    }

    /** Whether calls currently go to Redis. */
    public boolean available() {
        return up.get();
    }

    /** Failed or timed-out gets, probes and puts since start. */
    public long errors() {
        return errors.get();
    }

    /** Whether a command has succeeded, so commands are sent inline (tests). */
    boolean connected() {
        return connected;
    }

    /** The prefix of every Redis key this cache uses. */
    String keyPrefix() {
        return keyPrefix;
    }

    /** Stops using Redis: later gets answer empty, puts are skipped. Leaves the shared client running. */
    @Override
    public void close() {
        closed = true;
        connector.shutdown();
    }

    /**
     * Starts connecting now, on the connector thread, so the first lookups (typically seconds later,
     * once Kafka Streams runs) find the client connected and do not time out while it connects.
     * Not a probe: a failure is only logged at DEBUG and changes no state; lookups decide.
     */
    private void connectAhead() {
        send(() -> client.getBucket(keyPrefix, ByteArrayCodec.INSTANCE).isExistsAsync()).whenComplete((v, e) -> {
            if (e == null) {
                markUp();
            } else {
                log.debug("Redis L2 cache ({}) could not connect ahead of use: {}", keyPrefix, describe(e));
            }
        });
    }

    /**
     * Sends a command: inline once the client is connected, else from the connector thread (see
     * class doc). The future is ours, never Redisson's, so timing it out leaves Redisson alone.
     */
    private <T> CompletableFuture<T> send(Supplier<RFuture<T>> command) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Runnable task = () -> {
            if (result.isDone()) {
                return; // timed out while queued behind a connect attempt
            }
            try {
                command.get().whenComplete((v, e) -> {
                    if (e != null) {
                        result.completeExceptionally(e);
                    } else {
                        result.complete(v);
                    }
                });
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        };
        if (connected) {
            task.run();
        } else {
            try {
                connector.execute(task);
            } catch (RuntimeException e) { // rejected: closed meanwhile
                result.completeExceptionally(e);
            }
        }
        return result;
    }

    private void failed(String op, Throwable e) {
        errors.incrementAndGet();
        nextProbeNanos.set(nanoClock.getAsLong() + probeIntervalNanos);
        if (up.compareAndSet(true, false)) {
            log.warn("Redis L2 cache ({}) unavailable on {} ({}); treating L2 as empty, probing every {} ms",
                    keyPrefix, op, describe(e), TimeUnit.NANOSECONDS.toMillis(probeIntervalNanos));
        }
    }

    private void markUp() {
        connected = true;
        if (up.compareAndSet(false, true)) {
            log.info("Redis L2 cache ({}) answers again after {} errors in total", keyPrefix, errors.get());
        }
    }

    /** The root cause's class and message: Redisson wraps connection errors several times over. */
    private static String describe(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
}
