package io.harborai.worker.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.harborai.worker.embedded.FreePorts;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.redisson.api.RFuture;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.misc.CompletableFutureWrapper;

/**
 * The gate's state machine on scripted commands and an injected clock, and once against a real
 * Redisson client pointed at a closed port. The real-Redis paths are in RedisL2CacheIT and
 * TenantBudgetsIT.
 */
class RedisGateTest {

    private static final Duration CALL_TIMEOUT = Duration.ofMillis(200);

    private final AtomicLong nanos = new AtomicLong();
    private final RedisGate gate =
            new RedisGate("test", "doing without", CALL_TIMEOUT, nanos::get, Duration.ofSeconds(1));

    @AfterEach
    void close() {
        gate.close();
    }

    /** Scripted commands: each answers "ok", or fails while {@code fail}, and counts itself. */
    private static final class Commands {
        final AtomicInteger sent = new AtomicInteger();
        final AtomicReference<String> lastThread = new AtomicReference<>();
        volatile boolean fail;

        Supplier<RFuture<String>> command() {
            return () -> {
                sent.incrementAndGet();
                lastThread.set(Thread.currentThread().getName());
                return fail
                        ? new CompletableFutureWrapper<>(new IOException("refused"))
                        : new CompletableFutureWrapper<>("ok");
            };
        }
    }

    private static <T> T answer(CompletableFuture<T> f) throws Exception {
        return f.get(5, TimeUnit.SECONDS);
    }

    @Test
    void shouldMarkRedisDownAfterAFailureAndSkipCallsUntilAProbeIsDue() throws Exception {
        Commands redis = new Commands();
        redis.fail = true;
        CompletableFuture<String> first = gate.send("GET", redis.command(), true);
        assertThatThrownBy(() -> answer(first))
                .isInstanceOf(ExecutionException.class)
                .hasRootCauseMessage("refused");
        assertThat(gate.errors()).as("counted before the future completes").isEqualTo(1);
        assertThat(gate.available()).isFalse();

        assertThat(gate.send("GET", redis.command(), true))
                .as("no probe due yet")
                .isNull();
        nanos.addAndGet(Duration.ofMillis(999).toNanos());
        assertThat(gate.send("GET", redis.command(), true)).isNull();
        nanos.addAndGet(Duration.ofMillis(1).toNanos());
        assertThat(gate.send("SET", redis.command(), false)).as("may not probe").isNull();
        assertThat(redis.sent).hasValue(1);

        CompletableFuture<String> probe = gate.send("GET", redis.command(), true);
        assertThat(probe).isNotNull();
        assertThatThrownBy(() -> answer(probe)).isInstanceOf(ExecutionException.class);
        assertThat(redis.sent).as("the probe went to Redis").hasValue(2);
        assertThat(gate.errors()).isEqualTo(2);
        assertThat(gate.send("GET", redis.command(), true))
                .as("next probe an interval after the failed one")
                .isNull();

        redis.fail = false;
        nanos.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(answer(gate.send("GET", redis.command(), true))).isEqualTo("ok");
        assertThat(gate.available()).isTrue();
        assertThat(answer(gate.send("SET", redis.command(), false))).isEqualTo("ok");
        assertThat(gate.errors()).isEqualTo(2);
    }

    @Test
    void shouldLetOnlyOneProbeRunAtATime() throws Exception {
        Commands redis = new Commands();
        redis.fail = true;
        assertThatThrownBy(() -> answer(gate.send("GET", redis.command(), true)));
        nanos.addAndGet(Duration.ofSeconds(1).toNanos());

        CompletableFuture<String> pending = new CompletableFuture<>();
        CompletableFuture<String> probe = gate.send("GET", () -> new CompletableFutureWrapper<>(pending), true);
        assertThat(probe).isNotNull();
        assertThat(gate.send("GET", redis.command(), true))
                .as("the probe is still running")
                .isNull();

        pending.complete("back");
        assertThat(answer(probe)).isEqualTo("back");
        assertThat(gate.available()).isTrue();
        assertThat(redis.sent).hasValue(1);
    }

