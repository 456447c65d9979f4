package dev.bellhop.testkit.consul;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The clusters of this JVM not closed yet, killed by one shutdown hook when the JVM exits (an
 * aborted test run, a benchmark stopped with Ctrl-C), so that no consul outlives its JVM. A JVM
 * killed with SIGKILL runs no hook: {@link StaleClusterSweeper} cleans up after it.
 */
final class LiveClusters {
  private static final Set<TestConsulCluster> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  for (TestConsulCluster c : LIVE) {
                    c.killForShutdown();
                  }
                },
                "bellhop-consul-shutdown"));
  }

  private LiveClusters() {}

  static void add(TestConsulCluster cluster) {
    LIVE.add(cluster);
  }

  static void remove(TestConsulCluster cluster) {
    LIVE.remove(cluster);
  }
}
