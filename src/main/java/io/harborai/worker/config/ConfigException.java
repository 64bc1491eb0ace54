package io.harborai.worker.config;

import java.util.List;

/**
 * A configuration that cannot start the worker. The message names every wrong key at once, so a
 * person fixes the file in one pass; it never contains a secret value.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public ConfigException(List<String> problems) {
        super("Invalid configuration (" + problems.size() + " problem" + (problems.size() == 1 ? "" : "s") + "):\n  - "
                + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    /** One line per wrong key, each starting with the key. */
    public List<String> problems() {
        return problems;
    }
}
