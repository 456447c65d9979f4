package dev.bellhop.operator.consulcluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bellhop.operator.KubernetesEvents;
import dev.bellhop.operator.crd.Conditions;
import dev.bellhop.operator.crd.ConsulCluster;
import dev.bellhop.operator.crd.ConsulClusterSpec;
import dev.bellhop.operator.crd.ConsulClusterStatus;
import dev.bellhop.operator.testing.MockCluster;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * spec.backup's step against fabric8's mock: the Job a due slot starts, and what its pod reports
 * turned into status, Events and the Job's deletion. A failed snapshot is never a silent gap.
 */
class ClusterBackupTest {
  private static final Instant NOW = Instant.parse("2026-12-05T07:10:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  @Test
  void theFirstSnapshotIsTakenAtOnceThenAtTheSchedulesSlots() {
    try (MockCluster k8s = new MockCluster()) {
      ConsulCluster cc = cluster(k8s);
      ClusterSettings s = ClusterSettings.of(cc);
      ConsulClusterStatus status = new ConsulClusterStatus();

      var next = backup(k8s).step(cc, s, List.of(), "http://10.0.0.1:8500", status);

      Job job = k8s.client().batch().v1().jobs().inNamespace("bellhop").list().getItems().get(0);
      assertThat(job.getMetadata().getName()).isEqualTo("consul-snap-" + NOW.getEpochSecond());
      assertThat(job.getMetadata().getOwnerReferences())
          .singleElement()
          .satisfies(
              ref -> {
                assertThat(ref.getKind()).isEqualTo("ConsulCluster");
                assertThat(ref.getUid()).isEqualTo(cc.getMetadata().getUid());
                assertThat(ref.getController()).as("the Job's controller").isTrue();
                assertThat(ref.getBlockOwnerDeletion()).as("needs no finalizers rights").isNull();
              });
      var container = job.getSpec().getTemplate().getSpec().getContainers().get(0);
      assertThat(container.getImage()).isEqualTo("bellhop/operator:test");
      assertThat(container.getArgs())
          .contains(
              "save",
              "--consul=http://10.0.0.1:8500",
              "--retain=2",
              "--report=/dev/termination-log")
          .anyMatch(a -> a.startsWith("--token-file="));
      assertThat(job.getSpec().getTemplate().getSpec().getAutomountServiceAccountToken()).isFalse();
      assertThat(status.getLastScheduleTime()).isEqualTo(NOW.toString());
      assertThat(next).as("until 08:00, the next @hourly slot").hasMinutes(50);

      // Within the slot, no second Job; Consul not serving (no URL), none either.
      backup(k8s).step(cc, s, List.of(), "http://10.0.0.1:8500", status);
      backup(k8s).step(cc, s, List.of(), null, new ConsulClusterStatus());
      assertThat(k8s.client().batch().v1().jobs().inNamespace("bellhop").list().getItems())
          .hasSize(1);
    }
  }

  @Test
  void aMissingClaimIsNamedAndNoJobStarts() {
    try (MockCluster k8s = new MockCluster()) {
      ConsulCluster cc = clusterWithoutItsClaim(k8s);
      ClusterSettings s = ClusterSettings.of(cc);
      ConsulClusterStatus status = new ConsulClusterStatus();

      backup(k8s).step(cc, s, List.of(), "http://10.0.0.1:8500", status);
      backup(k8s).step(cc, s, List.of(), "http://10.0.0.1:8500", status);

      assertThat(k8s.client().batch().v1().jobs().inNamespace("bellhop").list().getItems())
          .as("a pod mounting a missing claim would wait unscheduled")
          .isEmpty();
      var backedUp = Conditions.find(status.getConditions(), ClusterBackup.BACKED_UP).orElseThrow();
      assertThat(backedUp.getStatus()).isEqualTo("False");
      assertThat(backedUp.getReason()).isEqualTo("ClaimNotFound");
      assertThat(backedUp.getMessage()).contains("PersistentVolumeClaim consul-backups not found");
      assertThat(status.getLastScheduleTime()).as("the slot is still to take").isNull();
      assertThat(events(k8s))
          .as("one Warning, not one a reconcile")
          .containsExactly("Warning ClaimNotFound");
    }
  }

  @Test
  void aFailedSnapshotIsAConditionAndAnEventThenItsJobGoes() {
    try (MockCluster k8s = new MockCluster()) {
      ConsulCluster cc = cluster(k8s);
      ClusterSettings s = ClusterSettings.of(cc);
      Pod failed = pod(s, "consul-snap-1", "Failed", "Consul refused to save a snapshot: HTTP 403");
      k8s.client()
          .batch()
          .v1()
          .jobs()
          .inNamespace("bellhop")
          .resource(job("consul-snap-1"))
          .create();
      ConsulClusterStatus status = new ConsulClusterStatus();
      status.setLastScheduleTime(NOW.toString());

      backup(k8s).step(cc, s, List.of(failed), null, status);

      var backedUp = Conditions.find(status.getConditions(), ClusterBackup.BACKED_UP).orElseThrow();
      assertThat(backedUp.getStatus()).isEqualTo("False");
      assertThat(backedUp.getReason()).isEqualTo("SnapshotFailed");
      assertThat(backedUp.getMessage())
          .isEqualTo(
              "snapshot Job consul-snap-1 failed: Consul refused to save a snapshot: HTTP 403");
      assertThat(events(k8s)).containsExactly("Warning SnapshotFailed");
      assertThat(job(k8s, "consul-snap-1")).as("kept until a status write records it").isNotNull();

      // The next reconcile reads that status: no second Event, and the Job is deleted.
      backup(k8s).step(cc, s, List.of(failed), null, status);
      assertThat(events(k8s)).containsExactly("Warning SnapshotFailed");
      assertThat(job(k8s, "consul-snap-1")).isNull();
    }
  }

  @Test
  void aSnapshotTakenIsListedNewestFirstKeepingRetain() {
    try (MockCluster k8s = new MockCluster()) {
      ConsulCluster cc = cluster(k8s);
      ClusterSettings s = ClusterSettings.of(cc);
      ConsulClusterStatus status = new ConsulClusterStatus();
      status.setLastScheduleTime(NOW.toString());
      for (String name : List.of("consul-snap-1", "consul-snap-2", "consul-snap-3")) {
        k8s.client().batch().v1().jobs().inNamespace("bellhop").resource(job(name)).create();
      }
      List<Pod> pods =
          List.of(
              taken(s, "consul-snap-1", "consul-20261205T050000Z.snap", 5),
              taken(s, "consul-snap-2", "consul-20261205T060000Z.snap", 6),
              taken(s, "consul-snap-3", "consul-20261205T070000Z.snap", 7));

      backup(k8s).step(cc, s, pods, null, status);

      assertThat(status.getSnapshots())
          .extracting(x -> x.getFile() + "@" + x.getIndex())
          .containsExactly("consul-20261205T070000Z.snap@7", "consul-20261205T060000Z.snap@6");
      assertThat(Conditions.isTrue(status.getConditions(), ClusterBackup.BACKED_UP)).isTrue();
      assertThat(events(k8s)).hasSize(3).containsOnly("Normal SnapshotTaken");
      assertThat(job(k8s, "consul-snap-1")).as("beyond retain: its Job goes at once").isNull();
      assertThat(job(k8s, "consul-snap-3")).as("kept until a status write records it").isNotNull();

      // The next reconcile reads that status (snap-1's pod went with its Job): nothing is
      // recorded twice, and the other Jobs go.
      backup(k8s).step(cc, s, pods.subList(1, 3), null, status);
      assertThat(events(k8s)).hasSize(3);
      assertThat(job(k8s, "consul-snap-3")).isNull();
    }
  }

  private static ClusterBackup backup(MockCluster k8s) {
    return new ClusterBackup(
        k8s.client(), new KubernetesEvents(k8s.client()), CLOCK, "bellhop/operator:test");
  }

  /** A cluster backing up to claim {@code consul-backups}, which exists. */
  private static ConsulCluster cluster(MockCluster k8s) {
    k8s.client()
        .persistentVolumeClaims()
        .resource(
            new PersistentVolumeClaimBuilder()
                .withNewMetadata()
                .withName("consul-backups")
                .withNamespace("bellhop")
                .endMetadata()
                .build())
        .create();
    return clusterWithoutItsClaim(k8s);
  }

  private static ConsulCluster clusterWithoutItsClaim(MockCluster k8s) {
    ConsulCluster cc = new ConsulCluster();
    cc.getMetadata().setName("consul");
    cc.getMetadata().setNamespace("bellhop");
    cc.setSpec(new ConsulClusterSpec());
    var backup = new ConsulClusterSpec.Backup();
    backup.setSchedule("@hourly");
    backup.setRetain(2);
    backup.setClaim("consul-backups");
    cc.getSpec().setBackup(backup);
    return k8s.client().resource(cc).create();
  }

  private static Pod taken(ClusterSettings s, String job, String file, long index) {
    return pod(
        s,
        job,
        "Succeeded",
        "{\"file\":\""
            + file
            + "\",\"time\":\"2026-12-05T07:00:00Z\",\"bytes\":100,\"sha256\":\"ab\",\"index\":"
            + index
            + "}");
  }

  private static Pod pod(ClusterSettings s, String job, String phase, String report) {
    Map<String, String> labels = new HashMap<>(s.labels(SnapshotJobs.SNAPSHOT));
    labels.put(SnapshotJobs.JOB_NAME, job);
    return new PodBuilder()
        .withNewMetadata()
        .withName(job + "-x")
        .withNamespace("bellhop")
        .withLabels(labels)
        .endMetadata()
        .withNewStatus()
        .withPhase(phase)
        .addNewContainerStatus()
        .withName("snapshot")
        .withNewState()
        .withNewTerminated()
        .withExitCode("Failed".equals(phase) ? 1 : 0)
        .withMessage(report)
        .endTerminated()
        .endState()
        .endContainerStatus()
        .endStatus()
        .build();
  }

  private static Job job(String name) {
    return new JobBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("bellhop")
        .endMetadata()
        .build();
  }

  private static Job job(MockCluster k8s, String name) {
    return k8s.client().batch().v1().jobs().inNamespace("bellhop").withName(name).get();
  }

  private static List<String> events(MockCluster k8s) {
    return k8s.client().v1().events().inNamespace("bellhop").list().getItems().stream()
        .map(e -> e.getType() + " " + e.getReason())
        .toList();
  }
}
