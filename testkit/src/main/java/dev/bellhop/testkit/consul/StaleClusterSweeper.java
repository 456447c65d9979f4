package dev.bellhop.testkit.consul;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Kills consul processes left behind by test JVMs that died without running their shutdown hook
 * (kill -9, a crashed surefire fork) and deletes their data dirs. Only touches what a dead JVM
 * owned; never a cluster whose owner JVM is alive, never a process whose command line is not that
 * consul's.
 */
public final class StaleClusterSweeper {
  private static final System.Logger LOG = System.getLogger(StaleClusterSweeper.class.getName());

  private StaleClusterSweeper() {}

  /**
   * Sweeps the given data roots (cluster dirs up to three levels deep) and the machine-wide
   * loopback block claims. Returns the number of consul processes killed.
   */
  public static synchronized int sweep(Collection<Path> roots) {
    int killed = 0;
    Set<Path> clusterDirs = new LinkedHashSet<>();
    List<Path> pidFiles = new ArrayList<>();
    for (Path root : roots) {
      if (root == null || !Files.isDirectory(root)) {
        continue;
      }
      try (Stream<Path> s = Files.walk(root, 3)) {
        s.forEach(
            p -> {
              String n = p.getFileName().toString();
              if (n.equals(OwnerFiles.OWNER_FILE)) {
                clusterDirs.add(p.getParent());
              } else if (n.equals(OwnerFiles.PID_FILE)) {
                pidFiles.add(p);
              }
            });
      } catch (IOException | RuntimeException e) {
        LOG.log(System.Logger.Level.DEBUG, "sweep: cannot walk " + root, e);
      }
    }
    // Loopback block claims of dead JVMs point at their cluster dirs (possibly in other modules).
    Path lockDir = OwnerFiles.lockDir();
    if (Files.isDirectory(lockDir)) {
      try (Stream<Path> s = Files.list(lockDir)) {
        for (Path lock : (Iterable<Path>) s::iterator) {
          Optional<Properties> p = OwnerFiles.read(lock);
          if (p.isPresent() && OwnerFiles.ownerAlive(p.get(), lock)) {
            continue;
          }
          if (p.isEmpty() && OwnerFiles.youngerThan(lock, Duration.ofMinutes(1))) {
            continue;
          }
          String dir = p.map(x -> x.getProperty("dir", "")).orElse("");
          if (!dir.isBlank() && Files.isDirectory(Path.of(dir))) {
            Path d = Path.of(dir);
            clusterDirs.add(d);
            try (Stream<Path> w = Files.walk(d, 2)) {
              w.filter(x -> x.getFileName().toString().equals(OwnerFiles.PID_FILE))
                  .forEach(pidFiles::add);
            } catch (IOException | RuntimeException ignored) {
              // best effort
            }
          }
          try {
            Files.deleteIfExists(lock);
          } catch (IOException ignored) {
            // best effort
          }
        }
      } catch (IOException | RuntimeException e) {
        LOG.log(System.Logger.Level.DEBUG, "sweep: cannot list " + lockDir, e);
      }
    }

    for (Path pidFile : new LinkedHashSet<>(pidFiles)) {
      Optional<Properties> p = OwnerFiles.read(pidFile);
      if (p.isEmpty() || OwnerFiles.ownerAlive(p.get(), pidFile)) {
        continue;
      }
      if (killConsul(p.get())) {
        killed++;
      }
      OwnerFiles.deleteRecursively(pidFile.getParent());
    }
    for (Path dir : clusterDirs) {
      Path ownerFile = dir.resolve(OwnerFiles.OWNER_FILE);
      Optional<Properties> p = OwnerFiles.read(ownerFile);
      if (p.isPresent() && !OwnerFiles.ownerAlive(p.get(), ownerFile)) {
        OwnerFiles.deleteRecursively(dir);
      }
    }
    if (killed > 0) {
      LOG.log(
          System.Logger.Level.INFO,
          "killed " + killed + " stale consul process(es) of dead test JVMs");
    }
    return killed;
  }

  /** Kills the recorded consul process if it still runs and its command line is consul's. */
  static boolean killConsul(Properties p) {
    long pid;
    try {
      pid = Long.parseLong(p.getProperty("consul.pid", "").trim());
    } catch (NumberFormatException e) {
      return false;
    }
    if (pid <= 1 || pid == OwnerFiles.myPid()) {
      return false;
    }
    Optional<ProcessHandle> h = ProcessHandle.of(pid);
    if (h.isEmpty() || !h.get().isAlive()) {
      return false;
    }
    String cmd = OwnerFiles.cmdline(pid);
    if (!cmd.contains("consul")) {
      return false;
    }
    String config = p.getProperty("config", "").trim();
    if (!config.isEmpty() && !cmd.contains(config)) {
      return false; // pid reused by some other consul
    }
    h.get().destroyForcibly();
    try {
      h.get().onExit().get(5, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // reported as killed anyway: SIGKILL was sent
    }
    return true;
  }
}
