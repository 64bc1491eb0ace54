package io.harborai.worker.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The rules of a {@code .dockerignore} file, as Docker applies them to the build context: the last
 * pattern that matches a path or one of its parent directories decides, {@code !} re-includes,
 * {@code *} and {@code ?} stay within one path segment, {@code **} spans any number.
 *
 * <p>By hand for the same reason as {@link Dockerfile}: a few lines against a dependency on a
 * Docker client library for one function.
 */
record DockerIgnore(List<Rule> rules) {
    record Rule(Pattern pattern, boolean exception) {}

    static DockerIgnore parse(String text) {
        List<Rule> rules = new ArrayList<>();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            boolean exception = line.startsWith("!");
            String p = (exception ? line.substring(1) : line).strip().replaceAll("^/+|/+$", "");
            rules.add(new Rule(Pattern.compile(regex(p)), exception));
        }
        return new DockerIgnore(List.copyOf(rules));
    }

    /** True when {@code path} (relative to the context, '/'-separated) stays out of the context. */
    boolean excludes(String path) {
        boolean excluded = false;
        for (Rule rule : rules) {
            if (matchesOrParentMatches(rule.pattern(), path)) {
                excluded = !rule.exception();
            }
        }
        return excluded;
    }

    private static boolean matchesOrParentMatches(Pattern pattern, String path) {
        String p = path;
        while (true) {
            if (pattern.matcher(p).matches()) {
                return true;
            }
            int slash = p.lastIndexOf('/');
            if (slash < 0) {
                return false;
            }
            p = p.substring(0, slash);
        }
    }

    private static String regex(String glob) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                boolean slash = i + 2 < glob.length() && glob.charAt(i + 2) == '/';
                re.append(slash ? "(?:.*/)?" : ".*");
                i += slash ? 2 : 1;
            } else if (c == '*') {
                re.append("[^/]*");
            } else if (c == '?') {
                re.append("[^/]");
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return re.toString();
    }
}
