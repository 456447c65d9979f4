package dev.bellhop.localcluster.kubelet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bellhop.localcluster.network.PodNetwork;
import dev.bellhop.testkit.kube.MockApiServer;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a container's view (paths, addresses, cluster names, $(VAR)s) is mapped onto its pod on the
 * shared host.
 */
@EnableKubernetesMockClient(crud = true)
class PodSandboxTest {
  static {
    MockApiServer.quietLogs();
  }

  KubernetesClient client;
  @TempDir Path dir;
  PodNetwork network;

  @BeforeEach
  void cluster() {
    network = new PodNetwork(client);
    client
        .services()
        .resource(
            new ServiceBuilder()
                .withNewMetadata()
                .withName("consul")
                .withNamespace("ns")
                .endMetadata()
                .withNewSpec()
                .withClusterIP("10.0.0.1")
                .endSpec()
                .build())
        .create();
    client
        .apps()
        .statefulSets()
        .resource(
            new StatefulSetBuilder()
                .withNewMetadata()
                .withName("consul-server")
                .withNamespace("ns")
                .withUid("sts-uid")
                .endMetadata()
                .withNewSpec()
                .withServiceName("consul-server")
                .withReplicas(3)
                .endSpec()
                .build())
        .create();
    client
        .configMaps()
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("cfg")
                .withNamespace("ns")
                .endMetadata()
                .addToData(
                    "server.json",
                    "{\"data_dir\": \"/consul/data\", \"bind_addr\": \"0.0.0.0\", "
                        + "\"retry_join\": [\"consul-server-2.consul-server.ns.svc\"]}")
                .build())
        .create();
  }

  @Test
  void aMountedPathIsMappedOnceEvenWhenThePodsDirectoryLiesUnderAnotherMount() throws Exception {
    // CI may clone the repository under /tmp, where a hardened pod mounts an emptyDir too.
    Path podDir = Path.of("/tmp").resolve(dir.getFileName()).resolve("pod");
    Pod pod = pod();
    pod.getSpec()
        .getContainers()
        .get(0)
        .getVolumeMounts()
        .add(
            new io.fabric8.kubernetes.api.model.VolumeMountBuilder()
                .withName("tmp")
                .withMountPath("/tmp")
                .build());
    pod.getSpec()
        .getVolumes()
        .add(
            new io.fabric8.kubernetes.api.model.VolumeBuilder()
                .withName("tmp")
                .withNewEmptyDir()
                .endEmptyDir()
                .build());
    PodSandbox sandbox =
        new PodSandbox(
            client,
            network,
            pod,
            "127.0.1.7",
            "127.0.0.2",
            podDir,
            podDir.resolveSibling("claims"));
    try {
      sandbox.prepare();
      assertThat(sandbox.map("/consul/config/server.json"))
          .isEqualTo(podDir.resolve("volumes/config/server.json").toString());
      assertThat(sandbox.map("/tmp/x")).isEqualTo(podDir.resolve("volumes/tmp/x").toString());
    } finally {
      try (var files = java.nio.file.Files.walk(podDir.getParent())) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  @Test
  void pathsAddressesAndNamesBecomeThePodsOwn() throws Exception {
    Pod pod = pod();
    PodSandbox sandbox =
        new PodSandbox(
            client,
            network,
            pod,
            "127.0.1.7",
            "127.0.0.2",
            dir.resolve("pod"),
            dir.resolve("claims"));
    sandbox.prepare();

    Path config = dir.resolve("pod/volumes/config/server.json");
    String rendered = Files.readString(config);
    assertThat(rendered)
        .contains("\"data_dir\": \"" + dir.resolve("claims/ns.data-consul-server-0") + "\"")
        .contains("\"bind_addr\": \"127.0.1.7\"")
        // A StatefulSet pod's name resolves before the pod exists: the set's block plus its
        // ordinal.
        .contains("\"retry_join\": [\"127.0.0.13\"]");
    assertThat(sandbox.map("-config-dir=/consul/config"))
        .isEqualTo("-config-dir=" + dir.resolve("pod/volumes/config"));
    assertThat(sandbox.map("/consul/configuration"))
        .as("only whole path segments")
        .isEqualTo("/consul/configuration");
    assertThat(sandbox.map("curl http://127.0.0.1:8500/v1/status/leader"))
        .isEqualTo("curl http://127.0.0.1:8500/v1/status/leader".replace("127.0.0.1", "127.0.1.7"));
    assertThat(sandbox.map("consul.ns.svc:8500"))
        .isEqualTo(network.clusterIp("ns", "consul") + ":8500");
    assertThat(sandbox.map("10.127.0.0.1")).as("only whole addresses").isEqualTo("10.127.0.0.1");

    Map<String, String> env =
        sandbox.environment(
            pod.getSpec().getContainers().get(0),
            java.net.URI.create("https://127.0.0.1:6443"),
            dir.resolve("ca.crt"));
    assertThat(env)
        .containsEntry("BIND_ADDR", "127.0.1.7")
        .containsEntry("POD_IP", "127.0.1.7")
        .containsEntry("HOST_IP", "127.0.0.2")
        .containsEntry("DNS", "127.0.0.2:8600")
        .containsEntry("LITERAL", "$(HOST_IP)")
        .containsEntry("KUBERNETES_SERVICE_HOST", "127.0.0.1")
        .containsEntry("KUBERNETES_SERVICE_PORT", "6443")
        .containsEntry("KUBERNETES_MASTER", "https://127.0.0.1:6443")
        .doesNotContainKey("KUBECONFIG")
        .doesNotContainKey("KUBERNETES_AUTH_SERVICEACCOUNT_TOKEN");
  }

  @Test
  void aMissingSecretIsReportedNotGuessed() {
    Pod pod =
        new PodBuilder(pod())
            .editSpec()
            .editFirstContainer()
            .addNewEnv()
            .withName("KEY")
            .withNewValueFrom()
            .withNewSecretKeyRef("key", "gossip", false)
            .endValueFrom()
            .endEnv()
            .endContainer()
            .endSpec()
            .build();
    PodSandbox sandbox =
        new PodSandbox(
            client,
            network,
            pod,
            "127.0.1.7",
            "127.0.0.2",
            dir.resolve("pod"),
            dir.resolve("claims"));
    assertThatThrownBy(
            () ->
                sandbox.environment(
                    pod.getSpec().getContainers().get(0),
                    java.net.URI.create("https://127.0.0.1:6443"),
                    dir.resolve("ca.crt")))
        .hasMessageContaining("Secret gossip does not exist");
  }

  @Test
  void expandsAsTheKubeletDoes() {
    assertThat(PodSandbox.expand("-node=$(NODE) $(UNSET) $$(NODE)", Map.of("NODE", "node-1")))
        .isEqualTo("-node=node-1 $(UNSET) $(NODE)");
  }

  private static Pod pod() {
    return new PodBuilder()
        .withNewMetadata()
        .withName("consul-server-0")
        .withNamespace("ns")
        .withUid("pod-uid")
        .endMetadata()
        .withNewSpec()
        .withNodeName("node-1")
        .addNewContainer()
        .withName("consul")
        .withImage("hashicorp/consul:1.8.7")
        .addNewVolumeMount()
        .withName("config")
        .withMountPath("/consul/config")
        .endVolumeMount()
        .addNewVolumeMount()
        .withName("data")
        .withMountPath("/consul/data")
        .endVolumeMount()
        .addNewEnv()
        .withName("POD_IP")
        .withNewValueFrom()
        .withNewFieldRef()
        .withFieldPath("status.podIP")
        .endFieldRef()
        .endValueFrom()
        .endEnv()
        .addNewEnv()
        .withName("HOST_IP")
        .withNewValueFrom()
        .withNewFieldRef()
        .withFieldPath("status.hostIP")
        .endFieldRef()
        .endValueFrom()
        .endEnv()
        .addNewEnv()
        .withName("DNS")
        .withValue("$(HOST_IP):8600")
        .endEnv()
        .addNewEnv()
        .withName("LITERAL")
        .withValue("$$(HOST_IP)")
        .endEnv()
        .endContainer()
        .addNewVolume()
        .withName("config")
        .withNewConfigMap()
        .withName("cfg")
        .endConfigMap()
        .endVolume()
        .endSpec()
        .build();
  }
}
