package dev.bellhop.testkit.consul;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the consul binary: system property {@code bellhop.consul.binary} (set by surefire),
 * env {@code CONSUL_BINARY}, {@code .tools/bin/consul} in user.dir or any parent (the repo root),
 * then {@code consul} on PATH.
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
    List<String> tried = new ArrayList<>();
    p = find(tried);
    if (p == null) {
      throw new IllegalStateException(
          "No consul binary found. Run `make consul` in the repository root (it installs"
              + " Consul 1.8.7 at .tools/bin/consul), or point -D" + PROPERTY + " or $" + ENV
              + " at a consul binary. Tried: " + String.join(", ", tried));
    }
    cached = p;
    return p;
  }

  private static Path find(List<String> tried) {
    String prop = System.getProperty(PROPERTY);
    if (prop != null && !prop.isBlank()) {
      Path p = Paths.get(prop.trim());
      tried.add("-D" + PROPERTY + "=" + p);
      if (usable(p)) {
        return p.toAbsolutePath();
      }
    }
    String env = System.getenv(ENV);
    if (env != null && !env.isBlank()) {
      Path p = Paths.get(env.trim());
      tried.add("$" + ENV + "=" + p);
      if (usable(p)) {
        return p.toAbsolutePath();
      }
    }
    for (Path d = Paths.get(System.getProperty("user.dir")).toAbsolutePath(); d != null; d = d.getParent()) {
      Path p = d.resolve(".tools").resolve("bin").resolve("consul");
      if (usable(p)) {
        return p;
      }
    }
    tried.add(".tools/bin/consul in " + System.getProperty("user.dir") + " and its parents");
    String path = System.getenv("PATH");
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
