package dev.bellhop.operator.consulcluster;

import dev.bellhop.operator.crd.ConsulCluster;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.dependent.GarbageCollected;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/**
 * The client agents' DaemonSet, with {@code agents.enabled} ({@link AgentsEnabled}); deleted when
 * turned off.
 */
@KubernetesDependent(informer = @Informer(labelSelector = ClusterSettings.LABEL_CLUSTER))
public class DaemonSetDependentResource extends OwnedDependentResource<DaemonSet>
    implements GarbageCollected<ConsulCluster> {
  public DaemonSetDependentResource() {
    super(DaemonSet.class);
  }

  @Override
  protected DaemonSet build(ClusterSettings s) {
    return ConsulClusterResources.daemonSet(s, ConsulClusterResources.rollingHash(s));
  }
}
