package dev.bellhop.testkit.consul;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import org.junit.jupiter.api.Test;

class AgentClusterIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void oneServerOneAgent() throws Exception {
    try (TestConsulCluster cluster = TestConsulCluster.builder().servers(1).agents(1).start()) {
      System.out.println(
          "BENCH testkit.startup.1server1agent=" + cluster.startupTime().toMillis() + " unit=ms");
      TestConsulNode server = cluster.servers().get(0);
      TestConsulNode agent = cluster.agents().get(0);
      assertThat(agent.server()).isFalse();
      assertThat(agent.address()).isEqualTo(cluster.addressBlock() + ".2");
      assertThat(cluster.leader()).isEqualTo(server);

      JsonNode members = JSON.readTree(cluster.request("GET", server, "/v1/agent/members", null));
      assertThat(members)
          .anySatisfy(
              m -> {
                assertThat(m.path("Name").textValue()).isEqualTo("agent-1");
                assertThat(m.get("Status")).isEqualTo(IntNode.valueOf(1));
              });
      // the agent's own HTTP API answers and forwards to the servers
      JsonNode self = JSON.readTree(cluster.request("GET", agent, "/v1/agent/self", null));
      assertThat(self.path("Config").get("Server")).isEqualTo(BooleanNode.FALSE);
      assertThat(cluster.request("GET", agent, "/v1/status/leader", null))
          .contains(server.address() + ":8300");
      cluster.request(
          "PUT", agent, "/v1/agent/service/register", "{\"Name\":\"auth\",\"Port\":8081}");
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (!cluster
          .request("GET", server, "/v1/catalog/service/auth", null)
          .contains("\"Node\":\"agent-1\"")) {
        assertThat(System.nanoTime())
            .as("agent's service synced to the catalog")
            .isLessThan(deadline);
        Thread.sleep(50);
      }

      long t0 = System.nanoTime();
      cluster.close();
      System.out.println(
          "BENCH testkit.close.1server1agent=" + (System.nanoTime() - t0) / 1_000_000 + " unit=ms");
      cluster.close(); // idempotent
      assertThat(server.isRunning()).isFalse();
      assertThat(agent.isRunning()).isFalse();
      assertThat(cluster.dataDir()).doesNotExist();
    }
  }
}
