package dev.bellhop.localcluster.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.vertx.core.net.SocketAddress;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The node-local Consul agent Service: internalTrafficPolicy Local keeps a pod on its own node's
 * agent.
 */
class EndpointsTest {
  private static final Map<String, String> NODES =
      Map.of("node-1", "127.0.0.2", "node-2", "127.0.0.3");
  private final Endpoints endpoints =
      new Endpoints(
          NetworkFixtures.store(
              NetworkFixtures.ready("agent-1", "node-1", "127.0.1.1", "agent"),
              NetworkFixtures.ready("agent-2", "node-2", "127.0.1.2", "agent"),
              NetworkFixtures.ready("hotel", "node-2", "127.0.1.9", "hotel")));

  @Test
  void aLocalServiceAnswersFromTheClientsNodeOnly() {
    Service agents = NetworkFixtures.agentService("Local", 53, 8600);
    ServicePort dns = agents.getSpec().getPorts().get(0);
    String node = endpoints.nodeOf("127.0.1.9", NODES);
    assertThat(node).isEqualTo("node-2");
    for (int i = 0; i < 4; i++) {
      assertThat(endpoints.pick(agents, dns, node))
          .isEqualTo(SocketAddress.inetSocketAddress(8600, "127.0.1.2"));
    }
    assertThat(endpoints.nodeOf("127.0.0.2", NODES)).isEqualTo("node-1");
    assertThat(endpoints.pick(agents, dns, "node-3")).as("no agent on the node: dropped").isNull();
  }

  @Test
  void aClusterServiceOrAnUnplacedClientGetsAnyNode() {
    Set<String> seen = new HashSet<>();
    Service cluster = NetworkFixtures.agentService("Cluster", 53, 8600);
    for (int i = 0; i < 4; i++) {
      seen.add(endpoints.pick(cluster, cluster.getSpec().getPorts().get(0), "node-2").host());
    }
    assertThat(seen).containsExactlyInAnyOrder("127.0.1.1", "127.0.1.2");
    assertThat(endpoints.nodeOf("127.0.0.1", NODES)).isNull();
  }
}
