package dev.bellhop.operator.consulcluster;

import static dev.bellhop.operator.crd.Conditions.READY;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bellhop.operator.KubernetesEvents;
import dev.bellhop.operator.crd.Conditions;
import dev.bellhop.operator.crd.ConsulCluster;
import dev.bellhop.operator.crd.ConsulRestore;
import dev.bellhop.operator.crd.ConsulRestoreStatus;
import dev.bellhop.operator.crd.ConsulSnapshot;
import dev.bellhop.operator.crd.FieldRules;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Runs a ConsulRestore once: waits for its cluster to serve (a leader; with ACLs, Ready, so the
 * management token is in place), starts the restore Job, and records its outcome from the Job's pod
 * (in an informer's cache). A finished restore is never run again. HotelService registrations then
 * re-converge on their own: the engine's watches see Consul's index go back and read everything
 * again (docs/drift-repair.md).
 */
@ControllerConfiguration(name = "consulrestore")
public class ConsulRestoreReconciler implements Reconciler<ConsulRestore> {
  static final Duration WAIT = Duration.ofSeconds(5);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final KubernetesClient client;
  private final KubernetesEvents events;
  private final Clock clock;
  private final String image;

  public ConsulRestoreReconciler(
      KubernetesClient client, KubernetesEvents events, Clock clock, String image) {
    this.client = client;
    this.events = events;
    this.clock = clock;
    this.image = image;
  }

  @Override
  public List<EventSource<?, ConsulRestore>> prepareEventSources(
      EventSourceContext<ConsulRestore> context) {
    return List.of(
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Pod.class, ConsulRestore.class)
                .withName("restore-pods")
                .withLabelSelector(SnapshotJobs.LABEL_RESTORE)
                .withSecondaryToPrimaryMapper(
                    p ->
                        Set.of(
                            new ResourceID(
                                p.getMetadata().getLabels().get(SnapshotJobs.LABEL_RESTORE),
                                p.getMetadata().getNamespace())))
                .build(),
            context));
  }

  @Override
  public UpdateControl<ConsulRestore> reconcile(ConsulRestore r, Context<ConsulRestore> context) {
    ConsulRestoreStatus status =
        JSON.convertValue(
            r.getStatus() == null ? new ConsulRestoreStatus() : r.getStatus(),
            ConsulRestoreStatus.class);
    if (ConsulRestoreStatus.SUCCEEDED.equals(status.getPhase())
        || ConsulRestoreStatus.FAILED.equals(status.getPhase())) {
      return UpdateControl.noUpdate(); // once: a finished restore is a record
    }
    Long generation = r.getMetadata().getGeneration();
    status.setObservedGeneration(generation);
    List<String> problems = validate(r);
    status.setConditions(
        Conditions.validated(
            status.getConditions(), problems, generation, clock, events.invalid(r)));
    if (!problems.isEmpty()) {
      return ClusterStatus.update(r, status, null, context);
    }
    var pod = context.getSecondaryResources(Pod.class).stream().findFirst();
    var report = pod.flatMap(SnapshotJobs::report);
    String podPhase = pod.map(SnapshotJobs::phase).orElse(null);
    if (report.isPresent() && ("Succeeded".equals(podPhase) || "Failed".equals(podPhase))) {
      finish(r, status, podPhase, report.get());
    } else if (status.getStartTime() == null) {
      String waiting = start(r);
      if (waiting != null) {
        status.setPhase(ConsulRestoreStatus.PENDING);
        status.setMessage(waiting);
        return ClusterStatus.update(r, status, WAIT, context);
      }
      status.setStartTime(clock.instant().toString());
      status.setPhase(ConsulRestoreStatus.RUNNING);
      status.setMessage("restoring " + r.getSpec().getSnapshot());
    }
    return ClusterStatus.update(r, status, null, context);
  }

  private void finish(ConsulRestore r, ConsulRestoreStatus status, String phase, String report) {
    Long generation = r.getMetadata().getGeneration();
    status.setCompletionTime(clock.instant().toString());
    if ("Succeeded".equals(phase)) {
      ConsulSnapshot restored = parse(report);
      String message =
          "restored "
              + r.getSpec().getSnapshot()
              + " into ConsulCluster "
              + r.getSpec().getCluster()
              + " (SHA-256 verified); HotelService registrations re-converge";
      status.setPhase(ConsulRestoreStatus.SUCCEEDED);
      status.setSha256(restored.getSha256());
      status.setMessage(message);
      Conditions.set(status, READY, true, "Restored", message, generation, clock);
      events.normal(r, "Restored", message);
    } else {
      String message = report.isBlank() ? "the restore Job failed (see its log)" : report.trim();
      status.setPhase(ConsulRestoreStatus.FAILED);
      status.setMessage(message);
      Conditions.set(status, READY, false, "RestoreFailed", message, generation, clock);
      events.warning(r, "RestoreFailed", message);
    }
  }

  /** Starts the Job; null when started (or already), else what it waits for. */
  private String start(ConsulRestore r) {
    String ns = r.getMetadata().getNamespace();
    String name = r.getSpec().getCluster();
    ConsulCluster cc = client.resources(ConsulCluster.class).inNamespace(ns).withName(name).get();
    if (cc == null) {
      return "ConsulCluster " + name + " not found";
    }
    ClusterSettings s = ClusterSettings.of(cc);
    BackupSettings backup = BackupSettings.of(cc);
    String claim =
        r.getSpec().getClaim() != null
            ? r.getSpec().getClaim()
            : backup == null ? null : backup.claim();
    if (claim == null) {
      return "no claim to restore from: set spec.claim, or spec.backup on ConsulCluster " + name;
    }
    if (!SnapshotJobs.claimExists(client, ns, claim)) {
      return "PersistentVolumeClaim "
          + claim
          + " not found: create it, or name another in spec.claim";
    }
    boolean ready =
        cc.getStatus() != null
            && Conditions.find(cc.getStatus().getConditions(), READY)
                .map(c -> "True".equals(c.getStatus()))
                .orElse(false);
    String leader = cc.getStatus() == null ? null : cc.getStatus().getLeader();
    if (!ready || leader == null || leader.isBlank()) {
      return "waiting for ConsulCluster " + name + " to be Ready with a leader";
    }
    if (image == null) {
      return "BELLHOP_IMAGE is not set on the operator: the restore Job runs its image";
    }
    String host = leader.substring(0, leader.lastIndexOf(':'));
    String url = s.scheme() + "://" + host + ":" + s.httpPort();
    try {
      client
          .batch()
          .v1()
          .jobs()
          .resource(SnapshotJobs.restore(r, s, image, url, claim, r.getSpec().getSnapshot()))
          .create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        throw e; // 409: started by a reconcile whose status write was lost
      }
    }
    return null;
  }

  private static List<String> validate(ConsulRestore r) {
    List<String> problems = new ArrayList<>();
    var spec = r.getSpec();
    if (spec == null || spec.getCluster() == null) {
      problems.add("spec.cluster is required");
    }
    if (spec == null
        || spec.getSnapshot() == null
        || !spec.getSnapshot().matches(FieldRules.SNAPSHOT_FILE)) {
      problems.add(
          "spec.snapshot must name a snapshot file as status.snapshots lists it (<cluster>-<time>.snap)");
    }
    return problems;
  }

  private static ConsulSnapshot parse(String report) {
    try {
      return JSON.readValue(report, ConsulSnapshot.class);
    } catch (java.io.IOException e) {
      return new ConsulSnapshot(); // restored all the same: the Job succeeded
    }
  }
}
