package dev.bellhop.operator.consulcluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bellhop.operator.KubernetesEvents;
import dev.bellhop.operator.crd.ConsulCluster;
import dev.bellhop.operator.crd.ConsulClusterSpec;
import dev.bellhop.operator.crd.ConsulClusterStatus;
import dev.bellhop.operator.testing.MockCluster;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerRollerTest {
  private static final Instant STEP = Instant.parse("2026-12-05T06:00:00.400Z");

  /**
   * The spec changed again while a server restarted: the StatefulSet made it at the revision in
   * between, which is no longer the current one. Found in the local cluster: the rollout waited for
   * that pod to reach the current revision, which it never could, until it stalled.
   */
  @Test
  void aServerBackAtARevisionThatMovedOnIsRolledAgainNotAwaited() throws Exception {
    try (MockCluster k8s = new MockCluster()) {
      ConsulCluster cc = new ConsulCluster();
      cc.getMetadata().setName("consul");
      cc.getMetadata().setNamespace("bellhop");
      cc.setSpec(new ConsulClusterSpec());
      ClusterSettings s = ClusterSettings.of(cc);
      StatefulSet sts = ConsulClusterResources.statefulSet(s, "config");
      sts.getSpec().getTemplate().getMetadata().getAnnotations().put(ServerRoller.REVISION, "r3");
      List<Pod> pods = new ArrayList<>();
      pods.add(server(s, 0, "r1", "2026-12-05T05:00:00Z"));
      pods.add(server(s, 1, "r2", "2026-12-05T06:00:00Z")); // made in the step's second
      pods.add(server(s, 2, "r1", "2026-12-05T05:00:00Z"));
      pods.forEach(p -> k8s.client().resource(p).create());
      ConsulClusterStatus status = new ConsulClusterStatus();
      status.setRolloutServer("consul-server-1");
      status.setRolloutStartedAt(STEP.toString());
      Clock clock = Clock.fixed(STEP.plusSeconds(60), ZoneOffset.UTC);

      var outcome =
          new ServerRoller(k8s.client(), new KubernetesEvents(k8s.client()), clock)
              .step(cc, s, sts, pods, healthy(), status);

      assertThat(outcome.message()).doesNotContain("does not run the new revision");
      assertThat(status.getRolloutServer()).isEqualTo("consul-server-1");
      assertThat(status.getRolloutStartedAt()).isEqualTo(clock.instant().toString());
    }
  }

  private static Pod server(ClusterSettings s, int i, String revision, String created) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("consul-server-" + i)
        .withNamespace("bellhop")
        .withLabels(s.labels(ClusterSettings.SERVER))
        .withAnnotations(Map.of(ServerRoller.REVISION, revision))
        .withCreationTimestamp(created)
        .endMetadata()
        .withNewStatus()
        .withPodIP("10.0.0." + (i + 1))
        .addNewCondition()
        .withType("Ready")
        .withStatus("True")
        .endCondition()
        .endStatus()
        .build();
  }

  private static AutopilotHealth healthy() throws Exception {
    StringBuilder servers = new StringBuilder();
    for (int i = 0; i < 3; i++) {
      servers
          .append(i == 0 ? "" : ",")
          .append("{\"Name\":\"consul-server-")
          .append(i)
          .append("\",\"Address\":\"10.0.0.")
          .append(i + 1)
          .append(":8300\",\"Leader\":")
          .append(i == 2)
          .append(",\"Voter\":true,\"Healthy\":true,\"LastIndex\":10,")
          .append("\"StableSince\":\"2026-12-05T05:00:00Z\"}");
    }
    return AutopilotHealth.parse(
        "{\"Healthy\":true,\"FailureTolerance\":1,\"Servers\":[" + servers + "]}");
  }
}
