package dev.bellhop.operator.consulcluster;

import static dev.bellhop.operator.consulcluster.ClusterSettings.SERVER;

import dev.bellhop.operator.KubernetesEvents;
import dev.bellhop.operator.crd.ConsulCluster;
import dev.bellhop.operator.crd.ConsulClusterStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rolls the server pods to the StatefulSet's current revision (its update strategy is {@code
 * OnDelete}): one reconcile, at most one step of {@link ServerRollout}, which deletes one outdated
 * pod when Consul's autopilot says the cluster can spare it. The step in flight lives in the status
 * ({@code rolloutServer}, {@code rolloutStartedAt}), so an operator restart resumes it.
 */
final class ServerRoller {
  private static final Logger LOG = LoggerFactory.getLogger(ServerRoller.class);

  /** The pod template's hash, on the template and so on each pod made from it. */
  static final String REVISION = "bellhop.dev/revision";

  /**
   * @param progressing a rollout runs (or is stalled); {@code message} names the server
   * @param stalled why the rollout halted, null unless it did
   */
  record Outcome(
      int updatedServers, boolean progressing, String reason, String message, String stalled) {
    static Outcome upToDate(int updated, int replicas) {
      return new Outcome(
          updated,
          false,
          "UpToDate",
          updated + " of " + replicas + " server(s) at the current revision",
          null);
    }
  }

  private final KubernetesClient client;
  private final KubernetesEvents events;
  private final Clock clock;

  ServerRoller(KubernetesClient client, KubernetesEvents events, Clock clock) {
    this.client = client;
    this.events = events;
    this.clock = clock;
  }

  /** Takes the next step and records it in {@code status}. */
  Outcome step(
      ConsulCluster cc,
      ClusterSettings s,
      StatefulSet sts,
      Collection<Pod> pods,
      AutopilotHealth health,
      ConsulClusterStatus status) {
    String revision =
        sts == null
            ? null
            : sts.getSpec().getTemplate().getMetadata().getAnnotations().get(REVISION);
    int replicas =
        sts == null || sts.getSpec().getReplicas() == null ? 0 : sts.getSpec().getReplicas();
    // The running server pods (with an IP, not terminating), by name.
    Set<String> running =
        ServerPods.of(pods, s, SERVER).stream()
            .map(ServerPods.ServerPod::name)
            .collect(Collectors.toSet());
    Map<String, Pod> byName = new HashMap<>();
    pods.stream()
        .filter(p -> running.contains(p.getMetadata().getName()))
        .forEach(p -> byName.put(p.getMetadata().getName(), p));
    List<ServerRollout.Server> servers = new ArrayList<>();
    boolean outdatedPod = false;
    for (int i = 0; i < replicas; i++) {
      String name = s.serverName() + "-" + i;
      Pod pod = byName.get(name);
      String podRevision =
          pod == null || pod.getMetadata().getAnnotations() == null
              ? null
              : pod.getMetadata().getAnnotations().get(REVISION);
      outdatedPod |= pod != null && !revision.equals(podRevision);
      servers.add(new ServerRollout.Server(name, pod != null && revision.equals(podRevision)));
    }
    int updated = (int) servers.stream().filter(ServerRollout.Server::updated).count();
    var inFlight =
        status.getRolloutServer() == null
            ? ServerRollout.InFlight.NONE
            : new ServerRollout.InFlight(
                status.getRolloutServer(), Instant.parse(status.getRolloutStartedAt()));
    if (inFlight.server() != null
        && recreatedOutdated(byName.get(inFlight.server()), revision, inFlight)) {
      // The spec changed again while this server restarted: it came back at the revision before.
      // Its step is over; it is one more outdated server, rolled again in turn (else the rollout
      // would wait for a revision this pod can never reach).
      inFlight = ServerRollout.InFlight.NONE;
    }
    if (revision == null || (!outdatedPod && inFlight.server() == null)) {
      // New pods are made at the current revision by the StatefulSet controller: nothing to roll.
      return Outcome.upToDate(updated, replicas);
    }
    Instant now = clock.instant();
    var next =
        ServerRollout.next(servers, health, inFlight, s.rolloutPace(), s.rolloutStallAfter(), now);
    String ref = cc.getMetadata().getNamespace() + "/" + cc.getMetadata().getName();
    if (next instanceof ServerRollout.Done) {
      status.setRolloutServer(null);
      status.setRolloutStartedAt(null);
      events.normal(cc, "RolloutComplete", "All " + replicas + " servers run the current revision");
      return Outcome.upToDate(updated, replicas);
    }
    if (next instanceof ServerRollout.Restart r) {
      LOG.atInfo()
          .addKeyValue("consulcluster", ref)
          .addKeyValue("server", r.server())
          .log("restarting server");
      events.normal(
          cc,
          "RestartingServer",
          "Restarting "
              + r.server()
              + " ("
              + updated
              + " of "
              + replicas
              + " updated); the cluster is healthy");
      client.pods().inNamespace(s.namespace()).withName(r.server()).delete();
      status.setRolloutServer(r.server());
      status.setRolloutStartedAt(now.toString());
      return new Outcome(
          updated,
          true,
          "RollingServer",
          "restarting " + r.server() + " (" + updated + " of " + replicas + " updated)",
          null);
    }
    if (next instanceof ServerRollout.Stalled st) {
      return new Outcome(updated, true, "RolloutStalled", st.why(), st.why());
    }
    String why = ((ServerRollout.Wait) next).why();
    return new Outcome(
        updated,
        true,
        "RollingServer",
        why + " (" + updated + " of " + replicas + " updated)",
        null);
  }

  /** A pod made after the step began (so by the StatefulSet, for it) at another revision. */
  private static boolean recreatedOutdated(Pod pod, String revision, ServerRollout.InFlight step) {
    if (revision == null || pod == null || pod.getMetadata().getCreationTimestamp() == null) {
      return false;
    }
    String podRevision =
        pod.getMetadata().getAnnotations() == null
            ? null
            : pod.getMetadata().getAnnotations().get(REVISION);
    Instant created = Instant.parse(pod.getMetadata().getCreationTimestamp());
    // creationTimestamp has whole seconds
    return !revision.equals(podRevision)
        && !created.isBefore(step.restartedAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
  }
}
