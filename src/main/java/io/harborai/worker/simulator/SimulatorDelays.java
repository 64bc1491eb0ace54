package io.harborai.worker.simulator;

import com.sun.net.httpserver.HttpExchange;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes {@link SimulatorServer}'s answers once their latency has elapsed, and holds the exchanges
 * of calls that never get an answer, without a thread per call: a two-thread scheduler does the
 * waiting. So hundreds of requests can wait out their latency, and timed-out calls can be held
 * for minutes.
 *
 * <p>Threading: handler threads hand exchanges over (and own them no more); scheduler threads
 * write or close them. Held exchanges live in a concurrent set so that {@link #close()} can close
 * them from any thread; whoever removes one from the set closes it.
 */
final class SimulatorDelays implements AutoCloseable {
    private final ScheduledExecutorService scheduler =
            Executors.newScheduledThreadPool(2, SimulatorExchanges.daemon("harbor-sim-latency"));
    private final AtomicLong inFlight = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final Set<HttpExchange> held = ConcurrentHashMap.newKeySet();

    /** Answers waiting out their latency. */
    long inFlight() {
        return inFlight.get();
    }

    /** Answers written so far by {@link #later}, at once or after their latency. */
    long written() {
        return written.get();
    }

    /** Exchanges held without an answer. */
    int held() {
        return held.size();
    }

    /** Writes the answer after {@code delayMs}, from the scheduler; at once when there is none. */
    void later(HttpExchange ex, long delayMs, int status, byte[] bytes, String contentType) {
        if (delayMs <= 0) {
            SimulatorExchanges.send(ex, status, bytes, contentType);
            written.incrementAndGet();
            return;
        }
        inFlight.incrementAndGet();
        try {
            // The exchange stays open after the handler returns; the scheduler writes it later.
            scheduler.schedule(
                    () -> {
                        inFlight.decrementAndGet();
                        SimulatorExchanges.send(ex, status, bytes, contentType);
                        written.incrementAndGet();
                    },
                    delayMs,
                    TimeUnit.MILLISECONDS);
        } catch (RuntimeException rejectedOnClose) {
            inFlight.decrementAndGet();
            ex.close();
        }
    }

    /** Never answers: closes the exchange (no response) after {@code holdMs}, or at {@link #close()}. */
    void hold(HttpExchange ex, long holdMs) {
        held.add(ex);
        try {
            scheduler.schedule(() -> release(ex), holdMs, TimeUnit.MILLISECONDS);
        } catch (RuntimeException rejectedOnClose) {
            release(ex);
        }
    }

    /** Drops the answers not yet written and closes the held exchanges. */
    @Override
    public void close() {
        scheduler.shutdownNow();
        for (HttpExchange ex : held) {
            release(ex);
        }
    }

    private void release(HttpExchange ex) {
        if (held.remove(ex)) {
            ex.close();
        }
    }
}
