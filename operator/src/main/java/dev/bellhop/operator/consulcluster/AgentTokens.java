package dev.bellhop.operator.consulcluster;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * One ACL token per Consul node of a cluster, each holding only that node's identity (Consul's
 * {@code NodeIdentities}: write on the node, read on every service and node, what an agent needs
 * for its own registration and anti-entropy). Kept in Secret {@code <name>-agent-tokens}: key
 * {@code <node>} the SecretID, {@code <node>.accessor} the AccessorID. The IDs are written to the
 * Secret before the token is created in Consul, so a crash between the two is repaired by the next
 * reconcile, never duplicated.
 */
final class AgentTokens {
  private static final String ACCESSOR = ".accessor";

  private final KubernetesClient client;
  private final ClusterSettings s;
  private final AclAdmin admin;

  /** The Secret as read once for this reconcile, then as written: one GET, not one per node. */
  private Secret secret;

  private boolean read;

  AgentTokens(KubernetesClient client, ClusterSettings s, AclAdmin admin) {
    this.client = client;
    this.s = s;
    this.admin = admin;
  }

  /** The node's token (its SecretID), created in the Secret and in Consul if need be. */
  String ensure(String node) throws IOException {
    Secret current = read();
    String token = ConsulClusterResources.secretValue(current, node);
    String accessor = ConsulClusterResources.secretValue(current, node + ACCESSOR);
    if (token == null || accessor == null) {
      token = UUID.randomUUID().toString();
      accessor = UUID.randomUUID().toString();
      write(current, Map.of(node, token, node + ACCESSOR, accessor), Set.of());
    }
    admin.ensureToken(
        accessor,
        token,
        "Consul agent of node " + node + " (" + s.namespace() + "/" + s.name() + ")",
        Map.of("NodeIdentities", List.of(Map.of("NodeName", node, "Datacenter", s.datacenter()))),
        "the agent token of node " + node);
    return token;
  }

  /** Deletes the tokens of nodes not in {@code nodes}, in Consul and in the Secret. */
  void retainOnly(Set<String> nodes) throws IOException {
    Secret current = read();
    if (current == null || current.getData() == null) {
      return;
    }
    Set<String> gone = new java.util.HashSet<>();
    for (String key : current.getData().keySet()) {
      if (!key.endsWith(ACCESSOR) && !nodes.contains(key)) {
        String accessor = ConsulClusterResources.secretValue(current, key + ACCESSOR);
        if (accessor != null) {
          admin.deleteToken(accessor, "delete the agent token of node " + key);
        }
        gone.add(key);
        gone.add(key + ACCESSOR);
      }
    }
    if (!gone.isEmpty()) {
      write(current, Map.of(), gone);
    }
  }

  private Secret read() {
    if (!read) {
      secret = client.secrets().inNamespace(s.namespace()).withName(s.agentTokenSecret()).get();
      read = true;
    }
    return secret;
  }

  private void write(Secret current, Map<String, String> put, Set<String> remove) {
    if (current == null) {
      secret =
          client
              .resource(ConsulClusterResources.tokenSecret(s, s.agentTokenSecret(), put))
              .create();
      return;
    }
    secret =
        client
            .secrets()
            .inNamespace(s.namespace())
            .withName(s.agentTokenSecret())
            .edit(
                sec -> {
                  Map<String, String> data =
                      new HashMap<>(sec.getData() == null ? Map.of() : sec.getData());
                  put.forEach((k, v) -> data.put(k, ConsulClusterResources.base64(v)));
                  remove.forEach(data::remove);
                  sec.setData(data);
                  return sec;
                });
  }
}
