package io.harborai.worker.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Quantiles of the gateway's own part from two scrapes of its cumulative histogram buckets. */
class GatewayLoadTest {
    private static Map<Double, Long> buckets(long a, long b, long c) {
        Map<Double, Long> m = new TreeMap<>();
        m.put(0.005, a);
        m.put(0.010, b);
        m.put(Double.POSITIVE_INFINITY, c);
        return m;
    }

    @Test
    void shouldCountOnlyWhatWasRecordedBetweenTheScrapes() {
        Map<Double, Long> before = buckets(100, 100, 100); // the warm-up: all under 5 ms
        Map<Double, Long> after = buckets(110, 190, 200); // then 10 under 5 ms, 80 under 10, 10 above
        assertThat(GatewayLoad.quantileMs(before, after, 0.05)).isEqualTo(5.0);
        assertThat(GatewayLoad.quantileMs(before, after, 0.50)).isEqualTo(10.0);
        assertThat(GatewayLoad.quantileMs(before, after, 0.99)).isInfinite();
        assertThat(GatewayLoad.quantileMs(after, after, 0.5)).isNaN();
    }
}
