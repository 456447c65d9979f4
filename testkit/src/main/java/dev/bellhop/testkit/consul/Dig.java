package dev.bellhop.testkit.consul;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Consul's DNS interface read as a user reads it, with the real {@code dig} ({@code make test}
 * installs dnsutils): one try, one second, so a caller's await decides how long to keep asking.
 */
public final class Dig {
  private Dig() {}

  /**
   * The SRV records of {@code name} at {@code address:port}, as {@code dig +short} prints them;
   * when dig fails (";; communications error ... timed out"), what it said is the exception's
   * message.
   */
  public static List<String> srv(String address, int port, String name) {
    try {
      Process p =
          new ProcessBuilder(
                  "dig",
                  "+short",
                  "+time=1",
                  "+tries=1",
                  "@" + address,
                  "-p",
                  Integer.toString(port),
                  name,
                  "SRV")
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.waitFor() != 0) {
        throw new IllegalStateException(out.strip().replace('\n', ' '));
      }
      return out.lines().filter(l -> !l.isBlank()).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
