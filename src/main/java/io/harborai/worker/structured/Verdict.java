package io.harborai.worker.structured;

import java.util.List;

/**
 * The outcome of checking one answer against a request's {@code response_format}.
 *
 * @param valid whether the answer holds JSON satisfying the requested format
 * @param json the JSON extracted from the answer as compact text, or {@code null} when none was
 *     found; set (for diagnostics) even when the value is not valid
 * @param errors why the answer is not valid, human-readable and bounded; empty iff {@code valid}
 */
public record Verdict(boolean valid, String json, List<String> errors) {
    /**
     * @throws IllegalArgumentException if {@code valid} disagrees with {@code errors} being empty,
     *     or a valid verdict has no JSON
     */
    public Verdict {
        errors = List.copyOf(errors);
        if (valid != errors.isEmpty()) {
            throw new IllegalArgumentException("a verdict is valid iff it has no errors");
        }
        if (valid && json == null) {
            throw new IllegalArgumentException("a valid verdict needs the JSON");
        }
    }

    /** A valid answer holding {@code json}. */
    public static Verdict ok(String json) {
        return new Verdict(true, json, List.of());
    }

    /** An invalid answer; {@code json} is what was extracted, or null. */
    public static Verdict invalid(String json, List<String> errors) {
        return new Verdict(false, json, errors);
    }
}
