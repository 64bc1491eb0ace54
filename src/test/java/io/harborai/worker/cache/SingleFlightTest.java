package io.harborai.worker.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SingleFlightTest {
    private final SingleFlight<String> flights = new SingleFlight<>();

    @Test
    void shouldLetTheFirstRequestOfAKeyLeadAndTheOthersWaitInOrder() {
        assertThat(flights.join("k", "a")).isFalse();
        flights.lead("k", "a");
        assertThat(flights.join("k", "b")).isTrue();
        assertThat(flights.join("k", "c")).isTrue();
        assertThat(flights.join("other", "x")).isFalse();

        assertThat(flights.leader("k")).isEqualTo("a");
        assertThat(flights.land("k")).containsExactly("b", "c");
        assertThat(flights.leader("k")).isNull();
        assertThat(flights.land("k")).isEmpty();
    }

    @Test
    void shouldRefuseASecondLeaderForOneKey() {
        flights.lead("k", "a");
        assertThatThrownBy(() -> flights.lead("k", "b")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldHandEveryOpenFlightToReleaseWhenAbandoned() {
        flights.lead("k1", "a");
        flights.join("k1", "b");
        flights.lead("k2", "c");
        List<String> released = new ArrayList<>();
        flights.abandonAll((leader, waiters) -> {
            released.add(leader);
            released.addAll(waiters);
        });
        assertThat(released).containsExactlyInAnyOrder("a", "b", "c");
        assertThat(flights.leader("k1")).isNull();
        assertThat(flights.join("k2", "d")).isFalse();
    }
}
