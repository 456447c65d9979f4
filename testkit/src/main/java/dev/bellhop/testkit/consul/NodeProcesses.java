package dev.bellhop.testkit.consul;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The consul processes of one cluster: launched with their log and pid file, stopped (SIGTERM),
 * killed (SIGKILL), and watched for deaths the fixture did not ask for.
 */
final class NodeProcesses {
  /** How long a node may take to exit before it is killed. */
  private static final long EXIT_MILLIS = 10_000;

  private final Path binary;

  /** Extra command-line arguments of each node (null: none). */
  private final Function<TestConsulNode, List<String>> nodeArgs;

  NodeProcesses(Path binary, Function<TestConsulNode, List<String>> nodeArgs) {
    this.binary = binary;
    this.nodeArgs = nodeArgs;
  }

  /**
   * Starts {@code n}'s consul, its output appended to its log, its pid recorded for a later sweep.
   */
  void launch(TestConsulNode n) {
    List<String> command =
        new ArrayList<>(List.of(binary.toString(), "agent", "-config-file=" + n.configFile()));
    if (nodeArgs != null) {
      command.addAll(nodeArgs.apply(n));
    }
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.directory(n.dataDir().toFile());
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(n.logFile().toFile()));
    pb.environment().keySet().removeIf(k -> k.startsWith("CONSUL_"));
    try {
      Process p = pb.start();
      n.process(p);
      n.wanted = true;
      OwnerFiles.writePidFile(n.dataDir(), p.pid(), n.configFile());
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot start " + binary + " for " + n.name() + ": " + e.getMessage(), e);
    }
  }

  /** SIGTERM ({@code force}: SIGKILL), then waits for the exit (SIGKILL after 10 s). */
  void stop(TestConsulNode n, boolean force) {
    terminate(List.of(n), force);
    deletePidFile(n);
  }

  /**
   * Signals every node at once, then waits for them all (SIGKILL for those still running after 10
   * s).
   */
  void terminate(List<TestConsulNode> nodes, boolean force) {
    List<Process> ps = new ArrayList<>();
    for (TestConsulNode n : nodes) {
      n.wanted = false;
      Process p = n.process();
      if (p != null && p.isAlive()) {
        if (force) {
          p.destroyForcibly();
        } else {
          p.destroy();
        }
        ps.add(p);
      }
    }
    long deadline = System.currentTimeMillis() + EXIT_MILLIS;
    for (Process p : ps) {
      waitOrKill(p, Math.max(0, deadline - System.currentTimeMillis()));
    }
  }

  /** In a JVM shutdown hook: SIGKILL everything, wait at most 2 s a node. */
  static void killForShutdown(List<TestConsulNode> nodes) {
    for (TestConsulNode n : nodes) {
      Process p = n.process();
      if (p != null) {
        p.destroyForcibly();
      }
    }
    for (TestConsulNode n : nodes) {
      Process p = n.process();
      if (p != null) {
        try {
          p.waitFor(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
  }

  private static void waitOrKill(Process p, long millis) {
    try {
      if (!p.waitFor(millis, TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  static void deletePidFile(TestConsulNode n) {
    try {
      Files.deleteIfExists(n.dataDir().resolve(OwnerFiles.PID_FILE));
    } catch (IOException ignored) {
      // best effort
    }
  }

  /** Throws, with the tail of its log, if a node the fixture wants running has exited. */
  static void checkNoUnexpectedDeath(List<TestConsulNode> nodes) {
    for (TestConsulNode n : nodes) {
      Process p = n.process();
      if (n.wanted && p != null && !p.isAlive()) {
        throw new IllegalStateException(
            "consul "
                + n.name()
                + " ("
                + n.address()
                + ") exited with code "
                + p.exitValue()
                + "; log "
                + n.logFile()
                + ":\n"
                + tail(n.logFile(), 4000));
      }
    }
  }

  /** The end of every node's log, for an error message. */
  static String logTails(List<TestConsulNode> nodes) {
    StringBuilder b = new StringBuilder();
    for (TestConsulNode n : nodes) {
      b.append("\n--- ")
          .append(n)
          .append(", tail of ")
          .append(n.logFile())
          .append(":\n")
          .append(tail(n.logFile(), 1500));
    }
    return b.toString();
  }

  static String tail(Path file, int maxChars) {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      long len = f.length();
      long from = Math.max(0, len - maxChars);
      byte[] buf = new byte[(int) (len - from)];
      f.seek(from);
      f.readFully(buf);
      return new String(buf, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }
}
