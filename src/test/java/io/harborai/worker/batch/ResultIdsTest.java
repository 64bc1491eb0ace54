package io.harborai.worker.batch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The line number comes only from an exact {@code <batch>:<N>} id; anything else is not a line. */
class ResultIdsTest {
    @Test
    void shouldParseTheLineNumberOfThisBatchOnly() {
        assertThat(ResultIds.lineNumber("b1", "b1:1")).isEqualTo(1);
        assertThat(ResultIds.lineNumber("b1", "b1:20000")).isEqualTo(20000);
        assertThat(ResultIds.lineNumber("b1", ResultIds.of("b1", 2147483646L))).isEqualTo(2147483646);
        assertThat(ResultIds.lineNumber("b1", "b2:1")).isEqualTo(-1);
        assertThat(ResultIds.lineNumber("b1", "b10:1")).isEqualTo(-1);
        assertThat(ResultIds.lineNumber("b", "b1:1")).isEqualTo(-1);
    }

    @Test
    void shouldAcceptBatchIdsThatContainColons() {
        assertThat(ResultIds.lineNumber("team:b1", "team:b1:7")).isEqualTo(7);
        assertThat(ResultIds.lineNumber("team", "team:b1:7")).isEqualTo(-1);
    }

    @Test
    void shouldRejectNonCanonicalOrOutOfRangeNumbers() {
        for (String bad : new String[] {
            "b1:",
            "b1:0",
            "b1:01",
            "b1:+1",
            "b1:-1",
            "b1:1a",
            "b1:1 ",
            "b1: 1",
            "b1:2147483647",
            "b1:99999999999",
            "b1",
            "b1;1",
            ""
        }) {
            assertThat(ResultIds.lineNumber("b1", bad)).as(bad).isEqualTo(-1);
        }
        assertThat(ResultIds.lineNumber("b1", null)).isEqualTo(-1);
    }
}
