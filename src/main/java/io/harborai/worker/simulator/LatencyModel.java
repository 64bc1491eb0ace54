package io.harborai.worker.simulator;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * How long the simulator waits before answering: a fixed delay, a uniform delay in
 * {@code [base, max]}, or a log-normal delay with median {@code base} and shape {@code sigma}
 * (optionally capped at {@code max}, since a log-normal tail is unbounded and one 40 s outlier
 * would dominate a short benchmark). Immutable; sampling takes the caller's random source so that
 * the simulator controls seeding.
 *
 * @param kind the distribution
 * @param base fixed delay, uniform minimum, or log-normal median
 * @param max uniform maximum, or the log-normal cap ({@link Duration#ZERO} = uncapped); unused
 *     for {@link Kind#FIXED}
 * @param sigma log-normal shape (standard deviation of the underlying normal); unused otherwise
 */
public record LatencyModel(Kind kind, Duration base, Duration max, double sigma) {
    /** The supported distributions. */
    public enum Kind {
        FIXED,
        UNIFORM,
        LOGNORMAL;

        /** Parses {@code fixed|uniform|lognormal}, case-insensitively. */
        public static Kind parse(String s) {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        }
    }

    public LatencyModel {
        Objects.requireNonNull(kind, "kind");
        if (base == null || base.isNegative()) {
            throw new IllegalArgumentException("simulator latency must be a non-negative duration");
        }
        if (max == null || max.isNegative()) {
            throw new IllegalArgumentException("simulator latency max must be a non-negative duration");
        }
        if (kind == Kind.UNIFORM && max.compareTo(base) < 0) {
            throw new IllegalArgumentException("uniform simulator latency needs max >= min, got min " + base.toMillis()
                    + " ms, max " + max.toMillis() + " ms");
        }
        if (!(sigma >= 0) || sigma > 10) {
            throw new IllegalArgumentException("simulator latency sigma must be in [0, 10], got " + sigma);
        }
    }

    /** Always {@code latency}. */
    public static LatencyModel fixed(Duration latency) {
        return new LatencyModel(Kind.FIXED, latency, Duration.ZERO, 0);
    }

    /** Uniform in {@code [min, max]}, in whole milliseconds. */
    public static LatencyModel uniform(Duration min, Duration max) {
        return new LatencyModel(Kind.UNIFORM, min, max, 0);
    }

    /** Log-normal with the given median; {@code cap} of zero means uncapped. */
    public static LatencyModel logNormal(Duration median, double sigma, Duration cap) {
        return new LatencyModel(Kind.LOGNORMAL, median, cap, sigma);
    }

    /** One delay in milliseconds, never negative. */
    public long sampleMillis(SplittableRandom random) {
        long b = base.toMillis();
        switch (kind) {
            case UNIFORM:
                return b + random.nextLong(max.toMillis() - b + 1);
            case LOGNORMAL:
                if (b == 0) {
                    return 0;
                }
                double ms = b * Math.exp(sigma * gaussian(random));
                long capped =
                        max.isZero() ? (long) Math.min(ms, Long.MAX_VALUE / 2) : Math.min((long) ms, max.toMillis());
                return Math.max(0, capped);
            default:
                return b;
        }
    }

    /** Box-Muller: SplittableRandom has no nextGaussian on Java 17. */
    private static double gaussian(SplittableRandom random) {
        double u1 = 1.0 - random.nextDouble(); // (0, 1]: log(0) would be -infinity
        double u2 = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    /** A short human-readable form for logs and {@code /stats}. */
    public String describe() {
        switch (kind) {
            case UNIFORM:
                return "uniform " + base.toMillis() + ".." + max.toMillis() + " ms";
            case LOGNORMAL:
                return "lognormal median " + base.toMillis() + " ms sigma " + sigma
                        + (max.isZero() ? "" : " cap " + max.toMillis() + " ms");
            default:
                return "fixed " + base.toMillis() + " ms";
        }
    }
}
