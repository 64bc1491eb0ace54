package io.harborai.worker.structured;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Finds the JSON object or array in a model's answer.
 *
 * <p>Tried in order, the first that parses wins:
 * <ol>
 *   <li>the whole content (byte-order mark and surrounding whitespace removed);
 *   <li>each fenced block whose info string is {@code json} (any case) or empty, in order of its
 *       opening fence. Fences nest: a {@code ````markdown} block holding a {@code ```json} block
 *       is opened and its inner block is still tried. At most {@value #MAX_CANDIDATES} fences;
 *   <li>each balanced {@code {...}} or {@code [...]} span, by start position: the scan honours
 *       strings and escapes, so braces inside strings do not count. At most {@value
 *       #MAX_CANDIDATES} start positions and nesting up to {@value #MAX_DEPTH}, so the work is
 *       bounded by {@code MAX_CANDIDATES * content.length()}.
 * </ol>
 *
 * <p>Only objects and arrays count: a bare {@code 42} or {@code "text"} is prose, not an answer.
 * Parsing is strict JSON (no comments, no trailing commas, no trailing tokens): a lenient parse
 * would accept an answer the schema caller cannot read back, and the re-ask fixes it instead.
 * Floats are read as {@link java.math.BigDecimal}, and trailing zeros are kept, so the extracted
 * value keeps the digits the model wrote ({@code 0.10} stays {@code 0.10}).
 *
 * <p>A candidate that parses to an object or array is returned even if a later one would fit the
 * schema better: choosing belongs to validation and the re-ask, not here.
 *
 * <p>Stateless and thread-safe; never throws.
 */
public final class JsonExtractor {
    /** Start positions (and, separately, fences) tried before giving up. */
    static final int MAX_CANDIDATES = 64;
    /** Deeper nesting ends a span candidate; Jackson's own default limit is 1000. */
    static final int MAX_DEPTH = 1000;

    private static final char BOM = '\uFEFF';
    private static final String FENCE = "```";

    /** Shared and immutable; ObjectMapper is thread-safe once configured. */
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();

    private JsonExtractor() {}

    /** The JSON object or array found in {@code content}; empty for null, blank or none found. */
    public static Optional<JsonNode> extract(String content) {
        if (content == null || content.isBlank()) {
            return Optional.empty();
        }
        try {
            String text = stripBom(content).strip();
            JsonNode whole = parse(text);
            if (whole != null) {
                return Optional.of(whole);
            }
            JsonNode fenced = fenced(text);
            if (fenced != null) {
                return Optional.of(fenced);
            }
            return Optional.ofNullable(span(text));
        } catch (RuntimeException e) {
            return Optional.empty(); // defensive: the contract is "never throws"
        }
    }

    private static String stripBom(String s) {
        int i = 0;
        while (i < s.length() && s.charAt(i) == BOM) {
            i++;
        }
        return s.substring(i);
    }

    /** The first parseable json-or-bare fenced block, or null. */
    private static JsonNode fenced(String text) {
        int from = 0;
        for (int tried = 0; tried < MAX_CANDIDATES; tried++) {
            int open = nextFenceLine(text, from);
            if (open < 0) {
                return null;
            }
            int ticks = countTicks(text, open);
            int lineEnd = lineEnd(text, open);
            String info = text.substring(open + ticks, lineEnd).strip().toLowerCase(Locale.ROOT);
            from = lineEnd; // the next opening fence may be nested inside this block
            if ((!info.isEmpty() && !info.equals("json")) || lineEnd >= text.length()) {
                continue;
            }
            int close = closingFence(text, lineEnd + 1, ticks);
            JsonNode node = parse(text.substring(lineEnd + 1, close < 0 ? text.length() : close)
                    .strip());
            if (node != null) {
                return node;
            }
        }
        return null;
    }

    /** Index of the next line (at or after {@code from}) starting with a fence, or -1. */
    private static int nextFenceLine(String text, int from) {
        int i = text.indexOf(FENCE, from);
        while (i >= 0) {
            if (startsLine(text, i)) {
                return i;
            }
            i = text.indexOf(FENCE, i + countTicks(text, i));
        }
        return -1;
    }

    /** A closing fence: a line of at least {@code ticks} backticks and nothing else. */
    private static int closingFence(String text, int from, int ticks) {
        int i = nextFenceLine(text, from);
        while (i >= 0) {
            int n = countTicks(text, i);
            if (n >= ticks && text.substring(i + n, lineEnd(text, i)).isBlank()) {
                return i;
            }
            i = nextFenceLine(text, i + n);
        }
        return -1;
    }

    /** True when only spaces or tabs precede {@code i} on its line (Markdown allows indentation). */
    private static boolean startsLine(String text, int i) {
        for (int j = i - 1; j >= 0; j--) {
            char c = text.charAt(j);
            if (c == '\n') {
                return true;
            }
            if (c != ' ' && c != '\t') {
                return false;
            }
        }
        return true;
    }

    private static int countTicks(String text, int i) {
        int n = 0;
        while (i + n < text.length() && text.charAt(i + n) == '`') {
            n++;
        }
        return n;
    }

    private static int lineEnd(String text, int i) {
        int nl = text.indexOf('\n', i);
        return nl < 0 ? text.length() : nl;
    }

    /** The first balanced {@code {...}} or {@code [...]} span that parses, or null. */
    private static JsonNode span(String text) {
        int tried = 0;
        for (int start = 0; start < text.length() && tried < MAX_CANDIDATES; start++) {
            char c = text.charAt(start);
            if (c != '{' && c != '[') {
                continue;
            }
            tried++;
            int end = balancedEnd(text, start);
            if (end > 0) {
                JsonNode node = parse(text.substring(start, end));
                if (node != null) {
                    return node;
                }
            }
        }
        return null;
    }

    /**
     * The index just past the bracket closing the one at {@code start}, or -1 when a closer does
     * not match, the text ends first, or nesting exceeds {@link #MAX_DEPTH}.
     */
    private static int balancedEnd(String text, int start) {
        char[] expected = new char[16];
        int depth = 0;
        boolean inString = false;
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++; // skip the escaped char, whatever it is
                } else if (c == '"') {
                    inString = false;
                }
                continue;
            }
            switch (c) {
                case '"' -> inString = true;
                case '{', '[' -> {
                    if (depth == MAX_DEPTH) {
                        return -1;
                    }
                    if (depth == expected.length) {
                        expected = Arrays.copyOf(expected, depth * 2);
                    }
                    expected[depth++] = c == '{' ? '}' : ']';
                }
                case '}', ']' -> {
                    if (expected[--depth] != c) {
                        return -1;
                    }
                    if (depth == 0) {
                        return i + 1;
                    }
                }
                default -> {}
            }
        }
        return -1;
    }

    /** The object or array {@code text} holds entirely, or null. */
    private static JsonNode parse(String text) {
        if (text.isEmpty() || (text.charAt(0) != '{' && text.charAt(0) != '[')) {
            return null;
        }
        try {
            JsonNode node = MAPPER.readTree(text);
            return node != null && (node.isObject() || node.isArray()) ? node : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
