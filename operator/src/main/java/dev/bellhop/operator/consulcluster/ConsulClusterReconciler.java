package dev.bellhop.operator.consulcluster;

import static dev.bellhop.operator.consulcluster.ClusterSettings.AGENT;
import static dev.bellhop.operator.consulcluster.ClusterSettings.LABEL_CLUSTER;
import static dev.bellhop.operator.consulcluster.ClusterSettings.SERVER;
import static dev.bellhop.operator.crd.Conditions.INVALID;
import static dev.bellhop.operator.crd.Conditions.READY;

import dev.bellhop.operator.KubernetesEvents;
import dev.bellhop.operator.crd.Conditions;
import dev.bellhop.operator.crd.ConsulCluster;
import dev.bellhop.operator.crd.ConsulClusterStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Provisions a Consul cluster from a ConsulCluster and reports ready servers, the raft leader and
 * peers. Each object it owns is a dependent resource of the workflow below (invoked only for a
 * valid spec: nothing is created or changed for an invalid one); the server and agent workloads wait
 * for the Secrets their pods need. Reads come from informer caches; Consul itself is reached through
 * the server pods' IPs ({@code status.podIP}), never through a Service ClusterIP.
 */
@ControllerConfiguration(name = "consulcluster")
@Workflow(explicitInvocation = true, handleExceptionsInReconciler = true, dependents = {
    @Dependent(name = "config", type = ConfigMapDependentResource.class),
    @Dependent(name = "headless-service", type = HeadlessServiceDependentResource.class),
    @Dependent(name = "client-service", type = ClientServiceDependentResource.class),
    @Dependent(name = "ui-service", type = UiServiceDependentResource.class, reconcilePrecondition = UiEnabled.class),
    @Dependent(name = "pdb", type = PodDisruptionBudgetDependentResource.class),
    @Dependent(name = GossipSecretDependentResource.NAME, type = GossipSecretDependentResource.class,
        readyPostcondition = PodSecretsReady.class),
    @Dependent(name = "servers", type = StatefulSetDependentResource.class,
        dependsOn = GossipSecretDependentResource.NAME),
    @Dependent(name = "agents", type = DaemonSetDependentResource.class, reconcilePrecondition = AgentsEnabled.class,
        dependsOn = GossipSecretDependentResource.NAME)})
public class ConsulClusterReconciler implements Reconciler<ConsulCluster> {
  private static final Logger LOG = LoggerFactory.getLogger(ConsulClusterReconciler.class);
  static final Duration RESYNC_READY = Duration.ofSeconds(30);
  static final Duration RESYNC_NOT_READY = Duration.ofSeconds(2);

  private final KubernetesEvents events;
  private final Clock clock;
  private final ConsulHttp http = new ConsulHttp();
  private final ConsulAcls acls;

  public ConsulClusterReconciler(KubernetesClient client, KubernetesEvents events, Clock clock) {
    this.events = events;
    this.clock = clock;
    this.acls = new ConsulAcls(client, http);
  }

  @Override
  public List<EventSource<?, ConsulCluster>> prepareEventSources(EventSourceContext<ConsulCluster> context) {
    // Server and agent pods (readiness, IPs), and the ACL token Secrets, which the cluster labels but does not own.
    return List.of(labelled(Pod.class, "consul-pods", context), labelled(Secret.class, "consul-secrets", context));
  }

  private static <R extends HasMetadata> InformerEventSource<R, ConsulCluster> labelled(Class<R> type, String name,
      EventSourceContext<ConsulCluster> context) {
    return new InformerEventSource<>(InformerEventSourceConfiguration.from(type, ConsulCluster.class)
        .withName(name).withLabelSelector(LABEL_CLUSTER).withSecondaryToPrimaryMapper(r -> {
          String cluster = r.getMetadata().getLabels() == null ? null : r.getMetadata().getLabels().get(LABEL_CLUSTER);
          return cluster == null ? Set.of() : Set.of(new ResourceID(cluster, r.getMetadata().getNamespace()));
        }).build(), context);
  }

