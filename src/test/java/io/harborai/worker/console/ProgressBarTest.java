package io.harborai.worker.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
    @Test
    void shouldShowPercentRateAndEta() {
        AtomicLong now = new AtomicLong(0);
        var bar = new ProgressBar(
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                "collect",
                1000,
                false,
                now::get);
        now.set(10_000_000_000L);
        String line = bar.render(250, now.get());
        assertThat(line).contains(" 25.0%", "250/1000", "25.0/s", "elapsed 10s", "ETA 30s");
    }

    @Test
    void shouldThrottleRedrawsAndAlwaysDrawTheFinalState() {
        AtomicLong now = new AtomicLong(0);
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        var bar = new ProgressBar(new PrintStream(sink, true, StandardCharsets.UTF_8), "submit", 10, false, now::get);
        for (int i = 1; i <= 10; i++) {
            now.addAndGet(1_000_000_000L); // 1 s apart; non-interactive draws every 5 s
            bar.update(i);
        }
        bar.finish(10);
        String out = sink.toString(StandardCharsets.UTF_8);
        assertThat(out.lines().count()).isEqualTo(3);
        assertThat(out.lines().reduce((a, b) -> b).orElseThrow()).contains("100.0%", "10/10");
    }

    @Test
    void shouldExcludeRecoveredWorkFromTheRateAndMarkAnOpenTotal() {
        AtomicLong now = new AtomicLong(0);
        var bar = new ProgressBar(
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                "collect",
                1000,
                false,
                now::get);
        bar.baseline(500);
        bar.total(1000, false);
        now.set(10_000_000_000L);
        String line = bar.render(600, now.get());
        assertThat(line).contains("600/1000+", "10.0/s", "ETA 40s");
    }
}
