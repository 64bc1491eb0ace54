package io.harborai.worker.dispatch;

import io.harborai.worker.metrics.MetricsCatalog;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Online before batch: batch traffic yields while the worker's online engines hold work (a request
 * queued, in flight or awaiting a retry) and for {@code dispatch.batch-yield-grace-ms} after. While
 * it yields, the batch engines start no provider call ({@link #admitBatchCall()}, asked before each
 * one), a batch stream thread waiting at its in-flight cap stops waiting ({@link #yielding()}), and
 * the {@link Listener} pauses the batch application ({@code KafkaStreams#pause}), so the batch stream
 * threads stop decoding, dispatching and producing and their CPU goes to the online requests.
 *
 * <p>Why both a gate and a pause. Shares of slots ({@code dispatch.batch-share}) do not protect online
 * latency: what a batch takes from online requests is mostly CPU (both applications' stream threads,
 * OkHttp and, embedded, the broker share two cores), not provider slots. A gate in the engine alone
 * is not enough either: the batch stream thread would then wait at its cap inside {@code process()}
 * with its transaction open, and since online and batch results share the results topic, a
 * read_committed consumer sees no online result behind that open transaction (measured: online p99
 * 10 s). A paused application still polls and commits, so its transaction closes; the pause alone is
 * not enough because it takes effect between records (a thread already waiting at its cap would go
 * on starting calls from that wait) and because it stops punctuation, so the end of a yield must be
 * noticed by a thread of its own: {@link #watch} polls every {@value #WATCH_MS} ms.
 *
 * <p>The grace period covers what the online engines cannot see: the gaps between online requests,
 * a request's decode and repartition hop before its engine takes it, and the commit of its result
 * after the engine let it go. Activity is observed through the online {@link InFlight}'s count and
 * change counter, so a request that came and went between two looks is still seen.
 *
 * <p>Starvation: under online traffic that never pauses for a grace period, batch lines wait (up to
 * their own deadline). That is the rule, "online before batch"; {@value MetricsCatalog#BATCH_YIELD}
 * (a timer: each yield and its length, recorded when it ends) and {@value MetricsCatalog#BATCH_YIELDING}
 * (1 while yielding) show how much of the time batch traffic yields.
 *
 * <p>Threading: {@link #admitBatchCall()} and {@link #yielding()} run on the batch stream threads,
 * {@link #watch}'s task on its own thread; the online {@link InFlight} is updated by the online
 * stream threads (atomics). The yield state is guarded by {@code this}; the listener is called under
 * that lock, so pause and resume never cross (they only set flags in Kafka Streams).
 */
public final class PriorityGate implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PriorityGate.class);
    /** Period of the watcher that notices the start and end of a yield. */
    static final long WATCH_MS = 5;

    /** A gate that never yields: online traffic, and batch with {@code dispatch.batch-yield=false}. */
    public static final PriorityGate OPEN = new PriorityGate();

    /** Told when batch traffic starts and stops yielding (the worker pauses and resumes the batch app). */
    public interface Listener {
        void yieldStarted();

        void yieldEnded();

        /** A listener running {@code onStart} and {@code onEnd} (the worker: the batch app's pause, resume). */
        static Listener of(Runnable onStart, Runnable onEnd) {
            return new Listener() {
                @Override
                public void yieldStarted() {
                    onStart.run();
                }

                @Override
                public void yieldEnded() {
                    onEnd.run();
                }
            };
        }
    }

    /**
     * The batch yield's settings.
     *
     * @param enabled {@code dispatch.batch-yield}
     * @param graceMs {@code dispatch.batch-yield-grace-ms}
     */
    public record Settings(boolean enabled, long graceMs) {}

    private final InFlight online;
    private final long graceNanos;
    private final LongSupplier nanoTime;
    private final Timer yields;
    private Listener listener;
    private ScheduledExecutorService watcher;
    private long seenActivity;
    private long lastOnlineNanos;
    private volatile boolean yielding;
    private long yieldStartNanos;

    private PriorityGate() {
        this.online = null;
        this.graceNanos = 0;
        this.nanoTime = null;
        this.yields = null;
    }

    /**
     * @param online the online runtime's in-flight budget, watched for activity
     * @param nanoTime monotonic time in nanoseconds; injected so tests move it by hand
     */
    public PriorityGate(InFlight online, Settings settings, LongSupplier nanoTime, MeterRegistry meters) {
        this.online = online;
        this.graceNanos = TimeUnit.MILLISECONDS.toNanos(settings.graceMs());
        this.nanoTime = nanoTime;
        this.yields = Timer.builder(MetricsCatalog.BATCH_YIELD)
                .description("batch traffic yielding to online work: each yield and how long it lasted")
                .register(meters);
        Gauge.builder(MetricsCatalog.BATCH_YIELDING, this, g -> g.yielding ? 1 : 0)
                .description("1 while batch traffic yields to online work")
                .register(meters);
        this.seenActivity = online.activity();
        this.lastOnlineNanos = nanoTime.getAsLong() - graceNanos;
    }

    /** The worker's gate: watching {@code online}, or {@link #OPEN} when yielding is off. */
    public static PriorityGate create(InFlight online, Settings settings, MeterRegistry meters) {
        return settings.enabled() ? new PriorityGate(online, settings, System::nanoTime, meters) : OPEN;
    }

    /**
     * Whether a batch call may start now; false while batch yields (the caller keeps the request
     * queued and asks again on its next pump). Always true for {@link #OPEN}.
     */
    public boolean admitBatchCall() {
        return online == null || !update();
    }

    /** Whether batch traffic is yielding (as of the last look); a thread waiting at the batch cap stops. */
    public boolean yielding() {
        return yielding;
    }

    /**
     * Tells {@code listener} when yields start and end, looking every {@value #WATCH_MS} ms from a
     * daemon thread until {@link #close()}. Does nothing on {@link #OPEN}.
     */
    public synchronized void watch(Listener listener) {
        if (online == null || watcher != null) {
            return;
        }
        this.listener = listener;
        watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "harbor-batch-yield");
            t.setDaemon(true);
            return t;
        });
        watcher.scheduleWithFixedDelay(
                () -> {
                    try {
                        update();
                    } catch (RuntimeException e) {
                        log.warn("Batch yield watcher failed; trying again", e);
                    }
                },
                WATCH_MS,
                WATCH_MS,
                TimeUnit.MILLISECONDS);
    }

    /** Stops the watcher; a yield in progress ends (the listener is told). */
    @Override
    public synchronized void close() {
        if (watcher == null) {
            return;
        }
        watcher.shutdownNow();
        watcher = null;
        if (yielding) {
            endYield(nanoTime.getAsLong());
        }
        listener = null;
    }

    /** Looks at the online work now, starts or ends a yield; returns whether batch yields. */
    synchronized boolean update() {
        long now = nanoTime.getAsLong();
        boolean held = onlineHeld(now);
        if (held && !yielding) {
            yielding = true;
            yieldStartNanos = now;
            if (listener != null) {
                listener.yieldStarted();
            }
        } else if (!held && yielding) {
            endYield(now);
        }
        return held;
    }

    private void endYield(long now) {
        yielding = false;
        yields.record(now - yieldStartNanos, TimeUnit.NANOSECONDS);
        if (listener != null) {
            listener.yieldEnded();
        }
    }

    private boolean onlineHeld(long now) {
        long activity = online.activity();
        if (online.count() > 0 || activity != seenActivity) {
            seenActivity = activity;
            lastOnlineNanos = now;
            return true;
        }
        return now - lastOnlineNanos < graceNanos;
    }
}