    @Test
    void shouldSendFromTheConnectorUntilConnectedAndInlineAfterwards() throws Exception {
        Commands redis = new Commands();
        assertThat(gate.connected()).isFalse();
        gate.connectAhead(redis.command());
        await().atMost(Duration.ofSeconds(5)).until(gate::connected);
        assertThat(redis.lastThread.get()).startsWith("harbor-redis-connect");

        assertThat(answer(gate.send("GET", redis.command(), true))).isEqualTo("ok");
        assertThat(redis.lastThread.get()).isEqualTo(Thread.currentThread().getName());
    }

    @Test
    void shouldTimeOutACallAndNotSendOneWhoseCallerHasGivenUp() throws Exception {
        CountDownLatch connecting = new CountDownLatch(1);
        gate.connectAhead(() -> {
            try {
                connecting.await(5, TimeUnit.SECONDS); // a lazy connect holding the connector thread
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new CompletableFutureWrapper<>(Boolean.TRUE);
        });
        Commands redis = new Commands();
        CompletableFuture<String> call = gate.send("GET", redis.command(), true);
        assertThatThrownBy(() -> answer(call)).hasRootCauseInstanceOf(TimeoutException.class);
        assertThat(gate.errors()).isEqualTo(1);
        assertThat(gate.available()).isFalse();

        connecting.countDown();
        await().atMost(Duration.ofSeconds(5)).until(gate::connected);
        assertThat(redis.sent).as("dropped from the connector's queue").hasValue(0);
        assertThat(gate.available()).as("a successful connect marks Redis up").isTrue();
    }

    @Test
    void shouldSkipEveryCallAfterClose() {
        Commands redis = new Commands();
        gate.close();
        assertThat(gate.send("GET", redis.command(), true)).isNull();
        assertThat(gate.send("SET", redis.command(), false)).isNull();
        assertThat(redis.sent).hasValue(0);
    }

    @Test
    void shouldRejectANonPositiveCallTimeoutAndANegativeProbeInterval() {
        assertThatThrownBy(() -> new RedisGate("t", "w", Duration.ZERO, nanos::get, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("callTimeout");
        assertThatThrownBy(() -> new RedisGate("t", "w", CALL_TIMEOUT, nanos::get, Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("probeInterval");
    }

    @Test
    void shouldFailFastAgainstAClosedPortAfterTheFirstErrorWithoutBlockingTheCaller() throws Exception {
        RedissonClient client = RedisClients.create("redis://127.0.0.1:" + FreePorts.find()); // nobody listens
        try (RedisGate real = new RedisGate(
                "closed port", "doing without", Duration.ofMillis(300), System::nanoTime, Duration.ofSeconds(10))) {
            AtomicInteger sent = new AtomicInteger();
            Supplier<RFuture<String>> get = () -> {
                sent.incrementAndGet();
                return client.<String>getBucket("k", StringCodec.INSTANCE).getAsync();
            };
            // The first command is held until the test lets it go, as a lazy connect holds the
            // thread that sends it: a gate that sent it on the caller's thread would not return
            // before the 10 s give-up, and then find it finished.
            CountDownLatch release = new CountDownLatch(1);
            AtomicReference<Thread> sentFrom = new AtomicReference<>();
            AtomicBoolean firstSent = new AtomicBoolean();
            Supplier<RFuture<String>> slowFirst = () -> {
                sentFrom.set(Thread.currentThread());
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                firstSent.set(true);
                return get.get();
            };
            CompletableFuture<String> first;
            try {
                first = real.send("GET", slowFirst, true);
                assertThat(firstSent)
                        .as("the lazy connect is not on the caller")
                        .isFalse();
            } finally {
                release.countDown();
            }
            assertThatThrownBy(() -> first.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
            // null when the 300 ms call timeout passed before the connector got to it: then nothing was sent
            assertThat(sentFrom.get()).isNotSameAs(Thread.currentThread());
            assertThat(real.errors()).isEqualTo(1);
            assertThat(real.available()).isFalse();

            for (int i = 0; i < 100; i++) {
                assertThat(real.send("GET", get, true))
                        .as("answered without Redis")
                        .isNull();
            }
            assertThat(sent).as("no call reached Redis while down").hasValueLessThanOrEqualTo(1);
            assertThat(real.errors()).isEqualTo(1);
        } finally {
            RedisClients.shutdown(client);
        }
    }
}
