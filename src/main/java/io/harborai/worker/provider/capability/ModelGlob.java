package io.harborai.worker.provider.capability;

import java.util.regex.Pattern;

/**
 * Model-name patterns as used by routes, the capability table and the price table: {@code *}
 * matches any run of characters (including none), {@code ?} exactly one, everything else is
 * literal. Hand-written because the JDK's glob ({@code FileSystem.getPathMatcher}) treats {@code /}
 * as a separator, which hosted model names such as {@code deepseek-ai/DeepSeek-V3} contain, and
 * gives {@code [ { \} their own meaning. Stateless.
 */
public final class ModelGlob {
    private ModelGlob() {}

    /** True when {@code model} holds a wildcard, so it names a family rather than one model. */
    public static boolean isGlob(String model) {
        return model.indexOf('*') >= 0 || model.indexOf('?') >= 0;
    }

    /** The whole-name regex of {@code glob}; match it with {@code matcher(name).matches()}. */
    public static Pattern compile(String glob) {
        StringBuilder re = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' || c == '?') {
                if (literal.length() > 0) {
                    re.append(Pattern.quote(literal.toString()));
                    literal.setLength(0);
                }
                re.append(c == '*' ? ".*" : ".");
            } else {
                literal.append(c);
            }
        }
        if (literal.length() > 0) {
            re.append(Pattern.quote(literal.toString()));
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }
}
