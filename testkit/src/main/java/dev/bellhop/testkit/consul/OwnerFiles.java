package dev.bellhop.testkit.consul;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * The small files that let a later JVM clean up after one that died without running its shutdown
 * hook: every cluster dir holds {@value #OWNER_FILE} (the owning JVM), every node dir holds {@value
 * #PID_FILE} (the consul pid and the owning JVM), every claimed loopback block holds a lock file in
 * {@link #lockDir()}.
 */
final class OwnerFiles {
  static final String OWNER_FILE = "bellhop-cluster.owner";
  static final String PID_FILE = "consul.pid";

  private static final long MY_PID = ProcessHandle.current().pid();
  private static final String MY_START =
      ProcessHandle.current().info().startInstant().map(Instant::toString).orElse("");

  private OwnerFiles() {}

  static long myPid() {
    return MY_PID;
  }

  /** Machine-wide folder holding the loopback block claims, shared by all JVMs. */
  static Path lockDir() {
    String override = System.getProperty("bellhop.testkit.lockdir");
    if (override != null && !override.isBlank()) {
      return Path.of(override);
    }
    // A fixed machine-wide place (not java.io.tmpdir, which a build may redirect per JVM).
    Path tmp = Path.of("/tmp");
    if (!Files.isDirectory(tmp) || !Files.isWritable(tmp)) {
      tmp = Path.of(System.getProperty("java.io.tmpdir"));
    }
    return tmp.resolve("bellhop-testkit").resolve("blocks");
  }

  static Properties ownerProps() {
    Properties p = new Properties();
    p.setProperty("owner.pid", Long.toString(MY_PID));
    p.setProperty("owner.start", MY_START);
    return p;
  }

  static void writeOwnerFile(Path clusterDir) {
    write(clusterDir.resolve(OWNER_FILE), ownerProps());
  }

  /** Writes the pid file of one consul process owned by this JVM. */
  static void writePidFile(Path nodeDir, long consulPid, Path configFile) {
    writePidFile(nodeDir, consulPid, configFile, MY_PID, MY_START);
  }

  static void writePidFile(
      Path nodeDir, long consulPid, Path configFile, long ownerPid, String ownerStart) {
    Properties p = new Properties();
    p.setProperty("consul.pid", Long.toString(consulPid));
    p.setProperty("owner.pid", Long.toString(ownerPid));
    p.setProperty("owner.start", ownerStart == null ? "" : ownerStart);
    if (configFile != null) {
      p.setProperty("config", configFile.toAbsolutePath().toString());
    }
    write(nodeDir.resolve(PID_FILE), p);
  }

  static void write(Path file, Properties p) {
    try {
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp" + MY_PID);
      StringBuilder b = new StringBuilder();
      for (String k : p.stringPropertyNames()) {
        b.append(k).append('=').append(p.getProperty(k).replace("\\", "\\\\")).append('\n');
      }
      Files.writeString(tmp, b.toString(), StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  static Optional<Properties> read(Path file) {
    try {
      Properties p = new Properties();
      p.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
      return Optional.of(p);
    } catch (IOException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /**
   * Whether the JVM recorded in {@code p} still runs. A pid that is alive but started at another
   * time than recorded was reused by some other process: the owner is dead. Unreadable records
   * count as alive when the file is younger than a minute (it may be being written).
   */
  static boolean ownerAlive(Properties p, Path file) {
    long pid;
    try {
      pid = Long.parseLong(p.getProperty("owner.pid", "").trim());
    } catch (NumberFormatException e) {
      return youngerThan(file, Duration.ofMinutes(1));
    }
    if (pid == MY_PID) {
      return true;
    }
    Optional<ProcessHandle> h = ProcessHandle.of(pid);
    if (h.isEmpty() || !h.get().isAlive()) {
      return false;
    }
    String recorded = p.getProperty("owner.start", "").trim();
    Optional<Instant> actual = h.get().info().startInstant();
    if (!recorded.isEmpty() && actual.isPresent()) {
      try {
        Instant r = Instant.parse(recorded);
        return Duration.between(r, actual.get()).abs().compareTo(Duration.ofSeconds(2)) <= 0;
      } catch (RuntimeException ignored) {
        return true;
      }
    }
    return true;
  }

  static boolean youngerThan(Path file, Duration age) {
    try {
      return Files.getLastModifiedTime(file).toInstant().isAfter(Instant.now().minus(age));
    } catch (IOException e) {
      return false;
    }
  }

  /** The command line of a running process ({@code /proc/<pid>/cmdline}, NULs as spaces), or "". */
  static String cmdline(long pid) {
    try {
      byte[] b = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
      for (int i = 0; i < b.length; i++) {
        if (b[i] == 0) {
          b[i] = ' ';
        }
      }
      return new String(b, StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      return "";
    }
  }

  static void deleteRecursively(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException ignored) {
                  // best effort: a concurrent sweeper or a still-writing process
                }
              });
    } catch (IOException | UncheckedIOException ignored) {
      // best effort
    }
  }
}
