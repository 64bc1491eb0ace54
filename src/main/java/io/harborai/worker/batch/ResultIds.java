package io.harborai.worker.batch;

/**
 * Parses the line number out of a batch result id. {@code harbor submit} gives the request made
 * from physical line {@code N} (1-based) of batch {@code B} the id {@code B:N}, and so does every
 * result for it; {@code harbor collect} tracks lines done by that number (a bit per line, whatever
 * the size of the answers), so parsing must be strict: an id that does not parse is not counted.
 */
public final class ResultIds {
    /** The largest line number a {@link java.util.BitSet} can index. */
    static final long MAX_LINE = Integer.MAX_VALUE - 1L;

    private ResultIds() {}

    /** The id of the result for physical line {@code line} of {@code batchId}. */
    public static String of(String batchId, long line) {
        return batchId + ":" + line;
    }

    /**
     * The line number {@code N} of {@code id} when it is exactly {@code batchId + ":" + N} with
     * {@code N} a canonical decimal (no sign, no leading zero) in 1..{@value #MAX_LINE}; otherwise
     * {@code -1}. Batch ids may themselves contain {@code ':'}: the prefix is matched whole.
     */
    public static int lineNumber(String batchId, CharSequence id) {
        if (id == null || batchId == null) {
            return -1;
        }
        int start = batchId.length() + 1;
        int len = id.length();
        if (len <= start
                || len - start > 10
                || id.charAt(start - 1) != ':'
                || !id.subSequence(0, start - 1).toString().equals(batchId)
                || id.charAt(start) == '0') {
            return -1;
        }
        long n = 0;
        for (int i = start; i < len; i++) {
            char c = id.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n > MAX_LINE ? -1 : (int) n;
    }
}
