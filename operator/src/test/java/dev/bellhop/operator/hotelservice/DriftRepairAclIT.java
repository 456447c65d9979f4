package dev.bellhop.operator.hotelservice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bellhop.operator.BellhopOperator;
import dev.bellhop.operator.OperatorConfig;
import dev.bellhop.operator.crd.Conditions;
import dev.bellhop.operator.testing.ConsulReader;
import dev.bellhop.operator.testing.Kube;
import dev.bellhop.operator.testing.MockCluster;
import dev.bellhop.testkit.consul.ConsulClusterExtension;
import dev.bellhop.testkit.consul.TestConsulCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A repair Consul refuses: the operator's token loses write while an instance is deregistered by
 * hand. Status says so, naming the instance, until the token may write again and the repair
 * (retried meanwhile) goes through.
 */
class DriftRepairAclIT {
  private static final String MASTER = "0d7c7a1e-5b8e-4f0e-9a4c-2b1f3c4d5e6f";
  private static final String OPERATOR = "6a1f2e3d-4c5b-4a69-8877-665544332211";
  private static final String GEO_1 = "aclrepair:drift:geo:geo-1:8082";
  private static final String WRITE =
      """
      node_prefix "bellhop-" { policy = "write" }
      node_prefix "" { policy = "read" }
      service_prefix "" { policy = "write" }
      """;
  private static final String READ_ONLY =
      """
      node_prefix "" { policy = "read" }
      service_prefix "" { policy = "read" }
      """;
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension
  static final ConsulClusterExtension CONSUL =
      new ConsulClusterExtension(TestConsulCluster.builder().servers(1).aclDefaultDeny(MASTER));

  @Test
  void aRejectedRepairIsReportedNamingTheInstanceAndRetriedUntilItGoesThrough() throws Exception {
    var consul = CONSUL.cluster();
    var reader = new ConsulReader(consul);
    String policyId =
        JSON.readTree(
                consul.httpPut(
                    "/v1/acl/policy",
                    JSON.writeValueAsString(Map.of("Name", "bellhop-test", "Rules", WRITE))))
            .path("ID")
            .asText();
    consul.httpPut(
        "/v1/acl/token",
        JSON.writeValueAsString(
            Map.of("SecretID", OPERATOR, "Policies", List.of(Map.of("ID", policyId)))));
    try (var cluster = new MockCluster();
        var operator =
            BellhopOperator.start(
                cluster.client(),
                new OperatorConfig(
                    consul.httpAddress(), OPERATOR, "aclrepair", Set.of(), -1, null))) {
      var kube = cluster.kube();
      kube.create(Kube.hotelService("drift", "geo", 8082, Map.of("app", "geo")));
      kube.create(Kube.pod("drift", "geo-1", Map.of("app", "geo"), "node-a", "10.21.0.1", true));
      await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .until(() -> reader.instances("geo").containsKey(GEO_1));
      String node = reader.instances("geo").get(GEO_1).node();

      consul.httpPut(
          "/v1/acl/policy/" + policyId,
          JSON.writeValueAsString(Map.of("Name", "bellhop-test", "Rules", READ_ONLY)));
      consul.httpPut(
          "/v1/catalog/deregister", "{\"Node\":\"" + node + "\",\"ServiceID\":\"" + GEO_1 + "\"}");
      await()
          .atMost(Duration.ofSeconds(20))
          .ignoreExceptions()
          .untilAsserted(
              () -> {
                var status = kube.get("drift", "geo").getStatus();
                assertThat(Conditions.find(status.getConditions(), Conditions.REGISTERED))
                    .hasValueSatisfying(
                        c -> {
                          assertThat(c.getStatus()).isEqualTo("False");
                          assertThat(c.getReason()).isEqualTo("ConsulRejected");
                          assertThat(c.getMessage()).contains(GEO_1).contains("Permission denied");
                        });
                assertThat(status.getRegisteredEndpoints()).isZero(); // what Consul holds
              });
      assertThat(kube.client().v1().events().inNamespace("drift").list().getItems())
          .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("ConsulRejected"));

      consul.httpPut(
          "/v1/acl/policy/" + policyId,
          JSON.writeValueAsString(Map.of("Name", "bellhop-test", "Rules", WRITE)));
      await()
          .atMost(Duration.ofSeconds(20))
          .ignoreExceptions()
          .untilAsserted(
              () -> {
                assertThat(reader.instances("geo")).containsKey(GEO_1);
                var status = kube.get("drift", "geo").getStatus();
                assertThat(Conditions.isTrue(status.getConditions(), Conditions.REGISTERED))
                    .isTrue();
                assertThat(status.getRegisteredEndpoints()).isEqualTo(1);
              });
    }
  }
}
