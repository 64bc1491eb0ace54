package io.harborai.worker.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A rate measured in several rounds: the figure reported is the median, so one round disturbed
 * by a GC pause or another process does not move it; min and max show the spread.
 *
 * @param rates each round's rate (per second), in run order
 * @param roundSeconds how long a round ran at most
 */
public record RoundStats(List<Double> rates, double roundSeconds) {
    public RoundStats {
        rates = List.copyOf(rates);
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
