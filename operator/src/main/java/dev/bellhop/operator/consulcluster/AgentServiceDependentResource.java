package dev.bellhop.operator.consulcluster;

import dev.bellhop.operator.crd.ConsulCluster;
import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.dependent.GarbageCollected;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/**
 * The agents' Service ({@code internalTrafficPolicy: Local}): how a node's pods reach their own
 * agent without the host ports Pod Security refuses. With the agents (see {@link AgentsEnabled}).
 */
@KubernetesDependent(informer = @Informer(labelSelector = ClusterSettings.LABEL_CLUSTER))
public class AgentServiceDependentResource extends ServiceDependentResource
    implements GarbageCollected<ConsulCluster> {
  @Override
  protected Service build(ClusterSettings s) {
    return ConsulClusterResources.agentService(s);
  }
}
