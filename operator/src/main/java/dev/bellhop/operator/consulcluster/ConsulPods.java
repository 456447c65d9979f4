package dev.bellhop.operator.consulcluster;

import java.util.Map;

/**
 * The labels of what Bellhop makes for a ConsulCluster: its servers' and agents' pods, their
 * workloads and Services, the snapshot and restore Jobs. Public for the chart's tests: its
 * NetworkPolicy selects Consul's pods by {@code app.kubernetes.io/name} and {@code /instance}.
 */
public final class ConsulPods {
  private ConsulPods() {}

  /**
   * @param component {@code server}, {@code agent}, {@code snapshot} or {@code restore}
   */
  public static Map<String, String> labels(String cluster, String component) {
    return Map.of(
        "app.kubernetes.io/name",
        "consul",
        "app.kubernetes.io/instance",
        cluster,
        "app.kubernetes.io/part-of",
        "bellhop",
        ClusterSettings.LABEL_CLUSTER,
        cluster,
        ClusterSettings.LABEL_COMPONENT,
        component);
  }
}
