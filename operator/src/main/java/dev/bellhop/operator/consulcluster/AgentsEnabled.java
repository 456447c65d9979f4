package dev.bellhop.operator.consulcluster;

import dev.bellhop.operator.crd.ConsulCluster;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/**
 * {@code spec.agents.enabled} (default false); when false the agents' DaemonSet and Service it owns
 * are deleted.
 */
public class AgentsEnabled implements Condition<Object, ConsulCluster> {
  @Override
  public boolean isMet(
      DependentResource<Object, ConsulCluster> dependent,
      ConsulCluster cc,
      Context<ConsulCluster> context) {
    return ClusterSettings.of(cc).agents();
  }
}
