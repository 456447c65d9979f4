package dev.bellhop.localcluster.network;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bellhop.testkit.kube.MockApiServer;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.Test;

/** Cluster DNS names as the local cluster resolves them for a pod's configuration. */
@EnableKubernetesMockClient(crud = true)
class PodNetworkTest {
  static {
    MockApiServer.quietLogs();
  }

  KubernetesClient client;

  /**
   * Consul's agents name the servers ({@code retry_join}) and may start before the operator has
   * created the servers' StatefulSet: the names must resolve to the addresses the servers get.
   */
  @Test
  void aStatefulSetPodsNameResolvesBeforeTheSetExists() {
    PodNetwork network = new PodNetwork(client);
    String join =
        network.resolveNames(
            "[\"consul-server-0.consul-server.ns.svc\",\"consul-server-2.consul-server.ns.svc\"]");
    assertThat(join).isEqualTo("[\"127.0.0.11\",\"127.0.0.13\"]");

    StatefulSet set = client.apps().statefulSets().resource(statefulSet("consul-server")).create();
    assertThat(network.assign(serverPod(set, 2))).isEqualTo("127.0.0.13");
  }

  @Test
  void aNameUnderAnotherServiceThanTheSetsStaysUnresolved() {
    client.apps().statefulSets().resource(statefulSet("other")).create();
    PodNetwork network = new PodNetwork(client);
    assertThat(network.resolveNames("consul-server-0.consul-server.ns.svc"))
        .isEqualTo("consul-server-0.consul-server.ns.svc");
  }

  private static StatefulSet statefulSet(String serviceName) {
    return new StatefulSetBuilder()
        .withNewMetadata()
        .withName("consul-server")
        .withNamespace("ns")
        .withUid("sts-uid")
        .endMetadata()
        .withNewSpec()
        .withServiceName(serviceName)
        .withReplicas(3)
        .endSpec()
        .build();
  }

  private static Pod serverPod(StatefulSet set, int ordinal) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("consul-server-" + ordinal)
        .withNamespace("ns")
        .addNewOwnerReference()
        .withApiVersion("apps/v1")
        .withKind("StatefulSet")
        .withName(set.getMetadata().getName())
        .withUid(set.getMetadata().getUid())
        .withController(true)
        .endOwnerReference()
        .endMetadata()
        .build();
  }
}
