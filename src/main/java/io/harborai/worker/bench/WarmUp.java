package io.harborai.worker.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Warms a level up until its throughput is steady: sends windows of {@code window} requests,
 * one after another, and stops once at least {@code minimum} requests were sent and the last
 * {@link SteadyState#WINDOWS} windows' results/s agree within {@link SteadyState#TOLERANCE}, or
 * once {@code max} has passed (then the report says "not steady").
 *
 * <p>Threading: runs on the calling thread; the window runner does the sending and collecting.
 */
final class WarmUp {
    /** Sends and collects one window of {@code count} requests; returns its results/s. */
    @FunctionalInterface
    interface Window {
        double run(int count) throws InterruptedException;
    }

    /**
     * How a warm-up went.
     *
     * @param requests warm-up requests sent
     * @param seconds how long it took
     * @param windowRps each window's results/s, in order
     * @param steady whether it ended steady (false: the time cap ended it, or it was off)
     */
    public record Result(long requests, double seconds, List<Double> windowRps, boolean steady) {
        public Result {
            windowRps = List.copyOf(windowRps);
        }

        static final Result NONE = new Result(0, 0, List.of(), false);
    }

    private WarmUp() {}

    static Result run(Window window, int size, long minimum, Duration max) throws InterruptedException {
        long start = System.nanoTime();
        List<Double> rates = new ArrayList<>();
        long sent = 0;
        while (true) {
            rates.add(window.run(size));
            sent += size;
            long elapsed = System.nanoTime() - start;
            SteadyState.Verdict v = SteadyState.judge(
                    rates, SteadyState.WINDOWS, SteadyState.TOLERANCE, sent >= minimum, elapsed >= max.toNanos());
            if (v != SteadyState.Verdict.CONTINUE) {
                return new Result(sent, elapsed / 1e9, rates, v == SteadyState.Verdict.STEADY);
            }
        }
    }
}
