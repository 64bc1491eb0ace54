package io.harborai.worker.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A Dockerfile as its stages and instructions, enough for {@link DockerfileTest} to check it
 * without a Docker engine (none runs on these machines).
 *
 * <p>Written by hand because no parser of the Dockerfile syntax is on Maven Central in a form
 * worth a dependency: it handles what the project's Dockerfile uses (line continuations, comments,
 * {@code --flag=value} options, exec-form JSON arrays), not heredocs or parser directives.
 */
record Dockerfile(List<Stage> stages) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern FLAG = Pattern.compile("--([a-z-]+)=(\\S+)\\s*");

    /** One instruction: its keyword (upper case), leading {@code --name=value} flags, and the rest. */
    record Instruction(String keyword, Map<String, String> flags, String args) {
        /** The exec form's JSON array, or the shell form as one element. */
        List<String> execForm() {
            if (!args.startsWith("[")) {
                return List.of(args);
            }
            try {
                return Arrays.asList(JSON.readValue(args, String[].class));
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException(keyword + ": not a JSON array: " + args, e);
            }
        }

        /** Whitespace-separated words (COPY sources and destination, EXPOSE ports, ...). */
        List<String> words() {
            return args.isBlank() ? List.of() : List.of(args.trim().split("\\s+"));
        }
    }

    /** A build stage: its base image, its name ({@code AS name}, or null) and its instructions. */
    record Stage(String base, String name, List<Instruction> instructions) {
        List<Instruction> all(String keyword) {
            return instructions.stream()
                    .filter(i -> i.keyword().equals(keyword))
                    .toList();
        }

        Optional<Instruction> last(String keyword) {
            List<Instruction> all = all(keyword);
            return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
        }

        /** ENV assignments of this stage, {@code KEY=value} form (quotes removed), in order. */
        Map<String, String> env() {
            Map<String, String> env = new LinkedHashMap<>();
            var assignment = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"(?:[^\"\\\\]|\\\\.)*\"|\\S+)");
            for (Instruction i : all("ENV")) {
                var m = assignment.matcher(i.args());
                while (m.find()) {
                    String v = m.group(2);
                    env.put(m.group(1), v.startsWith("\"") ? v.substring(1, v.length() - 1) : v);
                }
            }
            return env;
        }
    }

    Stage last() {
        return stages.get(stages.size() - 1);
    }

    static Dockerfile parse(String text) {
        List<String> logical = new ArrayList<>();
        StringBuilder current = null;
        for (String raw : text.split("\n", -1)) {
            String line = raw.strip();
            if (line.startsWith("#") || (line.isEmpty() && current == null)) {
                continue; // comments, also between continued lines, are dropped by Docker too
            }
            boolean continues = line.endsWith("\\");
            String body = continues ? line.substring(0, line.length() - 1) : line;
            current = current == null
                    ? new StringBuilder(body)
                    : current.append(' ').append(body);
            if (!continues) {
                logical.add(current.toString().strip());
                current = null;
            }
        }
        if (current != null) {
            logical.add(current.toString().strip());
        }
        List<Stage> stages = new ArrayList<>();
        List<Instruction> instructions = null;
        for (String line : logical) {
            String[] parts = line.split("\\s+", 2);
            String keyword = parts[0].toUpperCase();
            String rest = parts.length > 1 ? parts[1] : "";
            Map<String, String> flags = new LinkedHashMap<>();
            var m = FLAG.matcher(rest);
            while (m.lookingAt()) {
                flags.put(m.group(1), m.group(2));
                rest = rest.substring(m.end());
                m = FLAG.matcher(rest);
            }
            if (keyword.equals("FROM")) {
                String[] from = rest.trim().split("\\s+");
                instructions = new ArrayList<>();
                String name = from.length == 3 && from[1].equalsIgnoreCase("AS") ? from[2] : null;
                stages.add(new Stage(from[0], name, instructions));
            } else if (instructions == null) {
                throw new IllegalArgumentException("instruction before the first FROM: " + line);
            } else {
                instructions.add(new Instruction(keyword, flags, rest.trim()));
            }
        }
        return new Dockerfile(List.copyOf(stages));
    }
}
