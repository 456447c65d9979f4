package dev.bellhop.operator.consulcluster;

import static dev.bellhop.operator.consulcluster.ClusterSettings.SERVER;

import dev.bellhop.operator.crd.ConsulCluster;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.GarbageCollected;
import io.javaoperatorsdk.operator.processing.dependent.Matcher.Result;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The client agents' DaemonSet, with {@code agents.enabled} ({@link AgentsEnabled}); deleted when
 * turned off. Agents roll after the servers, node by node ({@code maxUnavailable: 1}): while the
 * servers roll, a changed agent template waits, so that a node never loses its agent while the
 * servers it forwards to are one short.
 */
@KubernetesDependent(informer = @Informer(labelSelector = ClusterSettings.LABEL_CLUSTER))
public class DaemonSetDependentResource extends OwnedDependentResource<DaemonSet>
    implements GarbageCollected<ConsulCluster> {
  public DaemonSetDependentResource() {
    super(DaemonSet.class);
  }

  @Override
  protected DaemonSet build(ClusterSettings s) {
    return ConsulClusterResources.daemonSet(s, ConsulClusterResources.rollingHash(s, ""));
  }

  /** At the certificates the pods will mount: a renewed certificate rolls the agents too. */
  @Override
  protected DaemonSet build(ClusterSettings s, Context<ConsulCluster> context) {
    return ConsulClusterResources.daemonSet(
        s, ConsulClusterResources.rollingHash(s, PodSecrets.tlsHash(context)));
  }

  @Override
  public Result<DaemonSet> match(
      DaemonSet actual, DaemonSet desired, ConsulCluster cc, Context<ConsulCluster> context) {
    Result<DaemonSet> result = super.match(actual, desired, cc, context);
    if (!result.matched()
        && serversRolling(
            ClusterSettings.of(cc),
            PodSecrets.tlsHash(context),
            context.getSecondaryResources(Pod.class))) {
      return Result.computed(true, actual); // held: the next pod event reconciles again
    }
    return result;
  }

  /**
   * True while the servers roll, read from their pods (whose events reconcile again when a step
   * ends): a running server pod not ready or not at the StatefulSet's desired revision ({@link
   * StatefulSetDependentResource#revision}), or fewer running than {@code servers} (one deleted for
   * its restart). No server running at all is not a rollout: nothing to wait for.
   */
  static boolean serversRolling(ClusterSettings s, String tlsHash, Collection<Pod> pods) {
    String revision = StatefulSetDependentResource.revision(s, tlsHash);
    List<ServerPods.ServerPod> running = ServerPods.of(pods, s, SERVER);
    return !running.isEmpty()
        && (running.size() < s.servers()
            || running.stream()
                .anyMatch(p -> !p.ready() || !revision.equals(revisionOf(pods, p.name()))));
  }

  private static String revisionOf(Collection<Pod> pods, String name) {
    for (Pod pod : pods) {
      if (name.equals(pod.getMetadata().getName())) {
        Map<String, String> annotations = pod.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(ServerRoller.REVISION);
      }
    }
    return null;
  }
}
