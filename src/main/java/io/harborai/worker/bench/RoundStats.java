package io.harborai.worker.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A rate measured in rounds until steady: rounds run until the last {@link SteadyState#WINDOWS}
 * agree within {@link SteadyState#TOLERANCE} (or {@code maxRounds}); those last rounds are kept
 * and the figure is their median, so neither a cold start nor one round disturbed by a GC pause
 * moves it; min and max show the spread.
 *
 * @param rates the kept rounds' rates (per second), in run order
 * @param roundSeconds how long a round ran at most
 * @param warmupRounds rounds run before the kept ones
 * @param steady whether the kept rounds agreed (false: {@code maxRounds} ended it)
 */
public record RoundStats(List<Double> rates, double roundSeconds, int warmupRounds, boolean steady) {
    /** One round; returns its rate per second. */
    @FunctionalInterface
    interface Round {
        double run(int index) throws InterruptedException;
    }

    public RoundStats {
        rates = List.copyOf(rates);
    }

    /** Runs rounds until the last ones are steady or {@code maxRounds} have run. */
    static RoundStats untilSteady(Round round, int maxRounds, double roundSeconds) throws InterruptedException {
        List<Double> all = new ArrayList<>();
        boolean steady = false;
        while (!steady && all.size() < maxRounds) {
            all.add(round.run(all.size()));
            steady = SteadyState.steady(all, SteadyState.WINDOWS, SteadyState.TOLERANCE);
        }
        int from = Math.max(0, all.size() - SteadyState.WINDOWS);
        return new RoundStats(all.subList(from, all.size()), roundSeconds, from, steady);
    }

    /** The median of the rounds, 0 without any. */
    public double median() {
        if (rates.isEmpty()) {
            return 0;
        }
        List<Double> sorted = new ArrayList<>(rates);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    public double min() {
        return rates.stream().mapToDouble(Double::doubleValue).min().orElse(0);
    }

    public double max() {
        return rates.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }

    /** max / min of the rounds (1 = all equal), 0 when a round measured nothing. */
    public double spread() {
        double min = min();
        return min <= 0 ? 0 : max() / min;
    }
}
