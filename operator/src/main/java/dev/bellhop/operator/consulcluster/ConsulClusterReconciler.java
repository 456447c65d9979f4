package dev.bellhop.operator.consulcluster;

import static dev.bellhop.operator.consulcluster.ClusterSettings.AGENT;
import static dev.bellhop.operator.consulcluster.ClusterSettings.LABEL_CLUSTER;
import static dev.bellhop.operator.consulcluster.ClusterSettings.SERVER;
import static dev.bellhop.operator.crd.Conditions.INVALID;
import static dev.bellhop.operator.crd.Conditions.READY;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bellhop.operator.KubernetesEvents;
import dev.bellhop.operator.crd.ConsulCluster;
import dev.bellhop.operator.crd.ConsulClusterStatus;
import dev.bellhop.operator.crd.Conditions;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Provisions a Consul cluster from a ConsulCluster: configuration, Services, the server
 * StatefulSet and its PodDisruptionBudget, the gossip Secret, the agents' DaemonSet, ACL tokens;
 * and reports ready servers, the raft leader and peers.
 *
 * <p>Objects are written with a hash of their desired state in an annotation and rewritten only when
 * that hash changes, so defaults an API server adds never cause a write loop. Consul itself is
 * reached through the server pods' IPs ({@code status.podIP}), never through a Service ClusterIP.
 */
@ControllerConfiguration(name = "consulcluster")
public class ConsulClusterReconciler implements Reconciler<ConsulCluster> {
  private static final Logger LOG = LoggerFactory.getLogger(ConsulClusterReconciler.class);
  static final String SPEC_HASH = "bellhop.dev/spec-hash";
  static final Duration RESYNC_READY = Duration.ofSeconds(30);
  static final Duration RESYNC_NOT_READY = Duration.ofSeconds(2);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final KubernetesClient client;
  private final KubernetesEvents events;
  private final Clock clock;
  private final ConsulHttp http = new ConsulHttp();
  private final ConsulAcls acls;

  public ConsulClusterReconciler(KubernetesClient client, KubernetesEvents events, Clock clock) {
    this.client = client;
    this.events = events;
    this.clock = clock;
    this.acls = new ConsulAcls(client, http);
  }

