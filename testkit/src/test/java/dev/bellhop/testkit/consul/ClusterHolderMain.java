package dev.bellhop.testkit.consul;

import java.nio.file.Path;

/**
 * Run in a child JVM by {@link OrphanCleanupIT}: starts a cluster, prints its pids, waits to be
 * killed.
 */
public final class ClusterHolderMain {
  public static void main(String[] args) throws Exception {
    TestConsulCluster c = TestConsulCluster.builder().servers(1).dataRoot(Path.of(args[0])).start();
    StringBuilder b = new StringBuilder("PIDS");
    for (TestConsulNode n : c.nodes()) {
      b.append(' ').append(n.pid());
    }
    b.append(" DIR ").append(c.dataDir());
    System.out.println(b);
    System.out.flush();
    Thread.sleep(120_000);
  }
}
