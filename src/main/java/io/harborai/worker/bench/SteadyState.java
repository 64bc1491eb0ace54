package io.harborai.worker.bench;

import java.util.List;

/**
 * Decides whether a warm-up has reached steady throughput, from the results/s of its windows so
 * far: steady when the last {@code k} windows all lie within {@code ±tolerance} of their mean.
 * A pure function, so the rule can be tested without a stack.
 *
 * <p>Why the last {@code k} and not a fixed count: the JIT, the page cache and the broker's
 * segments warm at a pace that depends on the machine and the load, so a fixed small warm-up
 * understated the worker by a third on this machine (issue 14).
 */
final class SteadyState {
    /** Windows that must agree. */
    static final int WINDOWS = 3;
    /** How far each of them may lie from their mean, as a fraction of it. */
    static final double TOLERANCE = 0.10;

    /** What the warm-up should do after its latest window. */
    enum Verdict {
        /** The last windows agree: stop warming up. */
        STEADY,
        /** Not yet steady and below the cap: send another window. */
        CONTINUE,
        /** Not steady but the cap is reached: stop anyway and say so. */
        CAPPED
    }

    private SteadyState() {}

    /** True when the last {@code k} rates all lie within {@code ±tolerance} of their mean. */
    static boolean steady(List<Double> rates, int k, double tolerance) {
        if (k < 1 || rates.size() < k) {
            return false;
        }
        List<Double> last = rates.subList(rates.size() - k, rates.size());
        double mean = last.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        if (!(mean > 0)) {
            return false;
        }
        return last.stream().allMatch(r -> Math.abs(r - mean) <= tolerance * mean);
    }

    /**
     * The verdict after a window: steady (and the minimum sent) wins over the cap, so a warm-up
     * that became steady in its last allowed window counts as steady.
     *
     * @param minimumSent whether the minimum warm-up ({@code --warmup N}) has been sent
     * @param capReached whether the time cap ({@code --warmup-max-s}) has been reached
     */
    static Verdict judge(List<Double> rates, int k, double tolerance, boolean minimumSent, boolean capReached) {
        if (minimumSent && steady(rates, k, tolerance)) {
            return Verdict.STEADY;
        }
        return capReached ? Verdict.CAPPED : Verdict.CONTINUE;
    }
}
