package io.harborai.worker.provider.stream;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Time-to-first-token guard for one streamed call: when no content or reasoning token arrived
 * within the timeout, runs {@code onExpiry} (which cancels the HTTP call) and remembers that, so
 * the resulting I/O error is reported as a TIMEOUT with "no first token within N ms".
 *
 * <p>Threading: {@link #firstToken()} is called by the reading thread, the expiry runs on the JDK's
 * delayed executor; the single atomic state makes exactly one of them win.
 */
public final class TtftWatch {
    private static final int WAITING = 0;
    private static final int GOT_TOKEN = 1;
    private static final int EXPIRED = 2;

    private final AtomicInteger state = new AtomicInteger(WAITING);
    private final long timeoutMs;

    private TtftWatch(long timeoutMs) {
        this.timeoutMs = timeoutMs;
    }

    /** A watch that never expires (no TTFT timeout configured). */
    public static TtftWatch none() {
        TtftWatch w = new TtftWatch(0);
        w.state.set(GOT_TOKEN);
        return w;
    }

    /**
     * Starts a watch; {@code onExpiry} runs once after {@code timeout} unless {@link #firstToken()}
     * came first. A zero timeout gives {@link #none()}.
     */
    public static TtftWatch start(Duration timeout, Runnable onExpiry) {
        if (timeout.isZero()) {
            return none();
        }
        TtftWatch w = new TtftWatch(timeout.toMillis());
        Executor later = CompletableFuture.delayedExecutor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        later.execute(() -> {
            if (w.state.compareAndSet(WAITING, EXPIRED)) {
                onExpiry.run();
            }
        });
        return w;
    }

    /** Records the first token; later calls are no-ops. */
    public void firstToken() {
        state.compareAndSet(WAITING, GOT_TOKEN);
    }

    /** Whether the watch fired (and cancelled the call). */
    public boolean expired() {
        return state.get() == EXPIRED;
    }

    /** The failure text for an expired watch. */
    public String message() {
        return "no first token within " + timeoutMs + " ms";
    }
}
