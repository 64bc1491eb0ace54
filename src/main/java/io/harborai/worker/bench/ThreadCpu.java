package io.harborai.worker.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * CPU time of some threads of another process, from Linux's {@code /proc/<pid>/task/<tid>/stat}:
 * the JDK reports a process's total only, and the bench must tell the worker's JIT compilation
 * (which ends once the code is compiled) from its steady per-result work. Null where there is no
 * {@code /proc}.
 *
 * <p>Counts only threads alive when read; the bench starts workers with a fixed set of compiler
 * threads ({@code -XX:-UseDynamicNumberOfCompilerThreads}) so none exits between two reads.
 */
final class ThreadCpu {
    /** Linux's USER_HZ: the unit of utime and stime in {@code stat}; 100 on every mainstream kernel. */
    private static final long TICKS_PER_SECOND = 100;

    private ThreadCpu() {}

    /** The JIT compiler threads (HotSpot names them "C1 CompilerThreadN" and "C2 CompilerThreadN"). */
    static Duration compiler(long pid) {
        return of(pid, name -> name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre"));
    }

    /** Summed user + system time of the threads of {@code pid} whose name matches, or null. */
    static Duration of(long pid, Predicate<String> name) {
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        if (!Files.isDirectory(tasks)) {
            return null;
        }
        long ticks = 0;
        try (Stream<Path> threads = Files.list(tasks)) {
            for (Path t : (Iterable<Path>) threads::iterator) {
                ticks += ticks(t.resolve("stat"), name);
            }
        } catch (IOException e) {
            return null;
        }
        return Duration.ofMillis(ticks * 1000 / TICKS_PER_SECOND);
    }

    /**
     * utime + stime of one {@code stat} line when its name matches; 0 when not, or when the thread
     * ended meanwhile. The name sits in parentheses and may hold spaces, so fields count from the
     * last ')': state is the first after it, utime the 12th and stime the 13th.
     */
    static long ticks(Path stat, Predicate<String> name) {
        String line;
        try {
            line = Files.readString(stat);
        } catch (IOException gone) {
            return 0;
        }
        return ticks(line, name);
    }

    static long ticks(String statLine, Predicate<String> name) {
        int open = statLine.indexOf('(');
        int close = statLine.lastIndexOf(')');
        if (open < 0 || close < open || !name.test(statLine.substring(open + 1, close))) {
            return 0;
        }
        String[] f = statLine.substring(close + 2).trim().split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }
}
