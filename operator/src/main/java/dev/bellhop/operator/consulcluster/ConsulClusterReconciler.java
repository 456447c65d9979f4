package dev.bellhop.operator.consulcluster;

import static dev.bellhop.operator.consulcluster.ClusterSettings.AGENT;
import static dev.bellhop.operator.consulcluster.ClusterSettings.SERVER;
import static dev.bellhop.operator.crd.Conditions.READY;

import dev.bellhop.operator.KubernetesEvents;
import dev.bellhop.operator.crd.Conditions;
import dev.bellhop.operator.crd.ConsulCluster;
import dev.bellhop.operator.crd.ConsulClusterStatus;
import dev.bellhop.operator.crd.HotelService;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Provisions a Consul cluster from a ConsulCluster and reports ready servers, the raft leader and
 * peers. Each object it owns is a dependent resource of the workflow below (invoked only for a
 * valid spec: nothing is created or changed for an invalid one); the server and agent workloads
 * wait for the Secrets their pods need. Reads come from informer caches; Consul itself is reached
 * through the server pods' IPs ({@code status.podIP}), never through a Service ClusterIP.
 */
@ControllerConfiguration(name = "consulcluster")
@Workflow(
    explicitInvocation = true,
    handleExceptionsInReconciler = true,
    dependents = {
      @Dependent(name = "config", type = ConfigMapDependentResource.class),
      @Dependent(name = "headless-service", type = HeadlessServiceDependentResource.class),
      @Dependent(name = "client-service", type = ClientServiceDependentResource.class),
      @Dependent(
          name = "ui-service",
          type = UiServiceDependentResource.class,
          reconcilePrecondition = UiEnabled.class),
      @Dependent(name = "pdb", type = PodDisruptionBudgetDependentResource.class),
      @Dependent(
          name = GossipSecretDependentResource.NAME,
          type = GossipSecretDependentResource.class,
          readyPostcondition = PodSecretsReady.class),
      @Dependent(
          name = GossipConfigDependentResource.NAME,
          type = GossipConfigDependentResource.class,
          dependsOn = GossipSecretDependentResource.NAME),
      @Dependent(
          name = TlsSecretDependentResource.NAME,
          type = TlsSecretDependentResource.class,
          readyPostcondition = PodSecretsReady.class),
      @Dependent(
          name = "servers",
          type = StatefulSetDependentResource.class,
          dependsOn = {GossipConfigDependentResource.NAME, TlsSecretDependentResource.NAME}),
      @Dependent(
          name = "agents",
          type = DaemonSetDependentResource.class,
          reconcilePrecondition = AgentsEnabled.class,
          dependsOn = {GossipConfigDependentResource.NAME, TlsSecretDependentResource.NAME}),
      @Dependent(
          name = "agent-service",
          type = AgentServiceDependentResource.class,
          reconcilePrecondition = AgentsEnabled.class)
    })
public class ConsulClusterReconciler implements Reconciler<ConsulCluster> {
  private static final Logger LOG = LoggerFactory.getLogger(ConsulClusterReconciler.class);
  static final Duration RESYNC_READY = Duration.ofSeconds(30);
  static final Duration RESYNC_NOT_READY = Duration.ofSeconds(2);
  static final String PROGRESSING = "Progressing";

  private final KubernetesEvents events;
  private final Clock clock;
  private final ConsulHttp http = new ConsulHttp();
  private final ConsulAcls acls;
  private final ServerRoller roller;
  private final ClusterBackup backup;

  /**
   * @param image the operator's own image, which snapshot Jobs run (null: backups report it)
   */
  public ConsulClusterReconciler(
      KubernetesClient client, KubernetesEvents events, Clock clock, String image) {
    this.events = events;
    this.clock = clock;
    this.acls = new ConsulAcls(client, http);
    this.roller = new ServerRoller(client, events, clock);
    this.backup = new ClusterBackup(client, events, clock, image);
  }

  @Override
  public List<EventSource<?, ConsulCluster>> prepareEventSources(
      EventSourceContext<ConsulCluster> context) {
    return ClusterEventSources.of(context);
  }

