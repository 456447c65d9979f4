package dev.bellhop.operator.testing;

import dev.bellhop.operator.BellhopOperator;
import dev.bellhop.operator.OperatorConfig;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;

/**
 * The operator started against a fresh mock API server: the set-up the operator's test classes
 * share.
 */
public final class RunningOperator implements AutoCloseable {
  private final MockCluster cluster;
  private final BellhopOperator operator;

  private RunningOperator(MockCluster cluster, BellhopOperator operator) {
    this.cluster = cluster;
    this.operator = operator;
  }

  public static RunningOperator start(OperatorConfig config) {
    MockCluster cluster = new MockCluster();
    try {
      return new RunningOperator(cluster, BellhopOperator.start(cluster.client(), config));
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  /** For {@code @AfterAll}: nothing when the start failed. */
  public static void close(RunningOperator running) {
    if (running != null) {
      running.close();
    }
  }

  public MockCluster cluster() {
    return cluster;
  }

  public Kube kube() {
    return cluster.kube();
  }

  public NamespacedKubernetesClient client() {
    return cluster.client();
  }

  public BellhopOperator operator() {
    return operator;
  }

  @Override
  public void close() {
    operator.close();
    cluster.close();
  }
}
