package io.harborai.worker.cost;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.redisson.api.RFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends Redis commands for {@link RedisTenantBudgets} without ever holding the caller, and keeps
 * the up / down / probe state: the same state machine and connector thread as {@code
 * cache.RedisL2Cache} (read its class doc for the measurements behind them), kept separate because
 * that class's sending is private to it.
 *
 * <p>Contract: {@link #send} returns {@code null} when it does not call Redis (closed, or down and
 * not allowed or not yet due to probe); otherwise a future that completes within {@code
 * callTimeout}, exceptionally on any failure. A failure adds one to {@link #errors()}, marks Redis
 * down and schedules the next probe {@code probeInterval} later; any success marks it up. While
 * down, exactly one probing command at a time goes to Redis. Until a first command succeeds,
 * commands are sent from one daemon thread, because a lazily connecting Redisson client connects on
 * the sending thread.
 *
 * <p>Threading: any thread may call any method; the state is atomics and volatiles.
 */
final class RedisGate implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisGate.class);

    private final String name;
    private final long callTimeoutMillis;
    private final LongSupplier nanoClock;
    private final long probeIntervalNanos;
    private final AtomicBoolean up = new AtomicBoolean(true);
    private final AtomicBoolean probing = new AtomicBoolean();
    private final AtomicLong nextProbeNanos = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final ThreadPoolExecutor connector;
    private volatile boolean connected;
    private volatile boolean closed;

    RedisGate(String name, Duration callTimeout, LongSupplier nanoClock, Duration probeInterval) {
        if (callTimeout.isNegative() || callTimeout.isZero()) {
            throw new IllegalArgumentException("callTimeout must be positive, was " + callTimeout);
        }
        if (probeInterval.isNegative()) {
            throw new IllegalArgumentException("probeInterval must not be negative, was " + probeInterval);
        }
        this.name = name;
        this.callTimeoutMillis = Math.max(1, callTimeout.toMillis());
        this.nanoClock = nanoClock;
        this.probeIntervalNanos = probeInterval.toNanos();
        this.connector = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "harbor-budget-connect");
            t.setDaemon(true);
            return t;
        });
        this.connector.allowCoreThreadTimeOut(true);
    }

    /**
     * Sends {@code command} unless closed or down; while down, only when {@code mayProbe} and a probe
     * is due, as the one probe.
     *
     * @return the answer, or {@code null} when Redis was not called
     */
    <T> CompletableFuture<T> send(String op, Supplier<RFuture<T>> command, boolean mayProbe) {
        if (closed) {
            return null;
        }
        boolean probe = false;
        if (!up.get()) {
            if (!mayProbe || nanoClock.getAsLong() - nextProbeNanos.get() < 0 || !probing.compareAndSet(false, true)) {
                return null;
            }
            probe = true;
        }
        boolean isProbe = probe;
        CompletableFuture<T> result = new CompletableFuture<>();
        dispatch(command, result);
        return result.orTimeout(callTimeoutMillis, TimeUnit.MILLISECONDS).whenComplete((v, e) -> {
            if (isProbe) {
                probing.set(false);
            }
            if (e != null) {
                failed(op, e);
            } else {
                markUp();
            }
        });
    }

    /** Connects ahead of first use; a failure only logs at DEBUG (the first real call decides). */
    void connectAhead(Supplier<RFuture<Boolean>> command) {
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        dispatch(command, result);
        result.orTimeout(10, TimeUnit.SECONDS).whenComplete((v, e) -> {
            if (e == null) {
                markUp();
            } else {
                log.debug("Redis budgets ({}) could not connect ahead of use: {}", name, describe(e));
            }
        });
    }

    boolean available() {
        return up.get();
    }

    long errors() {
        return errors.get();
    }

    boolean connected() {
        return connected;
    }

    @Override
    public void close() {
        closed = true;
        connector.shutdown();
    }

    private <T> void dispatch(Supplier<RFuture<T>> command, CompletableFuture<T> result) {
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
    }

    private void failed(String op, Throwable e) {
        errors.incrementAndGet();
        nextProbeNanos.set(nanoClock.getAsLong() + probeIntervalNanos);
        if (up.compareAndSet(true, false)) {
            log.warn("Redis budgets ({}) unavailable on {} ({}); letting every request through, probing every {} ms",
                    name, op, describe(e), TimeUnit.NANOSECONDS.toMillis(probeIntervalNanos));
        }
    }

    private void markUp() {
        connected = true;
        if (up.compareAndSet(false, true)) {
            log.info("Redis budgets ({}) answer again after {} errors in total", name, errors.get());
        }
    }

    /** The root cause's class and message: Redisson wraps connection errors several times over. */
    static String describe(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
}
