package dev.bellhop.operator.consulcluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bellhop.operator.registration.InstanceMeta;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bootstraps a ConsulCluster's ACLs once and keeps the tokens Bellhop needs:
 *
 * <ul>
 *   <li>the management token from {@code PUT /v1/acl/bootstrap}, in Secret {@code
 *       <name>-acl-bootstrap};
 *   <li>the operator's least-privilege token (policy {@value #OPERATOR_POLICY}), in Secret {@code
 *       <name>-operator-token};
 *   <li>one token per Consul node (each server, each agent), holding that node's identity and
 *       nothing else (Consul's node identity: write on that node, read on services and nodes), in
 *       Secret {@code <name>-agent-tokens} under the node's name, set on its agent through {@code
 *       PUT /v1/agent/token/agent} (persisted by Consul). A node's token cannot register or rewrite
 *       another node (issue #16: the shared token wrote {@code node_prefix ""});
 *   <li>the gateway's read-only token (policy {@value #GATEWAY_POLICY}), in Secret {@code
 *       <name>-gateway-token}, which the chart hands the gateway;
 *   <li>the anonymous token's policy {@value #DNS_POLICY}: read on services and nodes, so DNS
 *       lookups and health reads of registered services work without a token (the hotel service
 *       resolves its upstreams through DNS, which carries none).
 * </ul>
 *
 * Token IDs are generated here and written to their Secret before the token is created in Consul,
 * so a crash between the two steps is repaired on the next reconcile, never duplicated.
 */
final class ConsulAcls {
  private static final Logger LOG = LoggerFactory.getLogger(ConsulAcls.class);
  static final String OPERATOR_POLICY = "bellhop-operator";

  /**
   * The shared agents' token of earlier versions: revoked where found, its Secret emptied (see
   * {@link #retireShared}).
   */
  static final String SHARED_AGENT_SECRET_SUFFIX = "-agent-token";

  static final String DNS_POLICY = "bellhop-dns";

  /**
   * The gateway's: the same reads as {@link #DNS_POLICY}, under a policy of its own, so that the
   * anonymous token's can be narrowed without cutting the gateway off.
   */
  static final String GATEWAY_POLICY = "bellhop-gateway";

  /** Consul's fixed accessor ID of the anonymous token. */
  static final String ANONYMOUS = "00000000-0000-0000-0000-000000000002";

  /** Consul's fixed ID of the global-management policy. */
  static final String GLOBAL_MANAGEMENT = "00000000-0000-0000-0000-000000000001";

  /**
   * Read on every service and node, nothing else: what a DNS lookup ({@code <name>.service.consul}
   * reads the service and its nodes) and a health read need. Writes stay denied.
   */
  static final String DNS_RULES =
      """
      node_prefix "" { policy = "read" }
      service_prefix "" { policy = "read" }
      """;

