package dev.bellhop.operator.consulcluster;

import dev.bellhop.operator.crd.ConsulCluster;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/** {@code spec.agents.enabled} (default false); when false the agents' DaemonSet it owns is deleted. */
public class AgentsEnabled implements Condition<DaemonSet, ConsulCluster> {
  @Override
  public boolean isMet(DependentResource<DaemonSet, ConsulCluster> dependent, ConsulCluster cc,
      Context<ConsulCluster> context) {
    return ClusterSettings.of(cc).agents();
  }
}
