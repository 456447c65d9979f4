package dev.bellhop.operator.consulcluster;

import dev.bellhop.operator.crd.ConsulCluster;
import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.dependent.GarbageCollected;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** The UI Service, with {@code ui.enabled} (see {@link UiEnabled}). */
@KubernetesDependent(informer = @Informer(labelSelector = ClusterSettings.LABEL_CLUSTER))
public class UiServiceDependentResource extends ServiceDependentResource
    implements GarbageCollected<ConsulCluster> {
  @Override
  protected Service build(ClusterSettings s) {
    return ConsulClusterResources.uiService(s);
  }
}
