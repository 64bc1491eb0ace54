package io.harborai.worker.dispatch;

import java.time.Clock;

/**
 * An AIMD concurrency limit for one provider: +1 after a success while at least half the limit is
 * in use (an idle lane proves nothing about capacity), x0.9 after a 429, 5xx or timeout, always
 * within [min, max]. Decreases happen at most once per {@code cooldownMs}: the failures of one
 * overloaded window arrive together and should count as one signal, not collapse the limit to min.
 *
 * <p>A small class of our own rather than Netflix concurrency-limits' {@code AIMDLimit}: that one
 * measures time with {@code System.nanoTime()} internally, and its limiter owns the in-flight count
 * through listener objects; here the clock is injected (tests run without sleeping) and the
 * release happens in an OkHttp callback with the classified outcome in hand.
 *
 * <p>Thread-safe (synchronized): stream threads acquire, OkHttp callback threads release.
 */
final class AdaptiveLimit {
    static final double BACKOFF_RATIO = 0.9;

    /** What a finished call says about the provider's capacity. */
    enum Signal {
        SUCCESS,
        OVERLOAD,
        NEUTRAL
    }

    private final int min;
    private final int max;
    private final long cooldownMs;
    private final Clock clock;
    private int limit;
    private int inFlight;
    private long lastDecreaseMs = Long.MIN_VALUE / 2;

    AdaptiveLimit(int min, int initial, int max, long cooldownMs, Clock clock) {
        this.min = min;
        this.max = max;
        this.limit = Math.max(min, Math.min(max, initial));
        this.cooldownMs = cooldownMs;
        this.clock = clock;
    }

    synchronized boolean tryAcquire() {
        if (inFlight >= limit) {
            return false;
        }
        inFlight++;
        return true;
    }

    /** Returns a slot without a verdict (the call was never sent). */
    synchronized void cancel() {
        inFlight = Math.max(0, inFlight - 1);
    }

    synchronized void release(Signal signal) {
        int wasInFlight = inFlight;
        inFlight = Math.max(0, inFlight - 1);
        if (signal == Signal.SUCCESS && wasInFlight * 2 >= limit) {
            limit = Math.min(max, limit + 1);
        } else if (signal == Signal.OVERLOAD) {
            long now = clock.millis();
            if (now - lastDecreaseMs >= cooldownMs) {
                limit = Math.max(min, (int) (limit * BACKOFF_RATIO));
                lastDecreaseMs = now;
            }
        }
    }

    synchronized int limit() {
        return limit;
    }

    synchronized int inFlight() {
        return inFlight;
    }
}
