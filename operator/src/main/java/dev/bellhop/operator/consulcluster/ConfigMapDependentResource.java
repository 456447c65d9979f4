package dev.bellhop.operator.consulcluster;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** The agents' configuration (server.json, client.json). */
@KubernetesDependent(informer = @Informer(labelSelector = ClusterSettings.LABEL_CLUSTER))
public class ConfigMapDependentResource extends OwnedDependentResource<ConfigMap> {
  public ConfigMapDependentResource() {
    super(ConfigMap.class);
  }

  @Override
  protected ConfigMap build(ClusterSettings s) {
    return ConsulClusterResources.configMap(s);
  }
}
