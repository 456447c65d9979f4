package dev.bellhop.operator.consulcluster;

import dev.bellhop.operator.crd.ConsulCluster;
import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/** {@code spec.ui.enabled} (default true); when false the UI Service it owns is deleted. */
public class UiEnabled implements Condition<Service, ConsulCluster> {
  @Override
  public boolean isMet(
      DependentResource<Service, ConsulCluster> dependent,
      ConsulCluster cc,
      Context<ConsulCluster> context) {
    return ClusterSettings.of(cc).ui();
  }
}
