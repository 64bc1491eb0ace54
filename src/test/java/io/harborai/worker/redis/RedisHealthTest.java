package io.harborai.worker.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The state machine alone, on an injected clock: no Redis, no threads, no sleeps. */
class RedisHealthTest {

    private final AtomicLong nanos = new AtomicLong();
    private final List<String> transitions = new ArrayList<>();
    private final RedisHealth health =
            new RedisHealth(nanos::get, Duration.ofSeconds(1), new RedisHealth.Transitions() {
                @Override
                public void wentDown(String op, Throwable cause) {
                    transitions.add("down on " + op + ": " + RedisHealth.describe(cause));
                }

                @Override
                public void cameBack(long errors) {
                    transitions.add("up after " + errors);
                }
            });

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    @Test
    void shouldGoDownOnAFailureProbeOncePerIntervalAndComeBackOnASuccessfulProbe() {
        assertThat(health.up()).as("up until a first failure").isTrue();
        assertThat(health.tryProbe()).as("nothing to probe while up").isNull();
        RedisHealth.Attempt call = health.tryCall();
        assertThat(call).isNotNull();
        assertThat(call.probe()).isFalse();

        call.failed("GET", new IllegalStateException("wrapped", new IOException("refused")));
        assertThat(health.up()).isFalse();
        assertThat(health.errors()).isEqualTo(1);
        assertThat(health.outages()).isEqualTo(1);
        assertThat(transitions).containsExactly("down on GET: IOException: refused");
        assertThat(health.tryCall()).as("no ordinary call while down").isNull();
        assertThat(health.tryProbe()).as("no probe before the interval").isNull();

        advance(Duration.ofMillis(999));
        assertThat(health.tryProbe()).isNull();
        advance(Duration.ofMillis(1));
        RedisHealth.Attempt probe = health.tryProbe();
        assertThat(probe).isNotNull();
        assertThat(probe.probe()).isTrue();
        probe.failed("GET", new IOException("still refused"));
        assertThat(health.errors()).isEqualTo(2);
        assertThat(health.outages()).as("a failed probe is the same outage").isEqualTo(1);
        assertThat(transitions).as("WARN once per outage").hasSize(1);

        advance(Duration.ofMillis(999));
        assertThat(health.tryProbe())
                .as("the next probe an interval after the failed one")
                .isNull();
        advance(Duration.ofMillis(1));
        health.tryProbe().succeeded();
        assertThat(health.up()).isTrue();
        assertThat(transitions).containsExactly("down on GET: IOException: refused", "up after 2");
        assertThat(health.tryCall()).isNotNull();

        health.tryCall().succeeded();
        assertThat(transitions).as("INFO once per outage").hasSize(2);
        health.tryCall().failed("SET", new IOException("again"));
        assertThat(health.outages()).isEqualTo(2);
        assertThat(transitions).last().isEqualTo("down on SET: IOException: again");
    }

    @Test
    void shouldAdmitOneProbeAtATimeAndFreeTheSlotWhenItReports() {
        health.tryCall().failed("GET", new IOException("refused"));
        advance(Duration.ofSeconds(1));

        RedisHealth.Attempt probe = health.tryProbe();
        assertThat(probe).isNotNull();
        assertThat(health.tryProbe()).as("the probe is still running").isNull();
        advance(Duration.ofSeconds(5));
        assertThat(health.tryProbe()).as("however long it runs").isNull();

        probe.failed("GET", new IOException("timeout"));
        assertThat(health.tryProbe())
                .as("due again an interval after its failure")
                .isNull();
        advance(Duration.ofSeconds(1));
        assertThat(health.tryProbe()).as("the slot is free again").isNotNull();
    }

    @Test
    void shouldComeBackOnASuccessOutsideAnAttemptAndCountLostReportsWithoutGoingDown() {
        health.countError();
        assertThat(health.errors()).isEqualTo(1);
        assertThat(health.up())
                .as("a lost report alone says nothing about Redis")
                .isTrue();
        assertThat(transitions).isEmpty();

        health.tryCall().failed("EVALSHA", new IOException("refused"));
        health.succeeded(); // e.g. a connection check
        assertThat(health.up()).isTrue();
        assertThat(transitions).containsExactly("down on EVALSHA: IOException: refused", "up after 2");
    }

    @Test
    void shouldLetACommandThatStartedWhileUpBringRedisBackWhenItSucceedsLate() {
        RedisHealth.Attempt slow = health.tryCall();
        health.tryCall().failed("GET", new IOException("refused"));
        slow.succeeded();
        assertThat(health.up()).isTrue();
        assertThat(health.outages()).isEqualTo(1);
    }

    @Test
    void shouldRejectANegativeProbeIntervalAndDescribeTheRootCause() {
        assertThatThrownBy(() -> new RedisHealth(nanos::get, Duration.ofMillis(-1), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("probeInterval");
        assertThat(RedisHealth.describe(new RuntimeException(new IllegalStateException())))
                .isEqualTo("IllegalStateException");
    }
}
