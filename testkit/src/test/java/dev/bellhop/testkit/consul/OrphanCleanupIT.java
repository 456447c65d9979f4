package dev.bellhop.testkit.consul;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No consul outlives its test JVM: SIGTERM runs the shutdown hook, SIGKILL is cleaned by the next
 * sweep.
 */
class OrphanCleanupIT {
  @TempDir Path root;

  private record Holder(Process jvm, List<Long> consulPids, Path clusterDir) {}

  private Holder startHolder() throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("-D" + ConsulBinary.PROPERTY + "=" + ConsulBinary.locate());
    cmd.add(ClusterHolderMain.class.getName());
    cmd.add(root.toString());
    Process jvm = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    BufferedReader r =
        new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8));
    StringBuilder out = new StringBuilder();
    String line;
    while ((line = r.readLine()) != null) {
      out.append(line).append('\n');
      if (line.startsWith("PIDS ")) {
        String[] parts = line.substring(5).split(" DIR ");
        List<Long> pids = new ArrayList<>();
        for (String p : parts[0].trim().split(" ")) {
          pids.add(Long.parseLong(p));
        }
        return new Holder(jvm, pids, Path.of(parts[1].trim()));
      }
    }
    throw new AssertionError("holder JVM ended without starting a cluster:\n" + out);
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  private static void awaitDead(long pid, long millis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + millis;
    while (alive(pid) && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
  }

  @Test
  void sigtermOfTheJvmKillsItsConsulsViaShutdownHook() throws Exception {
    Holder h = startHolder();
    try {
      assertThat(h.consulPids()).allMatch(OrphanCleanupIT::alive);
      h.jvm().destroy(); // SIGTERM
      assertThat(h.jvm().waitFor(15, TimeUnit.SECONDS)).isTrue();
      for (long pid : h.consulPids()) {
        awaitDead(pid, 5000);
        assertThat(alive(pid)).as("consul %d after JVM SIGTERM", pid).isFalse();
      }
      assertThat(h.clusterDir()).doesNotExist();
    } finally {
      cleanup(h);
    }
  }

  @Test
  void sigkillOfTheJvmLeavesConsulsThatTheNextStartSweeps() throws Exception {
    Holder h = startHolder();
    try {
      h.jvm().destroyForcibly(); // SIGKILL: no shutdown hook
      assertThat(h.jvm().waitFor(15, TimeUnit.SECONDS)).isTrue();
      assertThat(h.consulPids())
          .as("orphans survive a SIGKILLed JVM")
          .allMatch(OrphanCleanupIT::alive);
      assertThat(Files.exists(h.clusterDir())).isTrue();

      int killed = TestConsulCluster.sweepStale(root);

      assertThat(killed).isEqualTo(h.consulPids().size());
      for (long pid : h.consulPids()) {
        awaitDead(pid, 5000);
        assertThat(alive(pid)).isFalse();
      }
      assertThat(h.clusterDir()).doesNotExist();
    } finally {
      cleanup(h);
    }
  }

  private static void cleanup(Holder h) {
    h.jvm().destroyForcibly();
    for (long pid : h.consulPids()) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
  }
}