  @Override
  public UpdateControl<ConsulCluster> reconcile(ConsulCluster cc, Context<ConsulCluster> context) {
    ConsulClusterStatus status = ClusterStatus.copyOf(cc.getStatus());
    Long generation = cc.getMetadata().getGeneration();
    status.setObservedGeneration(generation);
    List<String> problems = ConsulClusterValidator.validate(cc);
    status.setConditions(
        Conditions.validated(
            status.getConditions(), problems, generation, clock, events.invalid(cc)));
    if (!problems.isEmpty()) {
      // Nothing is created or changed for an invalid spec; what runs keeps running.
      return ClusterStatus.update(cc, status, null, context);
    }

    // Consul's view first: a scale-down applies one server at a time, as its health allows.
    ClusterSettings s = ClusterSettings.of(cc);
    var pods = context.getSecondaryResources(Pod.class);
    List<ServerPods.ServerPod> servers = ServerPods.of(pods, s, SERVER);
    String caPem = PodSecrets.check(cc, context).caPem();
    RaftView raft = RaftView.read(http, servers, caPem);
    var health = AutopilotHealth.fetch(http, context.getClient(), s, raft, caPem);
    var current = context.getSecondaryResource(StatefulSet.class, "servers");
    var scaling =
        ServerScaling.plan(s, current.map(x -> x.getSpec().getReplicas()).orElse(null), health);
    context.managedWorkflowAndDependentResourceContext().put(ServerScaling.class, scaling);

    var workflow = context.managedWorkflowAndDependentResourceContext().reconcileManagedWorkflow();
    String conflict = Conflicts.describe(cc, context, workflow);
    PodSecrets secrets = PodSecrets.check(cc, context);
    status.setServers(s.servers());
    var sts = context.getSecondaryResource(StatefulSet.class, "servers");
    int readyServers =
        sts.map(x -> x.getStatus() == null ? null : x.getStatus().getReadyReplicas()).orElse(0);
    status.setReadyServers(readyServers);
    status.setLeader(raft.leader());
    status.setPeers(raft.peers());
    ConsulAcls.Result acl =
        s.acl() && raft.leaderUrl() != null
            ? acls(cc, s, pods, servers, raft, caPem, status, context)
            : null;

    var rollout = roller.step(cc, s, sts.orElse(null), pods, health, status);
    status.setUpdatedServers(rollout.updatedServers());
    var progressing = scaling.progressing(rollout);
    Conditions.set(
        status,
        PROGRESSING,
        progressing.status(),
        progressing.reason(),
        progressing.message(),
        generation,
        clock);
    if (rollout.stalled() != null
        && !Conditions.find(status.getConditions(), READY)
            .map(c -> "RolloutStalled".equals(c.getReason()))
            .orElse(false)) {
      events.warning(cc, "RolloutStalled", rollout.stalled());
    }
    ReadyStatus ready =
        ReadyStatus.of(s, conflict, secrets.problems(), rollout.stalled(), readyServers, raft, acl);
    Conditions.set(
        status, READY, ready.ready(), ready.reason(), ready.message(), generation, clock);
    // Snapshots need a leader and, with ACLs, the management token in place.
    boolean consulServes = raft.leaderUrl() != null && (!s.acl() || acl.problem() == null);
    Duration nextSnapshot =
        backup.step(cc, s, pods, consulServes ? raft.leaderUrl() : null, status);
    // Rollouts and scale-downs step on Consul's health: polled every 2 s, like a cluster coming up.
    boolean settled = ready.ready() && !rollout.progressing() && scaling.progress() == null;
    Duration resync = settled ? RESYNC_READY : RESYNC_NOT_READY;
    if (nextSnapshot != null && nextSnapshot.compareTo(resync) < 0) {
      resync = nextSnapshot;
    }
    return ClusterStatus.update(cc, status, resync, context);
  }

  /** The ACL tokens in place (bootstrap once, policies, tokens, the agent token on every pod). */
  private ConsulAcls.Result acls(
      ConsulCluster cc,
      ClusterSettings s,
      Collection<Pod> pods,
      List<ServerPods.ServerPod> servers,
      RaftView raft,
      String caPem,
      ConsulClusterStatus status,
      Context<ConsulCluster> context) {
    // Each pod's Consul node: a server runs as its pod's name, an agent as its Kubernetes node's.
    List<ConsulAcls.AgentPod> agentPods = new ArrayList<>();
    Set<String> nodes = new HashSet<>();
    for (int i = 0; i < s.servers(); i++) {
      nodes.add(s.serverName() + "-" + i);
    }
    for (ServerPods.ServerPod p : servers) {
      nodes.add(p.name()); // one being scaled away keeps its token until it is gone
      if (p.ready()) {
        agentPods.add(new ConsulAcls.AgentPod(p.uid(), p.url(), p.name()));
      }
    }
    if (s.agents()) {
      Map<String, String> nodeOfPod = new HashMap<>();
      pods.forEach(p -> nodeOfPod.put(p.getMetadata().getUid(), p.getSpec().getNodeName()));
      for (ServerPods.ServerPod p : ServerPods.of(pods, s, AGENT)) {
        String node = nodeOfPod.get(p.uid());
        if (node != null) {
          agentPods.add(new ConsulAcls.AgentPod(p.uid(), p.url(), node));
          nodes.add(node);
        }
      }
    }
    // The service names the operator's token may write: those of the HotelServices registering
    // here.
    Set<String> services = new HashSet<>();
    for (HotelService hs : context.getSecondaryResources(HotelService.class)) {
      if (s.name().equals(hs.consulClusterName())) {
        services.add(hs.consulServiceName());
      }
    }
    var acl = acls.ensure(s, raft.leaderUrl(), caPem, agentPods, nodes, services);
    if (acl.permanent()
        && !Conditions.find(status.getConditions(), READY)
            .map(c -> "ACLBootstrapFailed".equals(c.getReason()))
            .orElse(false)) {
      events.warning(cc, "ACLBootstrapFailed", acl.problem());
    }
    return acl;
  }

  @Override
  public ErrorStatusUpdateControl<ConsulCluster> updateErrorStatus(
      ConsulCluster cc, Context<ConsulCluster> context, Exception e) {
    ConsulClusterStatus status = ClusterStatus.copyOf(cc.getStatus());
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    LOG.atWarn()
        .addKeyValue(
            "consulcluster", cc.getMetadata().getNamespace() + "/" + cc.getMetadata().getName())
        .addKeyValue("error", message)
        .log("reconcile failed, retrying");
    Conditions.set(
        status, READY, false, "ReconcileFailed", message, cc.getMetadata().getGeneration(), clock);
    // Written as every status is (ClusterStatus.update: replaced whole), not JOSDK's patchStatus:
    // one verb for the chart to grant (RbacTest caught the patch, refused, after a lost race).
    ClusterStatus.update(cc, status, null, context);
    return ErrorStatusUpdateControl.noStatusUpdate();
  }
}
