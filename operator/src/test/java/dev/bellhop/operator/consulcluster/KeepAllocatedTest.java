package dev.bellhop.operator.consulcluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What an update of a stored Service carries over. The refusal this avoids is kube-apiserver's
 * "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'", which the local
 * API server enforces (e2e's ServiceValidationTest holds the same two payloads).
 */
class KeepAllocatedTest {
  private static Service service(String type, Integer nodePort, String clusterIp) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withName("consul-ui")
        .withNamespace("demo")
        .endMetadata()
        .withNewSpec()
        .withType(type)
        .withClusterIP(clusterIp)
        .addNewPort()
        .withName("http")
        .withPort(80)
        .withTargetPort(new IntOrString(8500))
        .withNodePort(nodePort)
        .endPort()
        .endSpec()
        .build();
  }

  @Test
  void aUiSwitchedFromNodePortToClusterIpDropsItsNodePort() {
    Service stored = service("NodePort", 30850, "10.96.0.7");
    Service desired = service("ClusterIP", null, null);
    ConsulClusterResources.keepAllocated(desired, stored);
    assertThat(desired.getSpec().getPorts()).extracting(p -> p.getNodePort()).containsOnlyNulls();
    assertThat(desired.getSpec().getClusterIP()).isEqualTo("10.96.0.7");
  }

  @Test
  void aNodePortOrLoadBalancerUiKeepsItsAllocatedPort() {
    for (String type : List.of("NodePort", "LoadBalancer")) {
      Service desired = service(type, null, null);
      ConsulClusterResources.keepAllocated(desired, service("NodePort", 30850, "10.96.0.7"));
      assertThat(desired.getSpec().getPorts())
          .extracting(p -> p.getNodePort())
          .containsExactly(30850);
    }
  }

  @Test
  void aHeadlessServiceStaysHeadless() {
    Service desired = service("ClusterIP", null, "None");
    ConsulClusterResources.keepAllocated(desired, service("ClusterIP", null, "None"));
    assertThat(desired.getSpec().getClusterIP()).isEqualTo("None");
  }
}
