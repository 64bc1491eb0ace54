package io.harborai.worker.top;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Number formats of {@code harbor top}: fixed {@link Locale#ROOT}, short, unit-suffixed. Stateless. */
final class Fmt {
    private static final DateTimeFormatter CLOCK =
            DateTimeFormatter.ofPattern("HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    private Fmt() {}

    static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    /** {@code 0.0123} as {@code 1.2%}. */
    static String pct(double share) {
        return f("%.1f%%", share * 100);
    }

    /** Milliseconds: one decimal below 10, none above. */
    static String ms(double ms) {
        return ms < 10 ? f("%.1f", ms) : f("%.0f", ms);
    }

    /** Bytes in B, KiB, MiB or GiB. */
    static String bytes(long b) {
        if (b < 1024) {
            return b + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = b;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return f("%.1f %s", v, units[u]);
    }

    /** A count with k/M suffixes above 10 000. */
    static String count(long n) {
        return n >= 10_000_000 ? f("%.1fM", n / 1e6) : n >= 10_000 ? f("%.1fk", n / 1e3) : Long.toString(n);
    }

    /** Money: four decimals, enough for per-window cents. */
    static String money(double amount, String currency) {
        return f("%.4f %s", amount, currency);
    }

    /** An age in s, m or h. */
    static String age(long ms) {
        long s = ms / 1000;
        return s >= 3600 ? (s / 3600) + "h" : s >= 60 ? (s / 60) + "m" : s + "s";
    }

    /** {@code HH:mm:ssZ} in UTC. */
    static String clock(long epochMs) {
        return CLOCK.format(Instant.ofEpochMilli(epochMs));
    }
}
