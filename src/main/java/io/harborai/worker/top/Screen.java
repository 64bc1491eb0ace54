package io.harborai.worker.top;

import java.io.PrintWriter;

/**
 * Where {@code harbor top} draws its frames. In place (a terminal): each frame starts at the
 * cursor home, each line clears the rest of its row and the frame clears below itself, so the
 * screen is overwritten without being blanked first (no flicker). Otherwise (a pipe, a log, a
 * test): frames are printed one after the other, separated by a blank line, with no escape codes.
 *
 * <p>Not thread-safe: used by the command's thread only.
 */
public final class Screen {
    static final String HOME = "\u001b[H";
    static final String CLEAR_LINE_END = "\u001b[K";
    static final String CLEAR_BELOW = "\u001b[J";

    private final PrintWriter out;
    private final boolean inPlace;
    private boolean first = true;

    public Screen(PrintWriter out, boolean inPlace) {
        this.out = out;
        this.inPlace = inPlace;
    }

    /** Draws {@code frame} (lines separated by {@code \n}) and flushes. */
    public void draw(String frame) {
        if (inPlace) {
            String body = frame.replace("\n", CLEAR_LINE_END + "\n");
            out.print((first ? HOME + CLEAR_BELOW : HOME) + body + CLEAR_LINE_END + "\n" + CLEAR_BELOW);
        } else {
            out.print((first ? "" : "\n") + frame + "\n");
        }
        first = false;
        out.flush();
    }
}
