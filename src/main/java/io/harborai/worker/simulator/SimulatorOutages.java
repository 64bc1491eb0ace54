package io.harborai.worker.simulator;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Plays the simulator's outages (see {@link SimulatorOutage}): the one planned in the options,
 * timed from the start, and any started on demand. During a {@link SimulatorOutage.Mode#HTTP_503}
 * outage {@link #answers503} is true and the server answers chat completions 503; a {@link
 * SimulatorOutage.Mode#REFUSE} outage takes the {@link SimulatorListener} down and brings it back
 * when it ends. An outage started while another is on replaces it (new mode, new end).
 *
 * <p>Threading: transitions are {@code synchronized}; they run on the caller's thread (start) or
 * on a single timer thread (planned starts and every end). Handler threads read the current
 * window through a volatile field, without locking.
 */
final class SimulatorOutages implements AutoCloseable {
    /** The error message of an outage's 503. */
    static final String MESSAGE =
            "Simulated outage: the server is overloaded or not ready yet. Please try again later.";

    /** The outage in progress: how, and until when (epoch ms). */
    private record Window(SimulatorOutage.Mode mode, long endMs) {}

    private final Clock clock;
    private final SimulatorListener listener;
    private final SimulatorOutage planned;
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(SimulatorExchanges.daemon("harbor-sim-outage"));
    private final AtomicLong started = new AtomicLong();
    private volatile Window current;
    private volatile String rebindError;
    private long generation; // guarded by this: an end only ends the outage that scheduled it

    /** Schedules the planned outage (null = none) from now. */
    SimulatorOutages(Clock clock, SimulatorListener listener, SimulatorOutage planned) {
        this.clock = clock;
        this.listener = listener;
        this.planned = planned;
        if (planned == null) {
            return;
        }
        if (planned.startAfter().isZero()) {
            start(planned.length(), planned.mode()); // before the first call can arrive
        } else {
            timer.schedule(
                    () -> start(planned.length(), planned.mode()),
                    planned.startAfter().toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Starts an outage now, for {@code length}.
     *
     * @throws IllegalArgumentException if the length is not positive
     * @throws java.util.concurrent.RejectedExecutionException after {@link #close()}
     */
    synchronized void start(Duration length, SimulatorOutage.Mode mode) {
        SimulatorOutage.checkLength(length);
        Objects.requireNonNull(mode, "mode");
        long gen = ++generation;
        current = new Window(mode, clock.millis() + length.toMillis());
        started.incrementAndGet();
        if (mode == SimulatorOutage.Mode.REFUSE) {
            listener.down();
        } else {
            listen(); // a 503 outage replacing a refusing one
        }
        timer.schedule(() -> end(gen), length.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Whether a chat-completion call arriving at {@code nowMs} gets the outage's 503. */
    boolean answers503(long nowMs) {
        Window w = current;
        return w != null && w.mode() == SimulatorOutage.Mode.HTTP_503 && nowMs < w.endMs();
    }

    /** Whether an outage is on: a 503 window not yet over, or the listener down. */
    boolean active(long nowMs) {
        Window w = current;
        return w != null && (nowMs < w.endMs() || w.mode() == SimulatorOutage.Mode.REFUSE);
    }

    /** {@code planned}, {@code active}, {@code mode}, {@code remaining_ms}, {@code started}. */
    ObjectNode stats(long nowMs) {
        Window w = current;
        boolean on = active(nowMs);
        ObjectNode s = JsonNodeFactory.instance.objectNode();
        s.put("planned", planned == null ? null : planned.describe());
        s.put("active", on);
        s.put("mode", on ? w.mode().id() : null);
        s.put("remaining_ms", on ? Math.max(0, w.endMs() - nowMs) : 0);
        s.put("started", started.get());
        if (rebindError != null) {
            s.put("rebind_error", rebindError);
        }
        return s;
    }

    /** Cancels planned starts and ends; the caller closes the listener. */
    @Override
    public void close() {
        timer.shutdownNow();
    }

    private synchronized void end(long gen) {
        if (gen != generation) {
            return; // a later outage replaced this one and ends on its own schedule
        }
        current = null;
        listen();
    }

    private void listen() {
        try {
            listener.up();
        } catch (IOException e) {
            // Shown in /stats: the simulator stays down, which the caller's test will notice.
            rebindError = "cannot listen again on port " + listener.port() + ": " + e;
        }
    }
}
