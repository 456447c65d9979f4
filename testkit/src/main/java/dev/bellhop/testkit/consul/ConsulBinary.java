package dev.bellhop.testkit.consul;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the consul binary: system property {@code bellhop.consul.binary} (set by surefire), env
 * {@code CONSUL_BINARY}, {@code .tools/bin/consul} in user.dir or any parent (the repo root), then
 * {@code consul} on PATH.
 */
public final class ConsulBinary {
  /** System property naming the consul binary. */
  public static final String PROPERTY = "bellhop.consul.binary";

  /** Environment variable naming the consul binary. */
  public static final String ENV = "CONSUL_BINARY";

  private static volatile Path cached;

  private ConsulBinary() {}

  /** The consul binary to run; fails with a clear message (run {@code make consul}) if none. */
  public static Path locate() {
    Path p = cached;
    if (p != null) {
      return p;
    }
    p =
        locate(
            System.getProperty(PROPERTY),
            System.getenv(ENV),
            Paths.get(System.getProperty("user.dir")),
            System.getenv("PATH"));
    cached = p;
    return p;
  }

  /**
   * Runs {@code consul tls <args>} in {@code dir} (e.g. {@code ca create}, then {@code cert create
   * -server -dc dc1}), as Consul's docs make test certificates; fails unless it exits 0 within 30
   * s.
   */
  public static void tls(Path dir, String... args) {
    List<String> command = new ArrayList<>();
    command.add(locate().toString());
    command.add("tls");
    command.addAll(List.of(args));
    try {
      Process p =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " failed");
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static Path locate(String prop, String env, Path userDir, String pathEnv) {
    List<String> tried = new ArrayList<>();
    Path p = find(prop, env, userDir, pathEnv, tried);
    if (p == null) {
      throw new IllegalStateException(
          "No consul binary found. Run `make consul` in the repository root (it installs"
              + " Consul 1.8.7 at .tools/bin/consul), or point -D"
              + PROPERTY
              + " or $"
              + ENV
              + " at a consul binary. Tried: "
              + String.join(", ", tried));
    }
    return p;
  }

  private static Path find(String prop, String env, Path userDir, String path, List<String> tried) {
    if (prop != null && !prop.isBlank()) {
      Path p = Paths.get(prop.trim());
      tried.add("-D" + PROPERTY + "=" + p);
      if (usable(p)) {
        return p.toAbsolutePath();
      }
    }
    if (env != null && !env.isBlank()) {
      Path p = Paths.get(env.trim());
      tried.add("$" + ENV + "=" + p);
      if (usable(p)) {
        return p.toAbsolutePath();
      }
    }
    for (Path d = userDir.toAbsolutePath(); d != null; d = d.getParent()) {
      Path p = d.resolve(".tools").resolve("bin").resolve("consul");
      if (usable(p)) {
        return p;
      }
    }
    tried.add(".tools/bin/consul in " + userDir + " and its parents");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        if (dir.isEmpty()) {
          continue;
        }
        Path p = Paths.get(dir, "consul");
        if (usable(p)) {
          return p;
        }
      }
    }
    tried.add("consul on PATH");
    return null;
  }

  private static boolean usable(Path p) {
    return Files.isRegularFile(p) && Files.isExecutable(p);
  }
}
