package dev.bellhop.localcluster.apiserver.logs;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * One line of a CRI container log, {@code <RFC3339Nano> <stream> <F|P> <text>}, and how the kubelet
 * hands it to {@code kubectl logs}: the text, prefixed by its timestamp on request; a partial line
 * (P) has no newline of its own.
 */
record LogLine(String timestamp, Instant time, String stream, boolean partial, String text) {
  /** Null for a line that is not in CRI form (skipped, as the kubelet skips it). */
  static LogLine parse(String raw) {
    int first = raw.indexOf(' ');
    int second = first < 0 ? -1 : raw.indexOf(' ', first + 1);
    int third = second < 0 ? -1 : raw.indexOf(' ', second + 1);
    if (third < 0) {
      return null;
    }
    try {
      String timestamp = raw.substring(0, first);
      return new LogLine(
          timestamp,
          Instant.parse(timestamp),
          raw.substring(first + 1, second),
          raw.substring(second + 1, third).equals("P"),
          raw.substring(third + 1));
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  byte[] render(boolean timestamps) {
    String out = (timestamps ? timestamp + " " : "") + text + (partial ? "" : "\n");
    return out.getBytes(StandardCharsets.UTF_8);
  }
}
