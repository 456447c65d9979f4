package dev.bellhop.operator.consulcluster;

import dev.bellhop.operator.crd.ConsulCluster;
import dev.bellhop.operator.crd.ConsulClusterStatus;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Duration;
import java.util.List;

/** Copying a ConsulCluster's status to edit it, and writing it back only when it changed. */
final class ClusterStatus {
  private ClusterStatus() {}

  static UpdateControl<ConsulCluster> update(ConsulCluster cc, ConsulClusterStatus status, Duration resync) {
    UpdateControl<ConsulCluster> control;
    if (status.equals(cc.getStatus())) {
      control = UpdateControl.noUpdate();
    } else {
      cc.setStatus(status);
      control = UpdateControl.patchStatus(cc);
    }
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
      copy.setConditions(status.getConditions() == null ? List.of() : List.copyOf(status.getConditions()));
    }
    return copy;
  }
}
