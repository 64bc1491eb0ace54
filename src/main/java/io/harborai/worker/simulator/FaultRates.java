package io.harborai.worker.simulator;

import java.time.Duration;
import java.util.Locale;

/**
 * How often the simulator misbehaves, and how. Each chat-completion call draws one outcome: with
 * probability {@code rate429} a 429 carrying {@code Retry-After: retryAfterSeconds}, then
 * {@code rate500} a 500 with an OpenAI-style error body, then {@code timeoutRate} no answer at all
 * (the exchange is held for {@code timeoutHold}, then closed without a response), then
 * {@code malformedRate} a 200 whose JSON body is cut short; otherwise a normal answer. The rates
 * must sum to at most 1.
 *
 * @param rate429 probability of a 429
 * @param retryAfterSeconds the {@code Retry-After} value sent with a 429
 * @param rate500 probability of a 500
 * @param timeoutRate probability of never answering
 * @param malformedRate probability of a truncated 200 body
 * @param timeoutHold how long an unanswered exchange is held open before it is closed (far longer
 *     than any sane client read timeout by default)
 */
public record FaultRates(
        double rate429,
        int retryAfterSeconds,
        double rate500,
        double timeoutRate,
        double malformedRate,
        Duration timeoutHold) {

    /**
     * The outcome of one call: the drawn ones in the order the rates are tried, then the two the
     * rates never pick: a poisoned call's 500 (see {@link SimulatorPoison}) and an outage's 503
     * (see {@link SimulatorOutage}).
     */
    public enum Outcome {
        OK,
        RATE_LIMITED,
        SERVER_ERROR,
        TIMEOUT,
        MALFORMED,
        POISONED,
        OUTAGE;

        /**
         * The name used in {@code /stats} and {@code /calls}: ok, 429, 500, timeout, malformed,
         * poison, outage.
         */
        public String statName() {
            switch (this) {
                case RATE_LIMITED:
                    return "429";
                case SERVER_ERROR:
                    return "500";
                case POISONED:
                    return "poison";
                default:
                    return name().toLowerCase(Locale.ROOT);
            }
        }
    }

    /** Long enough that any client gives up first; the simulator closes held exchanges on close. */
    public static final Duration DEFAULT_TIMEOUT_HOLD = Duration.ofMinutes(10);

    public FaultRates {
        check("429", rate429);
        check("500", rate500);
        check("timeout", timeoutRate);
        check("malformed", malformedRate);
        double sum = rate429 + rate500 + timeoutRate + malformedRate;
        if (sum > 1.0 + 1e-9) {
            throw new IllegalArgumentException("simulator fault rates must sum to at most 1, got " + sum);
        }
        if (retryAfterSeconds < 0 || retryAfterSeconds > 86_400) {
            throw new IllegalArgumentException(
                    "simulator Retry-After must be in [0, 86400] seconds, got " + retryAfterSeconds);
        }
        if (timeoutHold == null || timeoutHold.isNegative() || timeoutHold.isZero()) {
            throw new IllegalArgumentException("simulator timeout hold must be a positive duration");
        }
    }

    /** No faults: every valid call answers 200. */
    public static FaultRates none() {
        return new FaultRates(0, 1, 0, 0, 0, DEFAULT_TIMEOUT_HOLD);
    }

    /** True when any fault can happen. */
    public boolean any() {
        return rate429 + rate500 + timeoutRate + malformedRate > 0;
    }

    /** Maps a uniform draw in {@code [0, 1)} to an outcome. */
    public Outcome pick(double u) {
        double edge = rate429;
        if (u < edge) {
            return Outcome.RATE_LIMITED;
        }
        edge += rate500;
        if (u < edge) {
            return Outcome.SERVER_ERROR;
        }
        edge += timeoutRate;
        if (u < edge) {
            return Outcome.TIMEOUT;
        }
        edge += malformedRate;
        return u < edge ? Outcome.MALFORMED : Outcome.OK;
    }

    private static void check(String name, double rate) {
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException("simulator " + name + " rate must be in [0, 1], got " + rate);
        }
    }
}
