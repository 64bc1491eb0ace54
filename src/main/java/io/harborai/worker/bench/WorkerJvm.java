package io.harborai.worker.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Where {@code harbor bench} runs its workers: in the bench's own JVM ({@link Mode#EMBEDDED}, the
 * default), or each in a JVM of its own ({@link Mode#SEPARATE}, see {@link WorkerProcess}) while
 * broker, registry, Redis, simulator, load generator and collector stay in the bench's JVM, so the
 * OS can tell the worker's CPU apart.
 *
 * @param mode embedded or separate
 * @param maxHeap the separate worker JVM's {@code -Xmx} value, e.g. {@code 512m}
 * @param userConfig the bench's configuration file, carried into each worker's generated one, or
 *     null
 * @param mainArgs what follows {@code java -cp <classpath>} to run a worker on a configuration
 *     file given as the next argument: a main class and its command, e.g. {@code [HarborCli, run,
 *     --config]} (the CLI, a layer above the bench, names itself)
 */
public record WorkerJvm(Mode mode, String maxHeap, Path userConfig, List<String> mainArgs) {
    /** In the bench's JVM or in one of its own. */
    public enum Mode {
        EMBEDDED,
        SEPARATE;

        /** {@code embedded} or {@code separate}, as the option and the JSON spell it. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Workers in the bench's JVM. */
    public static final WorkerJvm EMBEDDED = new WorkerJvm(Mode.EMBEDDED, null, null, List.of());

    public WorkerJvm {
        if (mode == Mode.SEPARATE) {
            if (maxHeap == null || !maxHeap.matches("[0-9]+[kKmMgG]?")) {
                throw new IllegalArgumentException("--worker-heap must be a -Xmx size such as 512m");
            }
            if (mainArgs.isEmpty()) {
                throw new IllegalArgumentException("a separate worker JVM needs the command that starts a worker");
            }
        }
        mainArgs = List.copyOf(mainArgs);
    }

    public boolean separate() {
        return mode == Mode.SEPARATE;
    }
}
