package dev.bellhop.bench.services;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs wrk (the Debian package) and reads requests/s, latency percentiles and errors from its
 * report.
 */
final class Wrk {
  record Result(double requestsPerSecond, double p50Millis, double p99Millis, long errors) {}

  private Wrk() {}

  /** A run whose figures are thrown away: JIT compilation and connection pools settle first. */
  static void warmUp(String url, int connections, int seconds, Path script)
      throws IOException, InterruptedException {
    new ProcessBuilder(
            "wrk", "-t2", "-c" + connections, "-d" + seconds + "s", "-s", script.toString(), url)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start()
        .waitFor();
  }

  static Result run(String url, int connections, int seconds, Path script)
      throws IOException, InterruptedException {
    Process wrk =
        new ProcessBuilder(
                "wrk",
                "-t2",
                "-c" + connections,
                "-d" + seconds + "s",
                "--latency",
                "--timeout",
                "5s",
                "-s",
                script.toString(),
                url)
            .redirectErrorStream(true)
            .start();
    String out = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (wrk.waitFor() != 0) {
      throw new IllegalStateException("wrk failed:\n" + out);
    }
    System.out.print(
        out.lines()
            .filter(l -> l.contains("Requests/sec") || l.contains("99%") || l.contains("Non-2xx"))
            .map(l -> "  wrk: " + l.trim() + "\n")
            .reduce("", String::concat));
    return new Result(
        number(out, "Requests/sec:\\s+([\\d.]+)"),
        latency(out, "50%"),
        latency(out, "99%"),
        errors(out));
  }

  static Path hotelRatesScript(String token, Path dir) throws IOException {
    return write(
        dir.resolve("hotel-rates.lua"),
        """
        wrk.method = "POST"
        wrk.headers["Content-Type"] = "application/json"
        wrk.headers["Authorization"] = "Bearer %s"
        math.randomseed(42)
        request = function()
          local lat = 37.72 + math.random() * 0.08
          local lon = -122.50 + math.random() * 0.12
          local body = string.format('{"inDate":"2026-12-10","outDate":"2026-12-13","lat":%%.5f,"lon":%%.5f}', lat, lon)
          return wrk.format(nil, nil, nil, body)
        end
        """
            .formatted(token));
  }

  static Path geoNearbyScript(Path dir) throws IOException {
    return write(
        dir.resolve("geo-nearby.lua"),
        """
        wrk.method = "POST"
        wrk.headers["Content-Type"] = "application/json"
        math.randomseed(7)
        request = function()
          local lat = 37.71 + math.random() * 0.1
          local lon = -122.51 + math.random() * 0.15
          return wrk.format(nil, nil, nil, string.format('{"lat":%.5f,"lon":%.5f}', lat, lon))
        end
        """);
  }

  private static Path write(Path file, String content) throws IOException {
    Files.writeString(file, content);
    return file;
  }

  private static double number(String out, String regex) {
    Matcher m = Pattern.compile(regex).matcher(out);
    if (!m.find()) {
      throw new IllegalStateException("no " + regex + " in wrk output:\n" + out);
    }
    return Double.parseDouble(m.group(1));
  }

  /** A line of wrk's latency distribution, e.g. {@code 99% 12.34ms}, in milliseconds. */
  private static double latency(String out, String percentile) {
    Matcher m =
        Pattern.compile("\\s" + Pattern.quote(percentile) + "\\s+([\\d.]+)(us|ms|s)").matcher(out);
    if (!m.find()) {
      throw new IllegalStateException("no " + percentile + " latency in wrk output:\n" + out);
    }
    double value = Double.parseDouble(m.group(1));
    return switch (m.group(2)) {
      case "us" -> value / 1000;
      case "s" -> value * 1000;
      default -> value;
    };
  }

  private static long errors(String out) {
    long errors = 0;
    Matcher non2xx = Pattern.compile("Non-2xx or 3xx responses:\\s+(\\d+)").matcher(out);
    if (non2xx.find()) {
      errors += Long.parseLong(non2xx.group(1));
    }
    Matcher socket =
        Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)")
            .matcher(out);
    if (socket.find()) {
      for (int g = 1; g <= 4; g++) {
        errors += Long.parseLong(socket.group(g));
      }
    }
    return errors;
  }
}
