package dev.bellhop.operator.consulcluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consul's own view of its raft cluster, asked from the server pods in order (ready ones first):
 * the leader, the peers, and a server that knows the leader (to send writes to).
 *
 * @param leader {@code ip:port} of the leader, empty when no server knows one
 * @param leaderUrl the URL of a server pod that knows the leader, null when none
 * @param peers the raft peers, sorted
 * @param lastError why the last server asked gave no leader (for a condition message)
 */
record RaftView(String leader, String leaderUrl, List<String> peers, String lastError) {
  private static final Logger LOG = LoggerFactory.getLogger(RaftView.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  static RaftView read(ConsulHttp http, List<ServerPods.ServerPod> servers, String caPem) {
    String lastError = servers.isEmpty() ? "no server pod has an IP yet" : null;
    for (ServerPods.ServerPod pod : servers) {
      try {
        var r = http.send("GET", pod.url() + "/v1/status/leader", null, caPem, null);
        String leader = r.ok() ? JSON.readTree(r.body()).asText("") : "";
        if (!leader.isEmpty()) {
          List<String> peers = new ArrayList<>();
          var p = http.send("GET", pod.url() + "/v1/status/peers", null, caPem, null);
          if (p.ok()) {
            for (JsonNode n : JSON.readTree(p.body())) {
              peers.add(n.asText());
            }
          }
          return new RaftView(leader, pod.url(), peers.stream().sorted().toList(), null);
        }
        lastError = pod.url() + ": " + (r.ok() ? "knows no leader" : "HTTP " + r.status());
      } catch (IOException | RuntimeException e) {
        lastError = pod.url() + ": " + (e.getMessage() == null ? e.toString() : e.getMessage());
        LOG.atDebug()
            .addKeyValue("url", pod.url())
            .addKeyValue("error", e.getMessage())
            .log("server not answering");
      }
    }
    return new RaftView("", null, List.of(), lastError);
  }
}
