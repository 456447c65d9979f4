package dev.bellhop.operator.consulcluster;

import dev.bellhop.operator.crd.ConsulCluster;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/**
 * The servers' StatefulSet (update strategy OnDelete: {@link ServerRoller} restarts the pods);
 * created once the Secrets its pods need exist ({@link PodSecretsReady}).
 */
@KubernetesDependent(informer = @Informer(labelSelector = ClusterSettings.LABEL_CLUSTER))
public class StatefulSetDependentResource extends OwnedDependentResource<StatefulSet> {
  public StatefulSetDependentResource() {
    super(StatefulSet.class);
  }

  /**
   * With the pod template's hash as its revision, which its pods carry: the rollout compares them.
   */
  @Override
  protected StatefulSet build(ClusterSettings s) {
    return statefulSet(s, "");
  }

  /** The revision the servers' pods have once rolled to these settings and certificates. */
  static String revision(ClusterSettings s, String tlsHash) {
    return statefulSet(s, tlsHash)
        .getSpec()
        .getTemplate()
        .getMetadata()
        .getAnnotations()
        .get(ServerRoller.REVISION);
  }

  private static StatefulSet statefulSet(ClusterSettings s, String tlsHash) {
    StatefulSet sts =
        ConsulClusterResources.statefulSet(s, ConsulClusterResources.rollingHash(s, tlsHash));
    var template = sts.getSpec().getTemplate();
    template
        .getMetadata()
        .getAnnotations()
        .put(ServerRoller.REVISION, ConsulClusterResources.hashOf(template));
    return sts;
  }

  /**
   * At the certificates the pods will mount, with the replicas {@link ServerScaling} chose for this
   * reconcile (a scale-down goes one server at a time).
   */
  @Override
  protected StatefulSet build(ClusterSettings s, Context<ConsulCluster> context) {
    StatefulSet sts = statefulSet(s, PodSecrets.tlsHash(context));
    context
        .managedWorkflowAndDependentResourceContext()
        .get(ServerScaling.class, ServerScaling.class)
        .ifPresent(plan -> sts.getSpec().setReplicas(plan.replicas()));
    return sts;
  }

  /** Volume claim templates and the selector are immutable; the status is not ours to write. */
  @Override
  protected void keepAllocated(StatefulSet actual, StatefulSet desired) {
    desired.getSpec().setVolumeClaimTemplates(actual.getSpec().getVolumeClaimTemplates());
    desired.getSpec().setSelector(actual.getSpec().getSelector());
    desired.setStatus(actual.getStatus());
  }
}
