package io.harborai.worker.top;

import static io.harborai.worker.top.TopFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.harborai.worker.avro.AlertState;
import io.harborai.worker.avro.Severity;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TopRendererTest {
    private static final long NOW = 1_700_000_000_000L;

    private static TopSnapshot twoInstances() {
        TopView view = new TopView(10_000);
        view.accept(event("worker-a", NOW - 1_000, 1, List.of(provider("openai", "gpt-4o-mini", 40, 2, 300, 0.25))));
        view.accept(event("worker-b", NOW - 2_000, 2, List.of(provider("openai", "gpt-4o-mini", 60, 1, 500, 0.5))));
        view.accept(event("worker-old", NOW - 120_000, 1, List.of()));
        view.accept(alert("latency_p95", "worker-b", AlertState.FIRING, Severity.CRITICAL, NOW - 1_000));
        view.accept(alert("error_rate", "worker-a", AlertState.RESOLVED, Severity.WARNING, NOW - 1_000));
        return view.snapshot(NOW);
    }

    @Test
    void shouldPrintTheAggregatedFiguresInstancesProvidersAndFiringAlerts() {
        String text = new TopRenderer("harbor.metrics", false).render(twoInstances(), 200);

        assertThat(text)
                .contains(
                        "3 instances (2 live, 1 stale)",
                        "throughput 30.0 req/s",
                        "errors 10.0% of 300 results",
                        "p50 20  p95 80  p99 160 ms (max over instances)",
                        "L1 20.0%  L2 10.0%  coalesced 5.0% of 300 requests",
                        "in-flight 9 (3.0 KiB)",
                        "heap 300.0 MiB / 2.0 GiB (14.6%)",
                        "consumer lag 21",
                        "DLQ 3",
                        "cost 0.7500 USD");
        assertThat(line(text, "worker-a")).contains("balanced", "10.0", "1s");
        assertThat(line(text, "worker-old")).contains("(stale)", "2m");
        assertThat(line(text, "openai/gpt-4o-mini"))
                .containsPattern("openai/gpt-4o-mini\\s+100\\s+3\\s+500\\s+0.7500 USD");
        assertThat(text).contains("FIRING ALERTS (1)");
        assertThat(line(text, "latency_p95"))
                .contains("CRITICAL", "worker-b", "value 6200 threshold 5000", "latency_p95 breached");
        assertThat(text).doesNotContain("error_rate").doesNotContain("\u001b");
    }

    @Test
    void shouldCutEveryLineToTheWidth() {
        String text = new TopRenderer("harbor.metrics", false).render(twoInstances(), 40);

        assertThat(text.split("\n")).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(40));
        assertThat(line(text, "throughput")).hasSize(40).endsWith("~");
        assertThat(text).contains("worker-b");
    }

    @Test
    void shouldMeasureTheWidthBeforeAddingColour() {
        String text = new TopRenderer("harbor.metrics", true).render(twoInstances(), 40);

        assertThat(text).contains(TopRenderer.BOLD, TopRenderer.DIM, TopRenderer.RED);
        assertThat(text.split("\n"))
                .allSatisfy(
                        l -> assertThat(l.replaceAll("\u001b\\[[0-9;]*m", "").length())
                                .isLessThanOrEqualTo(40));
    }

    @Test
    void shouldSayWhenEveryInstanceIsStaleAndThereAreNoAlerts() {
        TopView view = new TopView(10_000);
        view.accept(event("a", NOW - 600_000, 1, List.of()));

        String text = new TopRenderer("m", false).render(view.snapshot(NOW), 120);

        assertThat(text).contains("every instance is stale", "(no provider calls", "FIRING ALERTS (0)", "(none)");
    }

    @Test
    void shouldSayItIsWaitingBeforeTheFirstEvent() {
        String text = new TopRenderer("m", false).render(new TopView(10_000).snapshot(NOW), 120);

        assertThat(text)
                .contains("0 instances (0 live)", "waiting for the first MetricEvent")
                .doesNotContain("stale");
    }

    @Test
    void shouldRedrawInPlaceOnATerminalAndAppendFramesElsewhere() {
        StringWriter tty = new StringWriter();
        Screen inPlace = new Screen(new PrintWriter(tty), true);
        inPlace.draw("one\ntwo");
        inPlace.draw("three");
        assertThat(tty.toString())
                .startsWith(Screen.HOME + Screen.CLEAR_BELOW + "one" + Screen.CLEAR_LINE_END + "\n")
                .endsWith(Screen.HOME + "three" + Screen.CLEAR_LINE_END + "\n" + Screen.CLEAR_BELOW)
                .doesNotContain("\u001b[2J");

        StringWriter pipe = new StringWriter();
        Screen plain = new Screen(new PrintWriter(pipe), false);
        plain.draw("one\ntwo");
        plain.draw("three");
        assertThat(pipe.toString()).isEqualTo("one\ntwo\n\nthree\n");
    }

    private static String line(String text, String containing) {
        return Arrays.stream(text.split("\n"))
                .filter(l -> l.contains(containing))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no line with " + containing + " in\n" + text));
    }
}
