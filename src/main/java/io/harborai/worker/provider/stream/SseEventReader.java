package io.harborai.worker.provider.stream;

import java.io.IOException;
import okio.BufferedSource;

/**
 * Reads Server-Sent Events from a response body, one {@code data} payload at a time.
 *
 * <p>Follows the SSE framing that chat-completion streams use: {@code data:} lines (several in one
 * event are joined with {@code \n}), a blank line ends an event, lines starting with {@code :} are
 * comments/keep-alives and are skipped, {@code id:} and {@code retry:} are ignored. An {@code
 * event:} name is kept so that {@code event: error} can be told apart. A final event without a
 * trailing blank line is still returned.
 *
 * <p>Threading: not thread-safe; owned by the thread reading the response body.
 */
public final class SseEventReader {
  /** One event: its name ({@code null} when not given) and data payload. */
  public record Event(String name, String data) {}

  private final BufferedSource source;
  private String firstLine;

  public SseEventReader(BufferedSource source) {
    this.source = source;
  }

  /**
   * The first non-blank line, read ahead so the caller can tell an SSE stream from a plain JSON
   * body (a server that ignored {@code stream: true}, or an error body sent with 200). It is
   * still part of the next event.
   */
  public String peekFirstLine() throws IOException {
    if (firstLine == null) {
      String line;
      do {
        line = source.readUtf8Line();
      } while (line != null && line.isBlank());
      firstLine = line == null ? "" : line;
    }
    return firstLine;
  }

  /** Everything not read yet, with the peeked first line in front. */
  public String readRest() throws IOException {
    String head = firstLine == null ? "" : firstLine + "\n";
    firstLine = null;
    return head + source.readUtf8();
  }

  /** The next event with data, or {@code null} at the end of the stream. */
  public Event next() throws IOException {
    StringBuilder data = null;
    String name = null;
    while (true) {
      String line;
      if (firstLine != null && !firstLine.isEmpty()) {
        line = firstLine;
        firstLine = null;
      } else {
        line = source.readUtf8Line();
      }
      if (line == null) {
        return data == null ? null : new Event(name, data.toString());
      }
      if (line.isEmpty()) {
        if (data != null) {
          return new Event(name, data.toString());
        }
        name = null;
        continue;
      }
      if (line.startsWith(":")) {
        continue;
      }
      int colon = line.indexOf(':');
      String field = colon < 0 ? line : line.substring(0, colon);
      String value = colon < 0 ? "" : line.substring(colon + 1);
      if (value.startsWith(" ")) {
        value = value.substring(1);
      }
      if (field.equals("data")) {
        data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
      } else if (field.equals("event")) {
        name = value;
      }
    }
  }
}
