package dev.bellhop.localcluster.apiserver.printing;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * kube's duration.HumanDuration: "5s", "3m20s", "2h", "4d3h", as {@code kubectl get} prints ages.
 */
public final class Age {
  private Age() {}

  /** The age of a timestamp field, "{@code <unknown>}" when it is missing or unparseable. */
  public static String since(JsonNode timestamp, Instant now) {
    if (timestamp == null || !timestamp.isTextual() || timestamp.asText().isEmpty()) {
      return "<unknown>";
    }
    try {
      return human(Duration.between(Instant.parse(timestamp.asText()), now));
    } catch (DateTimeParseException e) {
      return "<invalid>";
    }
  }

  public static String human(Duration d) {
    long seconds = d.getSeconds();
    // kube tolerates a second of clock skew as "now".
    if (seconds < -1) {
      return "<invalid>";
    } else if (seconds < 0) {
      return "0s";
    } else if (seconds < 120) {
      return seconds + "s";
    }
    long minutes = seconds / 60;
    if (minutes < 10) {
      return units(minutes, "m", seconds % 60, "s");
    } else if (minutes < 180) {
      return minutes + "m";
    }
    long hours = minutes / 60;
    if (hours < 8) {
      return units(hours, "h", minutes % 60, "m");
    } else if (hours < 48) {
      return hours + "h";
    } else if (hours < 24 * 8) {
      return units(hours / 24, "d", hours % 24, "h");
    } else if (hours < 24 * 365 * 2) {
      return hours / 24 + "d";
    } else if (hours < 24 * 365 * 8) {
      return units(hours / 24 / 365, "y", (hours / 24) % 365, "d");
    }
    return hours / 24 / 365 + "y";
  }

  /** "3m20s", or "3m" when the smaller unit is zero. */
  private static String units(long large, String largeUnit, long small, String smallUnit) {
    return small == 0 ? large + largeUnit : large + largeUnit + small + smallUnit;
  }
}
