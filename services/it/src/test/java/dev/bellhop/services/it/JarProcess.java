package dev.bellhop.services.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * A service started the way production starts it: {@code java -jar
 * services/<name>/target/<name>.jar}.
 */
final class JarProcess implements AutoCloseable {
  private static final Pattern READY = Pattern.compile("msg=\"ready\" port=\"(\\d+)\"");

  final String name;
  final Process process;
  final Path log;
  final int port;

  private JarProcess(String name, Process process, Path log, int port) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.port = port;
  }

  static Path jar(String name) {
    Path jar =
        Path.of(System.getProperty("bellhop.services.dir", ".."))
            .resolve(name)
            .resolve("target")
            .resolve(name + ".jar");
    Assumptions.assumeTrue(
        Files.isRegularFile(jar),
        "no " + jar + ": build with mvn install (the package phase makes it)");
    return jar;
  }

  /** Starts on a free port (PORT=0) and waits until the service logs that it is ready. */
  static JarProcess start(String name, Map<String, String> env) {
    Path jar = jar(name);
    try {
      Path log = Files.createTempFile("bellhop-" + name + "-", ".log");
      ProcessBuilder builder =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-Xmx128m",
                  "-XX:TieredStopAtLevel=1",
                  "-Xshare:auto",
                  "-jar",
                  jar.toString())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      builder.environment().put("BIND_ADDR", "127.0.0.1");
      builder.environment().put("PORT", "0");
      builder.environment().putAll(env);
      Process process = builder.start();
      int[] port = new int[1];
      await()
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(50))
          .until(
              () -> {
                if (!process.isAlive()) {
                  throw new IllegalStateException(name + " exited: " + Files.readString(log));
                }
                Matcher m = READY.matcher(Files.readString(log));
                if (m.find()) {
                  port[0] = Integer.parseInt(m.group(1));
                  return true;
                }
                return false;
              });
      return new JarProcess(name, process, log, port[0]);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** SIGTERM: what Kubernetes sends first. */
  void terminate() {
    process.destroy();
  }

  /** SIGKILL: a crash. */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
  }

  String output() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    try {
      Files.deleteIfExists(log);
    } catch (IOException ignored) {
      // a temp file
    }
  }
}
