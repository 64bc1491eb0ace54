package io.harborai.worker.simulator;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * A provider outage the simulator plays: from {@code startAfter} after it started, for
 * {@code length}, it either answers every chat-completion call 503 ({@link Mode#HTTP_503}) or
 * refuses connections ({@link Mode#REFUSE}); then it recovers. See {@link
 * SimulatorServer#startOutage} for one started at a moment of the caller's choosing.
 *
 * @param startAfter delay from the simulator's start to the outage's ({@code 0} = at once)
 * @param length how long the outage lasts; positive
 * @param mode how the provider is down
 */
public record SimulatorOutage(Duration startAfter, Duration length, Mode mode) {

    /** How a provider is down. */
    public enum Mode {
        /**
         * Chat completions answer 503 at once with an OpenAI-style {@code server_error} body and no
         * {@code Retry-After}; {@code /stats} and the other endpoints keep working.
         */
        HTTP_503,
        /**
         * The listening socket is closed (open connections too), so connects are refused; it is
         * bound again on the same port when the outage ends. Calls in flight get no answer.
         */
        REFUSE;

        /** Accepts {@code 503} or {@code refuse} (also {@code http_503}), in any case. */
        public static Mode parse(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            switch (v) {
                case "503":
                case "http_503":
                    return HTTP_503;
                case "refuse":
                    return REFUSE;
                default:
                    throw new IllegalArgumentException("simulator outage mode must be 503|refuse, got '" + value + "'");
            }
        }

        /** The name used in the command line and {@code /stats}: {@code 503} or {@code refuse}. */
        public String id() {
            return this == HTTP_503 ? "503" : "refuse";
        }
    }

    public SimulatorOutage {
        Objects.requireNonNull(mode, "mode");
        if (startAfter == null || startAfter.isNegative()) {
            throw new IllegalArgumentException("simulator outage start must be >= 0, got " + startAfter);
        }
        checkLength(length);
    }

    static void checkLength(Duration length) {
        if (length == null || length.isNegative() || length.isZero()) {
            throw new IllegalArgumentException("simulator outage length must be positive, got " + length);
        }
    }

    /** For logs and {@code /stats}, e.g. {@code 503 for 30s from 60s}. */
    public String describe() {
        return mode.id() + " for " + seconds(length) + " from " + seconds(startAfter);
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
