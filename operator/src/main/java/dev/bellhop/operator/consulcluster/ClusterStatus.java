package dev.bellhop.operator.consulcluster;

import dev.bellhop.operator.crd.ConsulClusterStatus;
import io.fabric8.kubernetes.client.CustomResource;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Duration;
import java.util.List;

/** Copying a ConsulCluster's status to edit it, and writing it back only when it changed. */
final class ClusterStatus {
  private ClusterStatus() {}

  /**
   * Writes {@code status} when it changed: a PUT of the whole status with the resourceVersion read
   * (retried on a conflict), cached for the next reconcile. Not JOSDK's JSON Patch diff: lists are
   * patched by index, and a peers list shrinking during a scale-down (5, 4, 3) against a cached
   * original a write behind failed to apply ("Array index 3 out of bounds").
   */
  static <S, R extends CustomResource<?, S>> UpdateControl<R> update(
      R cc, S status, Duration resync, Context<R> context) {
    if (!status.equals(cc.getStatus())) {
      PrimaryUpdateAndCacheUtils.updateStatusAndCacheResource(
          cc,
          context,
          r -> {
            r.setStatus(status);
            return r;
          });
    }
    UpdateControl<R> control = UpdateControl.noUpdate();
    return resync == null ? control : control.rescheduleAfter(resync);
  }

  static ConsulClusterStatus copyOf(ConsulClusterStatus status) {
    ConsulClusterStatus copy = new ConsulClusterStatus();
    if (status != null) {
      copy.setObservedGeneration(status.getObservedGeneration());
      copy.setServers(status.getServers());
      copy.setReadyServers(status.getReadyServers());
      copy.setLeader(status.getLeader());
      copy.setPeers(status.getPeers() == null ? null : List.copyOf(status.getPeers()));
      copy.setConditions(
          status.getConditions() == null ? List.of() : List.copyOf(status.getConditions()));
      copy.setUpdatedServers(status.getUpdatedServers());
      copy.setRolloutServer(status.getRolloutServer());
      copy.setRolloutStartedAt(status.getRolloutStartedAt());
      copy.setLastScheduleTime(status.getLastScheduleTime());
      copy.setSnapshots(status.getSnapshots() == null ? null : List.copyOf(status.getSnapshots()));
    }
    return copy;
  }
}
