package dev.bellhop.operator.consulcluster;

import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** The servers' StatefulSet ; created once the Secrets its pods need exist ({@link PodSecretsReady}). */
@KubernetesDependent(informer = @Informer(labelSelector = ClusterSettings.LABEL_CLUSTER))
public class StatefulSetDependentResource extends OwnedDependentResource<StatefulSet> {
  public StatefulSetDependentResource() {
    super(StatefulSet.class);
  }

  @Override
  protected StatefulSet build(ClusterSettings s) {
    return ConsulClusterResources.statefulSet(s, ConsulClusterResources.rollingHash(s));
  }

  /** Volume claim templates and the selector are immutable; the status is not ours to write. */
  @Override
  protected void keepAllocated(StatefulSet actual, StatefulSet desired) {
    desired.getSpec().setVolumeClaimTemplates(actual.getSpec().getVolumeClaimTemplates());
    desired.getSpec().setSelector(actual.getSpec().getSelector());
    desired.setStatus(actual.getStatus());
  }
}
