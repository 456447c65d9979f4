package dev.bellhop.operator.consulcluster;

import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** The client Service: the servers' HTTP(S) API and DNS. */
@KubernetesDependent(informer = @Informer(labelSelector = ClusterSettings.LABEL_CLUSTER))
public class ClientServiceDependentResource extends ServiceDependentResource {
  @Override
  protected Service build(ClusterSettings s) {
    return ConsulClusterResources.clientService(s);
  }
}
