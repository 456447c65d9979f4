package dev.bellhop.operator.consulcluster;

import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** The servers' headless Service (stable pod DNS names, not-ready addresses published). */
@KubernetesDependent(informer = @Informer(labelSelector = ClusterSettings.LABEL_CLUSTER))
public class HeadlessServiceDependentResource extends ServiceDependentResource {
  @Override
  protected Service build(ClusterSettings s) {
    return ConsulClusterResources.headlessService(s);
  }
}
