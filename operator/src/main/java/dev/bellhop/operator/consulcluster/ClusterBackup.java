package dev.bellhop.operator.consulcluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bellhop.operator.KubernetesEvents;
import dev.bellhop.operator.crd.Conditions;
import dev.bellhop.operator.crd.ConsulCluster;
import dev.bellhop.operator.crd.ConsulClusterStatus;
import dev.bellhop.operator.crd.ConsulSnapshot;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code spec.backup}, one reconcile at a time: record what finished snapshot Jobs report (from
 * their pods, in the informer cache), start the Job of a due slot, and say when the next is due.
 * Like a CronJob, a missed slot runs once when seen, not once per missed slot; unlike one, the
 * first snapshot is taken as soon as backup is configured, so a new cluster is never without one
 * until the schedule first fires.
 */
final class ClusterBackup {
  static final String BACKED_UP = "BackedUp";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final KubernetesClient client;
  private final KubernetesEvents events;
  private final Clock clock;
  private final String image;

  ClusterBackup(KubernetesClient client, KubernetesEvents events, Clock clock, String image) {
    this.client = client;
    this.events = events;
    this.clock = clock;
    this.image = image;
  }

  /**
   * @param consulUrl a server to take the snapshot from, null while Consul cannot serve one (no
   *     leader, ACLs not set up)
   * @return when to reconcile again for the next slot; null without {@code spec.backup}
   */
  Duration step(
      ConsulCluster cc,
      ClusterSettings s,
      Collection<Pod> pods,
      String consulUrl,
      ConsulClusterStatus status) {
    BackupSettings b = BackupSettings.of(cc);
    if (b == null) {
      return null;
    }
    Long generation = cc.getMetadata().getGeneration();
    List<ConsulSnapshot> listed =
        new ArrayList<>(status.getSnapshots() == null ? List.of() : status.getSnapshots());
    boolean running = false;
    Map<String, String> jobOfNew = new HashMap<>(); // file -> Job, for snapshots recorded now
    for (Pod pod : ServerPods.labelled(pods, s.selector(SnapshotJobs.SNAPSHOT))) {
      String job = pod.getMetadata().getLabels().get(SnapshotJobs.JOB_NAME);
      var report = SnapshotJobs.report(pod);
      String phase = SnapshotJobs.phase(pod);
      if (report.isEmpty() || !("Succeeded".equals(phase) || "Failed".equals(phase))) {
        running = true;
        continue;
      }
      ConsulSnapshot taken = "Succeeded".equals(phase) ? parse(report.get()) : null;
      boolean recorded;
      if (taken != null) {
        recorded = listed.stream().anyMatch(x -> taken.getFile().equals(x.getFile()));
        if (!recorded) {
          listed.add(taken);
          jobOfNew.put(taken.getFile(), job);
          events.normal(cc, "SnapshotTaken", describe(taken));
          Conditions.set(
              status, BACKED_UP, true, "SnapshotTaken", describe(taken), generation, clock);
        }
      } else {
        String why = "snapshot Job " + job + " failed: " + reason(report.get());
        recorded = !notBackedUp(cc, status, "SnapshotFailed", why);
      }
      // Deleted once the status that records it has been written (an earlier reconcile's).
      if (recorded && job != null) {
        delete(s, job);
      }
    }
    listed.sort(Comparator.comparing(ConsulSnapshot::getFile).reversed());
    List<ConsulSnapshot> kept = List.copyOf(listed.subList(0, Math.min(b.retain(), listed.size())));
    status.setSnapshots(kept.isEmpty() ? null : kept);
    // One recorded now but already beyond retain (several finished while the operator was away)
    // will not be in the status a later reconcile reads: its Job goes now, or it is recorded again.
    jobOfNew.forEach(
        (file, job) -> {
          if (job != null && kept.stream().noneMatch(k -> k.getFile().equals(file))) {
            delete(s, job);
          }
        });

    Instant now = clock.instant();
    Instant last =
        status.getLastScheduleTime() == null ? null : Instant.parse(status.getLastScheduleTime());
    Instant slot = last == null ? now : b.lastSlot(now);
    if (!running && consulUrl != null && (last == null || slot.isAfter(last))) {
      if (image == null) {
        Conditions.set(
            status,
            BACKED_UP,
            false,
            "NoImage",
            "BELLHOP_IMAGE is not set on the operator: snapshot Jobs run its image",
            generation,
            clock);
      } else if (!SnapshotJobs.claimExists(client, s.namespace(), b.claim())) {
        notBackedUp(
            cc,
            status,
            "ClaimNotFound",
            "PersistentVolumeClaim "
                + b.claim()
                + " not found: create it, or set spec.backup.claim to another");
      } else {
        start(cc, s, b, consulUrl, slot);
        status.setLastScheduleTime(slot.toString());
      }
    }
    return Duration.between(now, b.nextSlot(now)).plusSeconds(1);
  }

  /**
   * {@code BackedUp=False} for {@code why}, with a Warning Event the first time it is said; returns
   * whether this is that first time.
   */
  private boolean notBackedUp(
      ConsulCluster cc, ConsulClusterStatus status, String reason, String why) {
    boolean said =
        Conditions.find(status.getConditions(), BACKED_UP)
            .map(c -> why.equals(c.getMessage()))
            .orElse(false);
    if (!said) {
      events.warning(cc, reason, why);
      Conditions.set(
          status, BACKED_UP, false, reason, why, cc.getMetadata().getGeneration(), clock);
    }
    return !said;
  }

  private void start(
      ConsulCluster cc, ClusterSettings s, BackupSettings b, String consulUrl, Instant slot) {
    String name = s.name() + "-snap-" + slot.getEpochSecond();
    try {
      client
          .batch()
          .v1()
          .jobs()
          .resource(SnapshotJobs.save(cc, s, b, image, consulUrl, name))
          .create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        throw e; // 409: this slot's Job was started by a reconcile whose status write was lost
      }
    }
  }

  private void delete(ClusterSettings s, String job) {
    client
        .batch()
        .v1()
        .jobs()
        .inNamespace(s.namespace())
        .withName(job)
        .withPropagationPolicy(DeletionPropagation.BACKGROUND)
        .delete();
  }

  private static ConsulSnapshot parse(String report) {
    try {
      ConsulSnapshot s = JSON.readValue(report, ConsulSnapshot.class);
      return s.getFile() == null ? null : s;
    } catch (JsonProcessingException e) {
      return null; // reported as a failure, with the text it wrote
    }
  }

  private static String reason(String report) {
    return report.isBlank() ? "it wrote no report (see its log)" : report.trim();
  }

  static String describe(ConsulSnapshot s) {
    return String.format(
        "snapshot %s: %,d bytes, raft index %s, SHA-256 %s",
        s.getFile(), s.getBytes(), s.getIndex(), s.getSha256());
  }
}