  @Override
  public UpdateControl<ConsulCluster> reconcile(ConsulCluster cc, Context<ConsulCluster> context) {
    ConsulClusterStatus status = ClusterStatus.copyOf(cc.getStatus());
    Long generation = cc.getMetadata().getGeneration();
    status.setObservedGeneration(generation);
    List<String> problems = ConsulClusterValidator.validate(cc);
    if (!problems.isEmpty()) {
      // Nothing is created or changed for an invalid spec; what runs keeps running.
      String message = String.join("; ", problems);
      if (!Conditions.isTrue(status.getConditions(), INVALID)) {
        events.warning(cc, "Invalid", message);
      }
      setCondition(status, INVALID, true, "InvalidSpec", message, generation);
      setCondition(status, READY, false, "InvalidSpec", "The spec is invalid: " + message, generation);
      return ClusterStatus.update(cc, status, null);
    }
    setCondition(status, INVALID, false, "Valid", "The spec is valid", generation);

    var workflow = context.managedWorkflowAndDependentResourceContext().reconcileManagedWorkflow();
    String conflict = Conflicts.describe(cc, context, workflow);
    ClusterSettings s = ClusterSettings.of(cc);
    PodSecrets secrets = PodSecrets.check(cc, context);
    status.setServers(s.servers());
    var sts = context.getSecondaryResource(StatefulSet.class, "servers");
    int readyServers = sts.map(x -> x.getStatus() == null ? null : x.getStatus().getReadyReplicas()).orElse(0);
    status.setReadyServers(readyServers);

    var pods = context.getSecondaryResources(Pod.class);
    List<ServerPods.ServerPod> servers = ServerPods.of(pods, s, SERVER);
    RaftView raft = RaftView.read(http, servers, secrets.caPem());
    status.setLeader(raft.leader());
    status.setPeers(raft.peers());

    ConsulAcls.Result acl = null;
    if (s.acl() && raft.leaderUrl() != null) {
      Map<String, String> agentPods = new LinkedHashMap<>();
      servers.stream().filter(ServerPods.ServerPod::ready).forEach(p -> agentPods.put(p.uid(), p.url()));
      if (s.agents()) {
        ServerPods.of(pods, s, AGENT).forEach(p -> agentPods.put(p.uid(), p.url()));
      }
      acl = acls.ensure(cc, s, raft.leaderUrl(), secrets.caPem(), agentPods);
      if (acl.permanent() && !Conditions.find(status.getConditions(), READY)
          .map(c -> "ACLBootstrapFailed".equals(c.getReason())).orElse(false)) {
        events.warning(cc, "ACLBootstrapFailed", acl.problem());
      }
    }
    ReadyStatus ready = ReadyStatus.of(s, conflict, secrets.problems(), readyServers, raft, acl);
    setCondition(status, READY, ready.ready(), ready.reason(), ready.message(), generation);
    return ClusterStatus.update(cc, status, ready.ready() ? RESYNC_READY : RESYNC_NOT_READY);
  }

  @Override
  public ErrorStatusUpdateControl<ConsulCluster> updateErrorStatus(ConsulCluster cc, Context<ConsulCluster> context,
      Exception e) {
    ConsulClusterStatus status = ClusterStatus.copyOf(cc.getStatus());
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    LOG.atWarn().addKeyValue("consulcluster", cc.getMetadata().getNamespace() + "/" + cc.getMetadata().getName())
        .addKeyValue("error", message).log("reconcile failed, retrying");
    setCondition(status, READY, false, "ReconcileFailed", message, cc.getMetadata().getGeneration());
    if (status.equals(cc.getStatus())) {
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    cc.setStatus(status);
    return ErrorStatusUpdateControl.patchStatus(cc);
  }

  private void setCondition(ConsulClusterStatus status, String type, boolean value, String reason, String message,
      Long generation) {
    status.setConditions(Conditions.set(status.getConditions(), type, value, reason, message, generation, clock));
  }
}