  @Override
  public List<EventSource<?, ConsulCluster>> prepareEventSources(EventSourceContext<ConsulCluster> context) {
    SecondaryToPrimaryMapper<HasMetadata> byLabel = r -> {
      String name = r.getMetadata().getLabels() == null ? null : r.getMetadata().getLabels().get(LABEL_CLUSTER);
      return name == null ? Set.of() : Set.of(new ResourceID(name, r.getMetadata().getNamespace()));
    };
    var statefulSets = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(StatefulSet.class, ConsulCluster.class)
            .withName("consul-statefulsets").withLabelSelector(LABEL_CLUSTER)
            .withSecondaryToPrimaryMapper(byLabel::toPrimaryResourceIDs).build(), context);
    var pods = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(Pod.class, ConsulCluster.class)
            .withName("consul-pods").withLabelSelector(LABEL_CLUSTER)
            .withSecondaryToPrimaryMapper(byLabel::toPrimaryResourceIDs).build(), context);
    // Bellhop's own Secrets (gossip key, ACL tokens): a deleted one is noticed at once.
    var secrets = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(Secret.class, ConsulCluster.class)
            .withName("consul-secrets").withLabelSelector(LABEL_CLUSTER)
            .withSecondaryToPrimaryMapper(byLabel::toPrimaryResourceIDs).build(), context);
    return List.of(statefulSets, pods, secrets);
  }

  @Override
  public UpdateControl<ConsulCluster> reconcile(ConsulCluster cc, Context<ConsulCluster> context) {
    ConsulClusterStatus status = copyOf(cc.getStatus());
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
      return statusUpdate(cc, status, null);
    }
    setCondition(status, INVALID, false, "Valid", "The spec is valid", generation);

    ClusterSettings s = ClusterSettings.of(cc);
    status.setServers(s.servers());
    List<String> waiting = new ArrayList<>();
    String caPem = null;
    if (s.gossip()) {
      waiting.addAll(ensureGossipSecret(cc, s));
    }
    if (s.tls()) {
      Secret tls = client.secrets().inNamespace(s.namespace()).withName(s.tlsSecret()).get();
      for (String key : List.of("ca.crt", "tls.crt", "tls.key")) {
        if (ConsulClusterResources.secretValue(tls, key) == null) {
          waiting.add(tls == null ? "TLS Secret " + s.tlsSecret() + " not found"
              : "TLS Secret " + s.tlsSecret() + " has no " + key);
          break;
        }
      }
      caPem = ConsulClusterResources.secretValue(tls, "ca.crt");
    }

    ConfigMap config = ConsulClusterResources.configMap(s);
    apply(cc, config);
    String configHash = ConsulClusterResources.rollingHash(s);
    apply(cc, ConsulClusterResources.headlessService(s));
    apply(cc, ConsulClusterResources.clientService(s));
    if (s.ui()) {
      apply(cc, ConsulClusterResources.uiService(s));
    } else {
      deleteOwned(Service.class, s, s.uiServiceName());
    }
    apply(cc, ConsulClusterResources.podDisruptionBudget(s));

    StatefulSet sts;
    if (waiting.isEmpty()) {
      // Pods would not start without their Secrets: the workloads wait for them.
      sts = apply(cc, ConsulClusterResources.statefulSet(s, configHash));
      if (s.agents()) {
        apply(cc, ConsulClusterResources.daemonSet(s, configHash));
      } else {
        deleteOwned(DaemonSet.class, s, s.agentName());
      }
    } else {
      sts = client.apps().statefulSets().inNamespace(s.namespace()).withName(s.serverName()).get();
    }
    int readyServers = sts == null || sts.getStatus() == null || sts.getStatus().getReadyReplicas() == null ? 0
        : sts.getStatus().getReadyReplicas();
    status.setReadyServers(readyServers);

    // Consul's own view, through the server pods (ready ones first).
    List<ServerPod> servers = serverPods(s, SERVER);
    String leaderUrl = null;
    String leader = "";
    List<String> peers = List.of();
    String lastError = servers.isEmpty() ? "no server pod has an IP yet" : null;
    for (ServerPod pod : servers) {
      try {
        var r = http.send("GET", pod.url() + "/v1/status/leader", null, caPem, null);
        String l = r.ok() ? JSON.readTree(r.body()).asText("") : "";
        if (!l.isEmpty()) {
          leader = l;
          leaderUrl = pod.url();
          var p = http.send("GET", pod.url() + "/v1/status/peers", null, caPem, null);
          if (p.ok()) {
            List<String> list = new ArrayList<>();
            for (JsonNode n : JSON.readTree(p.body())) {
              list.add(n.asText());
            }
            peers = list.stream().sorted().toList();
          }
          break;
        }
        lastError = pod.url() + ": " + (r.ok() ? "knows no leader" : "HTTP " + r.status());
      } catch (IOException | RuntimeException e) {
        lastError = pod.url() + ": " + (e.getMessage() == null ? e.toString() : e.getMessage());
        LOG.atDebug().addKeyValue("url", pod.url()).addKeyValue("error", e.getMessage()).log("server not answering");
      }
    }
    status.setLeader(leader);
    status.setPeers(peers);

    String aclProblem = null;
    boolean aclPermanent = false;
    if (s.acl() && leaderUrl != null) {
      Map<String, String> agentPods = new LinkedHashMap<>();
      servers.stream().filter(ServerPod::ready).forEach(p -> agentPods.put(p.uid(), p.url()));
      if (s.agents()) {
        serverPods(s, AGENT).forEach(p -> agentPods.put(p.uid(), p.url()));
      }
      var result = acls.ensure(cc, s, leaderUrl, caPem, agentPods);
      aclProblem = result.problem();
      aclPermanent = result.permanent();
      if (result.permanent() && !Conditions.find(status.getConditions(), READY)
          .map(c -> "ACLBootstrapFailed".equals(c.getReason())).orElse(false)) {
        events.warning(cc, "ACLBootstrapFailed", aclProblem);
      }
    }

    String reason;
    String message;
    if (!waiting.isEmpty()) {
      reason = "SecretMissing";
      message = String.join("; ", waiting);
    } else if (readyServers < s.servers()) {
      reason = "ServersNotReady";
      message = readyServers + " of " + s.servers() + " server(s) ready";
    } else if (leader.isEmpty()) {
      reason = "NoLeader";
      message = "no raft leader known to the servers at their pod IPs (last: " + lastError + ")";
    } else if (s.acl() && aclProblem != null) {
      // Failed: needs the user (a lost management token); pending: Consul not ready for it yet.
      reason = aclPermanent ? "ACLBootstrapFailed" : "ACLPending";
      message = aclProblem;
    } else {
      reason = null;
      message = readyServers + " of " + s.servers() + " server(s) ready, leader " + leader;
    }
    boolean ready = reason == null;
    setCondition(status, READY, ready, ready ? "ClusterReady" : reason, message, generation);
    return statusUpdate(cc, status, ready ? RESYNC_READY : RESYNC_NOT_READY);
  }

  @Override
  public ErrorStatusUpdateControl<ConsulCluster> updateErrorStatus(ConsulCluster cc, Context<ConsulCluster> context,
      Exception e) {
    ConsulClusterStatus status = copyOf(cc.getStatus());
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

  /** The generated key is created once and then kept; a Secret the user named is only read. */
  private List<String> ensureGossipSecret(ConsulCluster cc, ClusterSettings s) {
    Secret secret = client.secrets().inNamespace(s.namespace()).withName(s.gossipSecret()).get();
    if (secret == null && s.gossipGenerated()) {
      Secret fresh = ConsulClusterResources.gossipSecret(s, ConsulClusterResources.newGossipKey());
      own(cc, fresh);
      secret = client.resource(fresh).create();
      events.normal(cc, "GossipKeyCreated", "Created Secret " + s.gossipSecret() + " with a new gossip key");
    }
    if (secret == null) {
      return List.of("gossip Secret " + s.gossipSecret() + " not found");
    }
    String key = ConsulClusterResources.secretValue(secret, s.gossipKey());
    if (key == null) {
      return List.of("gossip Secret " + s.gossipSecret() + " has no key '" + s.gossipKey() + "'");
    }
    try {
      int length = Base64.getDecoder().decode(key.trim()).length;
      if (length != 16 && length != 24 && length != 32) {
        return List.of("gossip Secret " + s.gossipSecret() + " key '" + s.gossipKey()
            + "' must be 16, 24 or 32 bytes in base64, got " + length);
      }
    } catch (IllegalArgumentException e) {
      return List.of("gossip Secret " + s.gossipSecret() + " key '" + s.gossipKey() + "' is not base64");
    }
    return List.of();
  }

  record ServerPod(String uid, String url, boolean ready) {}

  /** Running pods of a component with an IP, ready ones first. */
  private List<ServerPod> serverPods(ClusterSettings s, String component) {
    return serverPods(client, s, component);
  }

  static List<ServerPod> serverPods(KubernetesClient client, ClusterSettings s, String component) {
    List<ServerPod> ready = new ArrayList<>();
    List<ServerPod> others = new ArrayList<>();
    for (Pod pod : client.pods().inNamespace(s.namespace()).withLabels(s.selector(component)).list().getItems()) {
      if (pod.getMetadata().getDeletionTimestamp() != null || pod.getStatus() == null
          || pod.getStatus().getPodIP() == null || pod.getStatus().getPodIP().isEmpty()) {
        continue;
      }
      boolean isReady = pod.getStatus().getConditions() != null && pod.getStatus().getConditions().stream()
          .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
      String ip = pod.getStatus().getPodIP();
      String host = ip.contains(":") ? "[" + ip + "]" : ip;
      var sp = new ServerPod(pod.getMetadata().getUid(), s.scheme() + "://" + host + ":" + s.httpPort(), isReady);
      (isReady ? ready : others).add(sp);
    }
    ready.sort((a, b) -> a.url().compareTo(b.url()));
    others.sort((a, b) -> a.url().compareTo(b.url()));
    ready.addAll(others);
    return ready;
  }

  /**
   * Creates or updates {@code desired}, owned by the ConsulCluster. Updates only when the hash of
   * the desired state differs from the one recorded on the object; fields the API server keeps
   * immutable (StatefulSet claims and selector, a Service's cluster IP) are carried over.
   */
  @SuppressWarnings("unchecked")
  private <T extends HasMetadata> T apply(ConsulCluster cc, T desired) {
    own(cc, desired);
    String hash = ConsulClusterResources.hash(client.getKubernetesSerialization().asJson(desired));
    Map<String, String> annotations = new HashMap<>();
    if (desired.getMetadata().getAnnotations() != null) {
      annotations.putAll(desired.getMetadata().getAnnotations());
    }
    annotations.put(SPEC_HASH, hash);
    desired.getMetadata().setAnnotations(annotations);
    T actual = client.resource(desired).get();
    if (actual == null) {
      return client.resource(desired).create();
    }
    if (actual.getMetadata().getAnnotations() != null
        && hash.equals(actual.getMetadata().getAnnotations().get(SPEC_HASH))) {
      return actual;
    }
    desired.getMetadata().setResourceVersion(actual.getMetadata().getResourceVersion());
    if (desired instanceof StatefulSet d && actual instanceof StatefulSet a) {
      d.getSpec().setVolumeClaimTemplates(a.getSpec().getVolumeClaimTemplates());
      d.getSpec().setSelector(a.getSpec().getSelector());
      d.setStatus(a.getStatus());
    }
    if (desired instanceof Service d && actual instanceof Service a) {
      ConsulClusterResources.keepAllocated(d, a);
    }
    return client.resource(desired).update();
  }

  private <T extends HasMetadata> void deleteOwned(Class<T> type, ClusterSettings s, String name) {
    T existing = client.resources(type).inNamespace(s.namespace()).withName(name).get();
    if (existing != null && existing.getMetadata().getLabels() != null
        && s.name().equals(existing.getMetadata().getLabels().get(LABEL_CLUSTER))) {
      client.resource(existing).delete();
    }
  }

  private static void own(ConsulCluster cc, HasMetadata object) {
    object.getMetadata().setOwnerReferences(List.of(new OwnerReferenceBuilder()
        .withApiVersion(cc.getApiVersion()).withKind(cc.getKind()).withName(cc.getMetadata().getName())
        .withUid(cc.getMetadata().getUid()).withController(true).withBlockOwnerDeletion(true).build()));
  }

  private void setCondition(ConsulClusterStatus status, String type, boolean value, String reason, String message,
      Long generation) {
    status.setConditions(Conditions.set(status.getConditions(), type, value, reason, message, generation, clock));
  }

  private static UpdateControl<ConsulCluster> statusUpdate(ConsulCluster cc, ConsulClusterStatus status,
      Duration resync) {
    UpdateControl<ConsulCluster> control;
    if (status.equals(cc.getStatus())) {
      control = UpdateControl.noUpdate();
    } else {
      cc.setStatus(status);
      control = UpdateControl.patchStatus(cc);
    }
    return resync == null ? control : control.rescheduleAfter(resync);
  }

  private static ConsulClusterStatus copyOf(ConsulClusterStatus status) {
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
