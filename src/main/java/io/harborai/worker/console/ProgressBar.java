package io.harborai.worker.console;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A one-line progress bar with rate and ETA. On a terminal it redraws in place at most ~10 times
 * a second; otherwise (logs, CI) it prints a plain line every few seconds.
 *
 * <p>A resumed job starts with work already done: {@link #baseline(long)} sets that count so the
 * rate and ETA reflect this run only. While the total may still grow (a batch whose submit has not
 * finished), {@link #total(long, boolean)} marks it with a {@code +}.
 *
 * <p>Called from one thread only.
 *
 * <p>Hand-written: me.tongfei:progressbar redraws from its own thread on the wall clock (no clock to
 * inject, so its output can't be tested without sleeping), pulls in JLine, and has no open total.
 */
public final class ProgressBar {
    private static final int WIDTH = 30;

    private final PrintStream out;
    private final String label;
    private final boolean interactive;
    private final LongSupplier nanoClock;
    private final long startNanos;
    private long total;
    private boolean totalFinal = true;
    private long baseline;
    private long lastDrawNanos;

    public ProgressBar(PrintStream out, String label, long total, boolean interactive, LongSupplier nanoClock) {
        this.out = out;
        this.label = label;
        this.total = total;
        this.interactive = interactive;
        this.nanoClock = nanoClock;
        this.startNanos = nanoClock.getAsLong();
        this.lastDrawNanos = startNanos - 10_000_000_000L;
    }

    public static ProgressBar stderr(String label, long total) {
        return new ProgressBar(System.err, label, total, System.console() != null, System::nanoTime);
    }

    public void total(long total) {
        this.total = total;
    }

    /** Sets the total; {@code isFinal == false} shows it as a lower bound ({@code 12/300+}). */
    public void total(long total, boolean isFinal) {
        this.total = total;
        this.totalFinal = isFinal;
    }

    /** Work already done before this run (recovered from a previous one): excluded from the rate. */
    public void baseline(long doneAtStart) {
        this.baseline = doneAtStart;
    }

    /** Redraws if enough time has passed since the last draw. */
    public void update(long done) {
        long now = nanoClock.getAsLong();
        long every = interactive ? 100_000_000L : 5_000_000_000L;
        if (now - lastDrawNanos >= every) {
            lastDrawNanos = now;
            draw(done, now, false);
        }
    }

    /** Draws the final state and ends the line. */
    public void finish(long done) {
        draw(done, nanoClock.getAsLong(), true);
    }

    String render(long done, long nowNanos) {
        double secs = Math.max(1e-9, (nowNanos - startNanos) / 1e9);
        double rate = Math.max(0, done - baseline) / secs;
        double frac = total <= 0 ? 1 : Math.min(1, (double) done / total);
        int filled = (int) Math.round(frac * WIDTH);
        String bar = "=".repeat(filled) + (filled < WIDTH ? ">" + " ".repeat(WIDTH - filled - 1) : "");
        String eta = rate <= 0 || done >= total ? "--" : formatSeconds((total - done) / rate);
        return String.format(
                Locale.ROOT,
                "%-8s [%s] %5.1f%% %d/%d%s  %.1f/s  elapsed %s  ETA %s",
                label,
                bar,
                frac * 100,
                done,
                total,
                totalFinal ? "" : "+",
                rate,
                formatSeconds(secs),
                eta);
    }

    private void draw(long done, long now, boolean last) {
        String line = render(done, now);
        if (interactive) {
            out.print("\r" + line + (last ? System.lineSeparator() : ""));
        } else {
            out.println(line);
        }
        out.flush();
    }

    static String formatSeconds(double s) {
        long t = Math.round(s);
        return t >= 3600
                ? String.format(Locale.ROOT, "%dh%02dm", t / 3600, (t % 3600) / 60)
                : t >= 60 ? String.format(Locale.ROOT, "%dm%02ds", t / 60, t % 60) : t + "s";
    }
}
