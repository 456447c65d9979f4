package dev.bellhop.testkit.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StaleClusterSweeperIT {
  @TempDir Path root;

  /** A consul agent on a free loopback block, started by this test (not by the fixture). */
  private Process startConsul(Path nodeDir, String address) throws Exception {
    Files.createDirectories(nodeDir.resolve("data"));
    Path config = nodeDir.resolve("consul.hcl");
    Files.writeString(
        config,
        "node_name = \"stale\"\ndata_dir = \""
            + nodeDir.resolve("data")
            + "\"\n"
            + "bind_addr = \""
            + address
            + "\"\nclient_addr = \""
            + address
            + "\"\n"
            + "ports {\n  grpc = -1\n  dns = -1\n  https = -1\n}\nlog_level = \"warn\"\ndisable_update_check = true\n");
    ProcessBuilder pb =
        new ProcessBuilder(ConsulBinary.locate().toString(), "agent", "-config-file=" + config);
    pb.redirectErrorStream(true).redirectOutput(nodeDir.resolve("consul.log").toFile());
    Process p = pb.start();
    assertThat(p.waitFor(300, TimeUnit.MILLISECONDS)).as("consul keeps running").isFalse();
    return p;
  }

  private static long deadPid() throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    long pid = p.pid();
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    return pid;
  }

  @Test
  void killsConsulOfDeadOwnerAndSparesLiveOwner() throws Exception {
    LoopbackBlock block = LoopbackBlock.claim(2);
    Process stale = null;
    Process live = null;
    try {
      // a cluster dir of a JVM that was SIGKILLed: owner pid dead
      Path deadCluster = root.resolve("dead-cluster");
      Path deadNode = deadCluster.resolve("server-1");
      stale = startConsul(deadNode, block.address(1));
      long dead = deadPid();
      java.util.Properties owner = new java.util.Properties();
      owner.setProperty("owner.pid", Long.toString(dead));
      OwnerFiles.write(deadCluster.resolve(OwnerFiles.OWNER_FILE), owner);
      OwnerFiles.writePidFile(deadNode, stale.pid(), deadNode.resolve("consul.hcl"), dead, "");

      // a cluster dir whose owner (this JVM) is alive: must not be touched
      Path liveCluster = root.resolve("live-cluster");
      Path liveNode = liveCluster.resolve("server-1");
      live = startConsul(liveNode, block.address(2));
      OwnerFiles.writeOwnerFile(liveCluster);
      OwnerFiles.writePidFile(liveNode, live.pid(), liveNode.resolve("consul.hcl"));

      int killed = TestConsulCluster.sweepStale(root);

      assertThat(stale.waitFor(5, TimeUnit.SECONDS)).as("stale consul killed").isTrue();
      assertThat(killed).isGreaterThanOrEqualTo(1);
      assertThat(deadCluster).doesNotExist();
      assertThat(live.isAlive()).as("live owner's consul untouched").isTrue();
      assertThat(liveNode.resolve(OwnerFiles.PID_FILE)).exists();
    } finally {
      for (Process p : List.of(stale, live).stream().filter(x -> x != null).toList()) {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
      }
      block.release();
    }
  }

  @Test
  void sparesProcessesThatAreNotConsul() throws Exception {
    Process sleeper = new ProcessBuilder("sleep", "30").start();
    try {
      Path node = root.resolve("c").resolve("server-1");
      Files.createDirectories(node);
      OwnerFiles.writePidFile(node, sleeper.pid(), null, deadPid(), "");
      TestConsulCluster.sweepStale(root);
      assertThat(sleeper.isAlive()).isTrue();
      assertThat(node).doesNotExist();
    } finally {
      sleeper.destroyForcibly();
    }
  }

  @Test
  void missingBinaryMessageTellsToRunMakeConsul() {
    assertThatThrownBy(
            () -> ConsulBinary.locate("/nope/consul", "/nope/either", root, root.toString()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("make consul")
        .hasMessageContaining("/nope/consul");
  }
}