  /**
   * Write on Bellhop's synthetic nodes ({@code bellhop-<cluster-id>-<k8s-node>}) and on the named
   * services only, read on every other node and service (issue #16: it wrote {@code service_prefix
   * ""}, so any service of anyone), and {@code operator} read for autopilot's health, which gates
   * rollouts and scale-downs. Names are quoted as JSON strings, which HCL reads alike.
   */
  static String operatorRules(Set<String> services) {
    StringBuilder rules =
        new StringBuilder(
            """
            node_prefix "bellhop-" { policy = "write" }
            node_prefix "" { policy = "read" }
            service_prefix "" { policy = "read" }
            operator = "read"
            """);
    for (String service : new TreeSet<>(services)) {
      try {
        rules.append("service ").append(JSON.writeValueAsString(service));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
      rules.append(" { policy = \"write\" }\n");
    }
    return rules.toString();
  }

  /** Annotation on a token Secret once the token is known to exist in Consul. */
  static final String ACTIVE = "bellhop.dev/acl-token-active";

  static final String TOKEN = "token";
  static final String ACCESSOR = "accessorID";

  static final ObjectMapper JSON = new ObjectMapper();

  /** Outcome: null problem means the tokens are in place. */
  record Result(String problem, boolean permanent) {
    static final Result OK = new Result(null, false);
  }

  private final KubernetesClient client;
  private final ConsulHttp http;

  /** Pod uids whose agent token was set (Consul persists it: enable_token_persistence). */
  private final Set<String> agentTokenSet = ConcurrentHashMap.newKeySet();

  /** A server or agent pod: its uid, its API and the Consul node it runs as. */
  record AgentPod(String uid, String url, String node) {}

  ConsulAcls(KubernetesClient client, ConsulHttp http) {
    this.client = client;
    this.http = http;
  }

  /**
   * @param leaderUrl a server that knows the leader
   * @param agentPods every server and agent pod, to give its node's token
   * @param nodes the Consul nodes that may hold a token (the servers wanted, the agents' nodes);
   *     the tokens of others are deleted
   * @param services the service names of the HotelServices registering into this cluster, which the
   *     operator's token may write; so may it those that Bellhop's nodes still hold (a renamed or
   *     deleted HotelService's instances are deregistered with it)
   */
  Result ensure(
      ClusterSettings s,
      String leaderUrl,
      String caPem,
      List<AgentPod> agentPods,
      Set<String> nodes,
      Set<String> services) {
    try {
      String management =
          ConsulClusterResources.secretValue(secret(s, s.aclBootstrapSecret()), TOKEN);
      if (management == null || !valid(new AclAdmin(http, leaderUrl, caPem, management))) {
        Result r = bootstrap(s, leaderUrl, caPem, management != null);
        if (r != null) {
          return r;
        }
        // A new ACL state (servers that lost their data): the tokens agents persisted are gone too.
        agentTokenSet.clear();
        management = ConsulClusterResources.secretValue(secret(s, s.aclBootstrapSecret()), TOKEN);
      }
      AclAdmin admin = new AclAdmin(http, leaderUrl, caPem, management);
      Set<String> writable = new HashSet<>(services);
      writable.addAll(onBellhopNodes(admin));
      ensurePolicies(
          admin,
          Map.of(
              OPERATOR_POLICY, operatorRules(writable),
              DNS_POLICY, DNS_RULES,
              GATEWAY_POLICY, DNS_RULES));
      ensureAnonymousCanResolve(admin);
      ensureToken(s, s.operatorTokenSecret(), OPERATOR_POLICY, "Bellhop operator", admin);
      ensureToken(s, s.gatewayTokenSecret(), GATEWAY_POLICY, "Bellhop gateway", admin);
      AgentTokens tokens = new AgentTokens(client, s, admin);
      for (AgentPod pod : agentPods) {
        if (agentTokenSet.contains(pod.uid())) {
          continue;
        }
        String token = tokens.ensure(pod.node());
        try {
          var r =
              http.sendToNode(
                  "PUT",
                  pod.url() + "/v1/agent/token/agent",
                  management,
                  caPem,
                  JSON.writeValueAsString(Map.of("Token", token)));
          if (r.ok()) {
            agentTokenSet.add(pod.uid());
          }
        } catch (IOException e) {
          LOG.atDebug()
              .addKeyValue("url", pod.url())
              .addKeyValue("error", e.getMessage())
              .log("agent token not set yet");
        }
      }
      tokens.retainOnly(nodes);
      if (agentPods.stream().allMatch(p -> agentTokenSet.contains(p.uid()))) {
        retireShared(s, admin);
      }
      return Result.OK;
    } catch (IOException e) {
      return new Result("Consul did not answer the ACL setup: " + e.getMessage(), false);
    } catch (AclException e) {
      return new Result(e.getMessage(), false);
    }
  }

  /**
   * Null when bootstrapped now, else why not. A Secret that already holds a management token (a
   * cluster whose servers lost their data, or a user's own) keeps it: Consul's fresh bootstrap
   * token makes one with the Secret's IDs and is then deleted. So the management token outlives the
   * data, and a snapshot restored later, which brings back the ACL state it was taken with, still
   * holds the token the operator uses (issue #17).
   */
  private Result bootstrap(ClusterSettings s, String url, String caPem, boolean hadSecret)
      throws IOException {
    var r = http.send("PUT", url + "/v1/acl/bootstrap", null, caPem, null);
    if (r.ok()) {
      JsonNode token = JSON.readTree(r.body());
      String secretId = token.path("SecretID").asText();
      String accessorId = token.path("AccessorID").asText();
      Secret existing = hadSecret ? secret(s, s.aclBootstrapSecret()) : null;
      String kept = ConsulClusterResources.secretValue(existing, TOKEN);
      if (kept != null) {
        Map<String, Object> same = new java.util.HashMap<>();
        same.put("SecretID", kept);
        String keptAccessor = ConsulClusterResources.secretValue(existing, ACCESSOR);
        if (keptAccessor != null) {
          same.put("AccessorID", keptAccessor);
        }
        same.put("Description", "Bootstrap Token (Global Management), kept by Bellhop");
        same.put("Policies", List.of(Map.of("ID", GLOBAL_MANAGEMENT)));
        check(
            http.send("PUT", url + "/v1/acl/token", secretId, caPem, JSON.writeValueAsString(same)),
            "re-create the management token of Secret " + s.aclBootstrapSecret());
        check(
            http.send("DELETE", url + "/v1/acl/token/" + accessorId, kept, caPem, null),
            "delete the fresh bootstrap token");
        LOG.atInfo()
            .addKeyValue("consulcluster", s.namespace() + "/" + s.name())
            .log("ACLs bootstrapped again with the kept management token");
        return null;
      }
      // Written at once: Consul hands this token out exactly once.
      Secret secret =
          ConsulClusterResources.tokenSecret(
              s, s.aclBootstrapSecret(), Map.of(TOKEN, secretId, ACCESSOR, accessorId));
      client.resource(secret).createOr(op -> op.update());
      LOG.atInfo()
          .addKeyValue("consulcluster", s.namespace() + "/" + s.name())
          .log("ACLs bootstrapped");
      return null;
    }
    if (r.body().contains("ACL bootstrap no longer allowed")) {
      return new Result(
          "ACLs were bootstrapped, but Secret "
              + s.aclBootstrapSecret()
              + (hadSecret ? " holds a token Consul does not accept" : " is missing")
              + ": put a management token under key '"
              + TOKEN
              + "' of that Secret",
          true);
    }
    // e.g. no leader yet, or the ACL system still in legacy mode right after the election
    return new Result(
        "ACL bootstrap not possible yet: HTTP " + r.status() + " " + r.body().trim(), false);
  }

  /**
   * Revokes the one token all agents shared before (policy {@code node_prefix "" write}), once
   * every pod has its own: left in Consul, it would still let any holder write any node. Its Secret
   * is emptied, not deleted: deleting Secrets is a right the operator has no other use for.
   */
  private void retireShared(ClusterSettings s, AclAdmin admin) throws IOException {
    String name = s.name() + SHARED_AGENT_SECRET_SUFFIX;
    Secret shared = secret(s, name);
    if (shared == null || shared.getData() == null || shared.getData().isEmpty()) {
      return;
    }
    String accessor = ConsulClusterResources.secretValue(shared, ACCESSOR);
    if (accessor != null) {
      admin.deleteToken(accessor, "revoke the shared agent token");
    }
    client
        .secrets()
        .inNamespace(s.namespace())
        .withName(name)
        .edit(
            sec -> {
              sec.setData(null);
              return sec;
            });
    LOG.atInfo()
        .addKeyValue("consulcluster", s.namespace() + "/" + s.name())
        .addKeyValue("secret", name)
        .log("shared agent token revoked (every node has its own); its Secret may be deleted");
  }

  /** Whether Consul accepts the admin's token. */
  private boolean valid(AclAdmin admin) throws IOException {
    var r = admin.send("GET", "/v1/acl/token/self", null);
    if (r.ok()) {
      return true;
    }
    if (r.status() == 403) {
      return false;
    }
    throw new AclException(
        "cannot check the management token: HTTP " + r.status() + " " + r.body().trim());
  }

  /**
   * Makes each policy (name → rules) exist with exactly these rules: one list of the policies for
   * all (a reconcile every 30 s asked for it once per policy), then a read of each found, and a
   * write only where the rules differ.
   */
  private void ensurePolicies(AclAdmin admin, Map<String, String> wanted) throws IOException {
    var list = admin.send("GET", "/v1/acl/policies", null);
    check(list, "list ACL policies");
    Map<String, String> ids = new HashMap<>();
    for (JsonNode p : JSON.readTree(list.body())) {
      ids.put(p.path("Name").asText(), p.path("ID").asText());
    }
    for (var policy : wanted.entrySet()) {
      String name = policy.getKey();
      String rules = policy.getValue();
      String id = ids.get(name);
      if (id == null) {
        check(
            admin.send(
                "PUT",
                "/v1/acl/policy",
                JSON.writeValueAsString(
                    Map.of("Name", name, "Rules", rules, "Description", "Managed by Bellhop"))),
            "create ACL policy " + name);
        continue;
      }
      var current = admin.send("GET", "/v1/acl/policy/" + id, null);
      check(current, "read ACL policy " + name);
      if (!rules.equals(JSON.readTree(current.body()).path("Rules").asText())) {
        check(
            admin.send(
                "PUT",
                "/v1/acl/policy/" + id,
                JSON.writeValueAsString(Map.of("Name", name, "Rules", rules))),
            "update ACL policy " + name);
      }
    }
  }

  /** The names of the services registered on any Bellhop node of this Consul. */
  private Set<String> onBellhopNodes(AclAdmin admin) throws IOException {
    var r =
        admin.send(
            "GET",
            "/v1/catalog/services?node-meta="
                + InstanceMeta.MANAGED_BY
                + ":"
                + InstanceMeta.MANAGED_BY_VALUE,
            null);
    check(r, "list the services on Bellhop's nodes");
    Set<String> names = new HashSet<>();
    JSON.readTree(r.body()).fieldNames().forEachRemaining(names::add);
    return names;
  }

  /** Gives the anonymous token {@value #DNS_POLICY}, once: it is read and left alone after. */
  private void ensureAnonymousCanResolve(AclAdmin admin) throws IOException {
    var current = admin.send("GET", "/v1/acl/token/" + ANONYMOUS, null);
    check(current, "read the anonymous ACL token");
    JsonNode token = JSON.readTree(current.body());
    List<Map<String, String>> policies = new java.util.ArrayList<>();
    for (JsonNode p : token.path("Policies")) {
      if (DNS_POLICY.equals(p.path("Name").asText())) {
        return;
      }
      policies.add(Map.of("Name", p.path("Name").asText()));
    }
    policies.add(Map.of("Name", DNS_POLICY));
    check(
        admin.send(
            "PUT",
            "/v1/acl/token/" + ANONYMOUS,
            JSON.writeValueAsString(
                Map.of(
                    "Description",
                    token.path("Description").asText("Anonymous Token"),
                    "Policies",
                    policies))),
        "give the anonymous ACL token " + DNS_POLICY);
    LOG.atInfo().addKeyValue("policy", DNS_POLICY).log("anonymous token may resolve services");
  }

  private void ensureToken(
      ClusterSettings s, String secretName, String policy, String description, AclAdmin admin)
      throws IOException {
    Secret secret = secret(s, secretName);
    if (secret == null || ConsulClusterResources.secretValue(secret, TOKEN) == null) {
      secret =
          ConsulClusterResources.tokenSecret(
              s,
              secretName,
              Map.of(TOKEN, UUID.randomUUID().toString(), ACCESSOR, UUID.randomUUID().toString()));
      secret = client.resource(secret).createOr(op -> op.update());
    }
    String token = ConsulClusterResources.secretValue(secret, TOKEN);
    String accessor = ConsulClusterResources.secretValue(secret, ACCESSOR);
    if (admin.ensureToken(
        accessor,
        token,
        description,
        Map.of("Policies", List.of(Map.of("Name", policy))),
        "ACL token " + secretName)) {
      LOG.atInfo()
          .addKeyValue("consulcluster", s.namespace() + "/" + s.name())
          .addKeyValue("token", secretName)
          .log("ACL token created");
    }
    if (secret.getMetadata().getAnnotations() == null
        || !"true".equals(secret.getMetadata().getAnnotations().get(ACTIVE))) {
      client
          .secrets()
          .inNamespace(s.namespace())
          .withName(secretName)
          .edit(
              sec -> {
                var annotations = new java.util.HashMap<String, String>();
                if (sec.getMetadata().getAnnotations() != null) {
                  annotations.putAll(sec.getMetadata().getAnnotations());
                }
                annotations.put(ACTIVE, "true");
                sec.getMetadata().setAnnotations(annotations);
                return sec;
              });
    }
  }

  private Secret secret(ClusterSettings s, String name) {
    return client.secrets().inNamespace(s.namespace()).withName(name).get();
  }

  static void check(ConsulHttp.Response r, String what) {
    if (!r.ok()) {
      throw new AclException("cannot " + what + ": HTTP " + r.status() + " " + r.body().trim());
    }
  }

  static final class AclException extends RuntimeException {
    AclException(String message) {
      super(message);
    }
  }
}
