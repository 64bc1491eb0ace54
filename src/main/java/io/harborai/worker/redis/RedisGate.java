package io.harborai.worker.redis;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.redisson.api.RFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends Redis commands for one user of Redis (the L2 cache, tenant budgets) without ever holding
 * the caller, and keeps that user's up / down / probe state ({@link RedisHealth}), so that a Redis
 * outage costs a fallback, not requests or stream-thread time.
 *
 * <p>Contract: {@link #send} returns {@code null} when it does not call Redis (closed, or down and
 * not allowed or not yet due to probe); otherwise a future that completes within {@code
 * callTimeout}, exceptionally on any failure or timeout, and only after this gate's state has
 * been updated (so a dependent stage already sees {@link #errors()} and {@link #available()}). A
 * failure adds one to {@code errors()}, marks Redis down and schedules the next probe {@code
 * probeInterval} later; any success marks it up. While down, exactly one probing command at a
 * time goes to Redis: callers race for the probe and one wins. WARN once per outage, INFO once
 * when Redis answers again, both naming the user.
 *
 * <p>Limits: the command that discovers an outage waits up to {@code callTimeout} for its answer,
 * and so may each probe; the wait is in the returned future, not on the caller's thread. A
 * timed-out command is not cancelled in Redisson, which may still run it.
 *
 * <p>Why a connector thread: a Redisson client built with lazy initialization ({@link
 * RedisClients}) connects on the thread that sends its first command, before any future exists to
 * time out; measured, that held the caller ~35 ms warm, ~1 s in a cold JVM, ~100 ms per call while
 * Redis refused connections, and ~600 ms per call (2 s the first time) while a server accepted
 * connections but never answered. So until a first command succeeds, commands are sent from one
 * daemon thread (it exits after 30 s idle, and on {@link #close()}), and the caller only waits on
 * the future, within {@code callTimeout}; a command whose caller has already given up is not sent.
 * {@link #connectAhead} starts that connection before the first real command. From the first
 * success on, commands are sent inline, with no hop: once connected, Redisson sends asynchronously
 * (measured: under 5 ms per call while a killed Redis refused reconnection).
 *
 * <p>Threading: any thread may call any method; the state is {@link RedisHealth}'s atomics and
 * two volatiles. Returned futures complete on Redisson's Netty threads, on the JDK's {@code
 * CompletableFuture} delay thread for a timeout, or on the connector thread when sending itself
 * throws; dependent work should be short.
 */
public final class RedisGate implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisGate.class);
    private static final long CONNECT_AHEAD_TIMEOUT_SECONDS = 10;

    private final String name;
    private final long callTimeoutMillis;
    private final RedisHealth health;
    private final ThreadPoolExecutor connector;
    /** Set by the first successful command: the client is connected, sending no longer blocks. */
    private volatile boolean connected;

    private volatile boolean closed;

    /**
     * @param name the user of Redis as log lines name it, after "Redis", e.g. {@code "L2 cache
     *     (harbor:cache:)"}; also names the connector thread
     * @param whileDown what the user does while Redis is down, for the WARN line, e.g. {@code
     *     "treating L2 as empty"}
     * @param callTimeout the longest a command may take before it counts as failed
     * @param nanoClock monotonic nanoseconds, for the probe interval
     * @param probeInterval how long after a failure the next probe may go to Redis
     * @throws IllegalArgumentException if {@code callTimeout} is not positive or {@code
     *     probeInterval} is negative
     */
    public RedisGate(
            String name, String whileDown, Duration callTimeout, LongSupplier nanoClock, Duration probeInterval) {
        if (callTimeout.isNegative() || callTimeout.isZero()) {
            throw new IllegalArgumentException("callTimeout must be positive, was " + callTimeout);
        }
        this.name = Objects.requireNonNull(name, "name");
        Objects.requireNonNull(whileDown, "whileDown");
        this.callTimeoutMillis = Math.max(1, callTimeout.toMillis());
        this.health = new RedisHealth(nanoClock, probeInterval, new RedisHealth.Transitions() {
            @Override
            public void wentDown(String op, Throwable cause) {
                log.warn(
                        "Redis {} unavailable on {} ({}); {}, probing every {} ms",
                        name,
                        op,
                        RedisHealth.describe(cause),
                        whileDown,
                        probeInterval.toMillis());
            }

            @Override
            public void cameBack(long errors) {
                log.info("Redis {} answers again after {} errors in total", name, errors);
            }
        });
        this.connector = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "harbor-redis-connect " + name);
            t.setDaemon(true);
            return t;
        });
        this.connector.allowCoreThreadTimeOut(true);
    }

    /**
     * Sends {@code command} unless closed or down; while down, only when {@code mayProbe} and a probe
     * is due, as the one probe. Never blocks the caller on Redis.
     *
     * @param op the command's name for the WARN line, e.g. {@code "GET"}
     * @param command starts the command; called on this thread once connected, else on the
     *     connector thread, and not at all if the caller's wait is over first
     * @param mayProbe whether this command may be the probe while Redis is down; pass {@code false}
     *     for writes that only make sense while Redis is up
     * @return the answer, or {@code null} when Redis was not called
     */
    public <T> CompletableFuture<T> send(String op, Supplier<RFuture<T>> command, boolean mayProbe) {
        if (closed) {
            return null;
        }
        RedisHealth.Attempt attempt = health.tryCall();
        if (attempt == null && mayProbe) {
            attempt = health.tryProbe();
        }
        if (attempt == null) {
            return null;
        }
        RedisHealth.Attempt reported = attempt;
        CompletableFuture<T> result = new CompletableFuture<>();
        dispatch(command, result);
        return result.orTimeout(callTimeoutMillis, TimeUnit.MILLISECONDS).whenComplete((v, e) -> {
            if (e != null) {
                reported.failed(op, e);
            } else {
                connected = true;
                reported.succeeded();
            }
        });
    }

    /**
     * Starts connecting now, on the connector thread, so the first real commands (typically seconds
     * later, once Kafka Streams runs) find the client connected and do not time out while it
     * connects. Not a probe: a failure is only logged at DEBUG and changes no state; real commands
     * decide. A success marks Redis up and connected.
     *
     * @param command any cheap command, e.g. an EXISTS of the user's key prefix
     */
    public void connectAhead(Supplier<? extends RFuture<?>> command) {
        CompletableFuture<Object> result = new CompletableFuture<>();
        dispatch(command, result);
        result.orTimeout(CONNECT_AHEAD_TIMEOUT_SECONDS, TimeUnit.SECONDS).whenComplete((v, e) -> {
            if (e == null) {
                connected = true;
                health.succeeded();
            } else {
                log.debug("Redis {} could not connect ahead of use: {}", name, RedisHealth.describe(e));
            }
        });
    }

    /** Whether commands currently go to Redis (true until a first failure). */
    public boolean available() {
        return health.up();
    }

    /** Failed or timed-out commands, probes included, since start; connect-ahead not counted. */
    public long errors() {
        return health.errors();
    }

    /** Whether a command has succeeded, so commands are sent inline rather than from the connector. */
    public boolean connected() {
        return connected;
    }

    /**
     * Stops using Redis: later {@link #send} calls return {@code null}; commands already queued on
     * the connector still run. Leaves the Redisson client, which the caller owns, running.
     */
    @Override
    public void close() {
        closed = true;
        connector.shutdown();
    }

    /** Sends inline once connected, else from the connector; the future is ours, never Redisson's. */
    private <T> void dispatch(Supplier<? extends RFuture<? extends T>> command, CompletableFuture<T> result) {
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
}
