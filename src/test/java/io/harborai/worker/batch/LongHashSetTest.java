package io.harborai.worker.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link LongHashSet} against {@link HashSet} as the reference, including zero, growth and collisions. */
class LongHashSetTest {
    @Test
    void shouldReportEachValueAddedOnlyOnce() {
        LongHashSet set = new LongHashSet();
        assertThat(set.add(42)).isTrue();
        assertThat(set.add(42)).isFalse();
        assertThat(set.add(0)).isTrue();
        assertThat(set.add(0)).isFalse();
        assertThat(set.add(-1)).isTrue();
        assertThat(set.add(Long.MIN_VALUE)).isTrue();
        assertThat(set.contains(42)).isTrue();
        assertThat(set.contains(0)).isTrue();
        assertThat(set.contains(-1)).isTrue();
        assertThat(set.contains(Long.MIN_VALUE)).isTrue();
        assertThat(set.contains(43)).isFalse();
        assertThat(set.size()).isEqualTo(4);
    }

    @Test
    void shouldAgreeWithHashSetWhileGrowing() {
        LongHashSet set = new LongHashSet();
        Set<Long> reference = new HashSet<>();
        Random random = new Random(7);
        for (int i = 0; i < 200_000; i++) {
            // A small range forces many repeats; sequential values stress the index scrambling.
            long v = i % 3 == 0 ? random.nextInt(50_000) : (i % 3 == 1 ? random.nextLong() : (long) i << 32);
            assertThat(set.add(v)).as("add %d", v).isEqualTo(reference.add(v));
        }
        assertThat(set.size()).isEqualTo(reference.size());
        for (long v : reference) {
            assertThat(set.contains(v)).isTrue();
        }
        for (int i = 0; i < 10_000; i++) {
            long v = random.nextLong();
            assertThat(set.contains(v)).isEqualTo(reference.contains(v));
        }
    }

    @Test
    void shouldPresizeForTheExpectedCountAndStayUnderTheLoadFactor() {
        LongHashSet set = new LongHashSet(1_000_000);
        int before = set.capacity();
        assertThat(before).isEqualTo(1 << 21);
        for (long i = 1; i <= 1_000_000; i++) {
            set.add(i * 0x9E3779B97F4A7C15L);
        }
        assertThat(set.capacity()).as("no growth up to the expected count").isEqualTo(before);
        assertThat(set.size()).isEqualTo(1_000_000);
        set.add(-7);
        assertThat(new LongHashSet(0).capacity()).isEqualTo(16);
    }
}
