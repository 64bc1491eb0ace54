package io.harborai.worker.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class LatencyModelTest {
    static long[] samples(LatencyModel m, int n) {
        SplittableRandom r = new SplittableRandom(1);
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = m.sampleMillis(r);
        }
        Arrays.sort(out);
        return out;
    }

    @Test
    void shouldAlwaysReturnTheFixedLatency() {
        assertThat(samples(LatencyModel.fixed(Duration.ofMillis(25)), 100)).containsOnly(25L);
    }

    @Test
    void shouldCoverTheWholeUniformRangeInclusive() {
        long[] s = samples(LatencyModel.uniform(Duration.ofMillis(10), Duration.ofMillis(20)), 10_000);
        assertThat(s[0]).isEqualTo(10);
        assertThat(s[s.length - 1]).isEqualTo(20);
        assertThat(Arrays.stream(s).average().orElseThrow()).isCloseTo(15.0, Offset.offset(0.2));
    }

    @Test
    void shouldCentreLogNormalOnItsMedianWithTheRightSpread() {
        long[] s = samples(LatencyModel.logNormal(Duration.ofMillis(100), 0.5, Duration.ZERO), 20_000);
        assertThat(s[s.length / 2]).isBetween(95L, 105L);
        // The 84th percentile of a log-normal is median * e^sigma.
        assertThat(s[(int) (s.length * 0.8413)]).isBetween(155L, 175L);
    }

    @Test
    void shouldCapLogNormal() {
        long[] s = samples(LatencyModel.logNormal(Duration.ofMillis(100), 2.0, Duration.ofMillis(300)), 5_000);
        assertThat(s[s.length - 1]).isEqualTo(300);
    }

    @Test
    void shouldRejectBadShapes() {
        assertThatThrownBy(() -> LatencyModel.uniform(Duration.ofMillis(20), Duration.ofMillis(10)))
                .hasMessageContaining("max >= min");
        assertThatThrownBy(() -> LatencyModel.logNormal(Duration.ofMillis(20), -1, Duration.ZERO))
                .hasMessageContaining("sigma");
        assertThatThrownBy(() -> new FaultRates(0.6, 1, 0.6, 0, 0, Duration.ofSeconds(1)))
                .hasMessageContaining("sum to at most 1");
        assertThatThrownBy(() -> new FaultRates(-0.1, 1, 0, 0, 0, Duration.ofSeconds(1)))
                .hasMessageContaining("429 rate");
    }
}
