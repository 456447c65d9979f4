package dev.bellhop.operator.consulcluster;

import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** At most one server voluntarily down at a time. */
@KubernetesDependent(informer = @Informer(labelSelector = ClusterSettings.LABEL_CLUSTER))
public class PodDisruptionBudgetDependentResource
    extends OwnedDependentResource<PodDisruptionBudget> {
  public PodDisruptionBudgetDependentResource() {
    super(PodDisruptionBudget.class);
  }

  @Override
  protected PodDisruptionBudget build(ClusterSettings s) {
    return ConsulClusterResources.podDisruptionBudget(s);
  }
}
