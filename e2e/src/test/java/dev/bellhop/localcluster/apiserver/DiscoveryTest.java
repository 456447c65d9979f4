package dev.bellhop.localcluster.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local API server answers discovery as kubectl needs it: built-in kinds, and CRDs once stored.
 */
class DiscoveryTest {
  @TempDir Path dir;

  @Test
  void servesBuiltInKindsAndStoredCrds() throws IOException {
    try (ApiServer api = ApiServer.start("127.0.0.1", 0, dir.resolve("kubeconfig"))) {
      var client = api.client();
      assertThat(client.getApiResources("v1").getResources())
          .extracting(APIResource::getName)
          .contains("pods", "pods/status", "nodes")
          .doesNotContain("configmaps/status");
      // kubectl get all: the workloads and Services, as kube-apiserver categorizes them.
      assertThat(client.getApiResources("v1").getResources())
          .filteredOn(r -> r.getCategories() != null && r.getCategories().contains("all"))
          .extracting(APIResource::getName)
          .containsExactlyInAnyOrder("pods", "services");
      assertThat(client.getApiResources("apps/v1").getResources())
          .filteredOn(r -> r.getCategories() != null && r.getCategories().contains("all"))
          .extracting(APIResource::getName)
          .containsExactlyInAnyOrder("daemonsets", "deployments", "replicasets", "statefulsets");
      assertThat(client.getApiGroups().getGroups())
          .extracting(g -> g.getName())
          .doesNotContain("bellhop.dev");

      try (var files = Files.list(repoRoot().resolve("crds"))) {
        for (Path file :
            files
                .filter(f -> f.toString().endsWith(".yml") || f.toString().endsWith(".yaml"))
                .toList()) {
          try (InputStream in = Files.newInputStream(file)) {
            for (HasMetadata crd : client.load(in).items()) {
              client.resource(crd).create();
            }
          }
        }
      }

      assertThat(client.getApiGroups().getGroups())
          .extracting(g -> g.getName())
          .contains("apps", "bellhop.dev");
      APIResource hs =
          client.getApiResources("bellhop.dev/v1alpha1").getResources().stream()
              .filter(r -> r.getName().equals("hotelservices"))
              .findFirst()
              .orElseThrow();
      assertThat(hs.getKind()).isEqualTo("HotelService");
      assertThat(hs.getNamespaced()).isTrue();
      assertThat(hs.getShortNames()).contains("hs");
      // Generic clients find the plural through it, as kubectl does.
      assertThat(
              client
                  .genericKubernetesResources("bellhop.dev/v1alpha1", "HotelService")
                  .inNamespace("x")
                  .list()
                  .getItems())
          .isEmpty();

      client
          .apiextensions()
          .v1()
          .customResourceDefinitions()
          .withName("hotelservices.bellhop.dev")
          .delete();
      assertThat(client.getApiResources("bellhop.dev/v1alpha1").getResources())
          .extracting(APIResource::getName)
          .doesNotContain("hotelservices");
    }
  }

  static Path repoRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (!dir.resolve("crds").toFile().isDirectory()) {
      dir = dir.getParent();
    }
    return dir;
  }
}
