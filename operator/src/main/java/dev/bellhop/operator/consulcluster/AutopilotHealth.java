package dev.bellhop.operator.consulcluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consul's {@code GET /v1/operator/autopilot/health}, as the leader's autopilot sees its servers.
 * Autopilot calls a server healthy when it is alive in serf, heard from the leader within {@code
 * last_contact_threshold} (200 ms), on the leader's term and within {@code max_trailing_logs} (250)
 * of its index: "caught up".
 *
 * @param failureTolerance servers that could fail without losing quorum
 */
record AutopilotHealth(boolean healthy, int failureTolerance, List<Server> servers) {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Logger LOG = LoggerFactory.getLogger(AutopilotHealth.class);

  /** One server: its node name (the pod name), raft address, and autopilot's verdict. */
  record Server(
      String name,
      String address,
      boolean leader,
      boolean voter,
      boolean healthy,
      long lastIndex,
      Instant stableSince) {}

  static AutopilotHealth parse(String body) throws IOException {
    JsonNode root = JSON.readTree(body);
    List<Server> servers = new ArrayList<>();
    for (JsonNode s : root.path("Servers")) {
      String stable = s.path("StableSince").asText("");
      servers.add(
          new Server(
              s.path("Name").asText(),
              s.path("Address").asText(),
              s.path("Leader").asBoolean(),
              s.path("Voter").asBoolean(),
              s.path("Healthy").asBoolean(),
              s.path("LastIndex").asLong(),
              stable.isEmpty() ? null : Instant.parse(stable)));
    }
    return new AutopilotHealth(
        root.path("Healthy").asBoolean(), root.path("FailureTolerance").asInt(), servers);
  }

  /** Autopilot's view through a server that knows the leader; null when none answers. */
  static AutopilotHealth fetch(
      ConsulHttp http, KubernetesClient client, ClusterSettings s, RaftView raft, String caPem) {
    if (raft.leaderUrl() == null) {
      return null;
    }
    try {
      // operator:read, which the operator's token has: the management token is kept for ACL work
      // and snapshots (issue #16).
      String token =
          s.acl()
              ? ConsulClusterResources.secretValue(
                  client
                      .secrets()
                      .inNamespace(s.namespace())
                      .withName(s.operatorTokenSecret())
                      .get(),
                  ConsulAcls.TOKEN)
              : null;
      var r =
          http.send("GET", raft.leaderUrl() + "/v1/operator/autopilot/health", token, caPem, null);
      var c =
          http.send(
              "GET", raft.leaderUrl() + "/v1/operator/raft/configuration", token, caPem, null);
      // 429: unhealthy, with the same body.
      return (r.ok() || r.status() == 429) && c.ok()
          ? parse(r.body()).withRaftVoters(c.body())
          : null;
    } catch (IOException | RuntimeException e) {
      LOG.atDebug()
          .addKeyValue("url", raft.leaderUrl())
          .addKeyValue("error", e.getMessage())
          .log("no autopilot health");
      return null;
    }
  }

  /**
   * Voters as the leader's raft configuration has them: autopilot's own {@code Voter} was seen true
   * for a server rejoined 6 s earlier that the configuration still held as a non-voter (Consul
   * 1.8), and restarting the next server then left one live voter.
   */
  AutopilotHealth withRaftVoters(String raftConfiguration) throws IOException {
    java.util.Set<String> voters = new java.util.HashSet<>();
    for (JsonNode s : JSON.readTree(raftConfiguration).path("Servers")) {
      if (s.path("Voter").asBoolean()) {
        voters.add(s.path("Node").asText());
      }
    }
    return new AutopilotHealth(
        healthy,
        failureTolerance,
        servers.stream()
            .map(
                s ->
                    new Server(
                        s.name(),
                        s.address(),
                        s.leader(),
                        s.voter() && voters.contains(s.name()),
                        s.healthy(),
                        s.lastIndex(),
                        s.stableSince()))
            .toList());
  }

  /** The leader's node name, or null. */
  String leader() {
    return servers.stream().filter(Server::leader).map(Server::name).findFirst().orElse(null);
  }

  Server server(String name) {
    return servers.stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
  }

  /** Healthy voters. */
  long healthyVoters() {
    return servers.stream().filter(s -> s.voter() && s.healthy()).count();
  }
}
