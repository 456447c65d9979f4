package dev.bellhop.localcluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bellhop.localcluster.apiserver.ApiServer;
import dev.bellhop.localcluster.apiserver.validation.CustomResourceValidation;
import dev.bellhop.localcluster.clients.Clients;
import dev.bellhop.localcluster.kubelet.ContainerLog;
import dev.bellhop.localcluster.kubelet.Kubelet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local API server with the local cluster's stages, driven by the real kubectl and Helm ({@code
 * make tools}) on a free port: no nodes, no Consul, so it runs beside anything else.
 */
class ApiServerClientsTest {
  @TempDir static Path state;

  private static ApiServer api;
  private static Clients clients;

  @BeforeAll
  static void start() {
    Path root = repoRoot();
    Path kubeconfig = state.resolve("kubeconfig");
    api =
        ApiServer.start(
            "127.0.0.1",
            0,
            kubeconfig,
            chain -> {
              chain.admit(CustomResourceValidation.create(() -> api.client()));
              LocalCluster.endpointsAndViews(chain, state);
            });
    clients = new Clients(root, kubeconfig, state);
  }

  @AfterAll
  static void stop() {
    if (api != null) {
      api.close();
    }
  }

  private static String kubectl(String... args) {
    return clients.kubectl(args).orThrow();
  }

  @Test
  void kubectlAppliesCrdsWithValidationAndPrintsTheirColumns() throws Exception {
    assertThat(kubectl("apply", "-f", "crds/")).contains("hotelservices.bellhop.dev created");
    assertThat(kubectl("apply", "-f", "crds/")).contains("hotelservices.bellhop.dev unchanged");
    kubectl("create", "namespace", "bellhop");
    Path hs =
        Files.writeString(
            state.resolve("hs.yaml"),
            """
        apiVersion: bellhop.dev/v1alpha1
        kind: HotelService
        metadata: {name: geo, namespace: bellhop}
        spec: {image: bellhop/geo, port: 8082, replicas: 2}
        """);
    assertThat(kubectl("apply", "-f", hs.toString()))
        .contains("hotelservice.bellhop.dev/geo created");
    // What the schema forbids is refused by kubectl apply, the field named, and nothing is stored.
    Path bad =
        Files.writeString(
            state.resolve("bad-hs.yaml"),
            """
        apiVersion: bellhop.dev/v1alpha1
        kind: HotelService
        metadata: {name: rate, namespace: bellhop}
        spec: {image: bellhop/rate, port: 8084, replicas: 3000000000}
        """);
    var refused = clients.kubectl("apply", "-f", bad.toString());
    assertThat(refused.ok()).as(refused.out()).isFalse();
    assertThat(refused.err()).contains("spec.replicas");
    assertThat(clients.kubectl("get", "hs", "rate", "-n", "bellhop").ok()).isFalse();
    List<String> lines = kubectl("get", "hs").lines().toList();
    assertThat(lines.get(0))
        .contains("NAME", "READY", "REGISTERED", "AGE")
        .doesNotContain("CONSUL SERVICE");
    assertThat(lines.get(1)).startsWith("geo ");
    assertThat(kubectl("get", "hs", "-o", "wide").lines().findFirst().orElseThrow())
        .contains("CONSUL SERVICE");
    assertThat(kubectl("get", "ns").lines().findFirst().orElseThrow())
        .contains("NAME", "STATUS", "AGE");
  }

  @Test
  void kubectlLogsReadsTheKubeletsFiles() throws Exception {
    kubectl("create", "namespace", "logs");
    Path pod =
        Files.writeString(
            state.resolve("pod.yaml"),
            """
        apiVersion: v1
        kind: Pod
        metadata: {name: geo-1, namespace: logs}
        spec: {containers: [{name: geo, image: bellhop/geo}]}
        """);
    kubectl("apply", "-f", pod.toString());
    String uid = kubectl("-n", "logs", "get", "pod", "geo-1", "-o", "jsonpath={.metadata.uid}");
    Path dir = Files.createDirectories(Kubelet.podDir(state, "logs", "geo-1", uid));
    Files.writeString(
        ContainerLog.current(dir, "geo"),
        """
        2026-12-04T11:50:00.000000001Z stdout F first
        2026-12-04T11:50:01.000000001Z stdout F ts=x level=INFO service=geo msg="ready"
        """);
    assertThat(kubectl("-n", "logs", "logs", "geo-1"))
        .isEqualTo("first\nts=x level=INFO service=geo msg=\"ready\"\n");
    assertThat(kubectl("-n", "logs", "logs", "geo-1", "--tail=1", "--timestamps"))
        .isEqualTo("2026-12-04T11:50:01.000000001Z ts=x level=INFO service=geo msg=\"ready\"\n");
    Clients.Result previous = clients.kubectl("-n", "logs", "logs", "geo-1", "--previous");
    assertThat(previous.exitCode()).isNotZero();
    assertThat(previous.err())
        .contains("previous terminated container \"geo\" in pod \"geo-1\" not found");
    assertThat(kubectl("-n", "logs", "get", "pods").lines().findFirst().orElseThrow())
        .contains("NAME", "READY", "STATUS", "RESTARTS", "AGE");
  }

  private static Path repoRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("crds"))) {
      dir = dir.getParent();
    }
    return dir;
  }
}
