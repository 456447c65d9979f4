package dev.bellhop.localcluster.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.bellhop.localcluster.apiserver.ApiServer;
import dev.bellhop.localcluster.apiserver.admission.AdmissionPlugins;
import dev.bellhop.localcluster.apiserver.admission.OwnerReferencesPermissionEnforcement.ResourceMapper;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built-in rules and the garbage collector as clients meet them: through the local API server's
 * front (on a free port), with fabric8 as the operator and the cluster's parts use it.
 */
class BuiltInRulesThroughTheFrontTest {
  @TempDir static Path dir;
  static ApiServer api;
  static KubernetesClient client;
  static GarbageCollector gc;

  @BeforeAll
  static void start() {
    AtomicReference<ApiServer> server = new AtomicReference<>();
    api =
        ApiServer.start(
            "127.0.0.1",
            0,
            dir.resolve("kubeconfig"),
            chain ->
                AdmissionPlugins.builtIn(
                        (user, request) -> chain.authorizer().authorize(user, request),
                        namespace -> {
                          var ns = server.get().client().namespaces().withName(namespace).get();
                          return ns == null || ns.getMetadata().getLabels() == null
                              ? Map.of()
                              : ns.getMetadata().getLabels();
                        },
                        ResourceMapper::guess)
                    .forEach(chain::admit));
    server.set(api);
    client = api.client();
    client
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName("demo")
                .addToLabels("pod-security.kubernetes.io/enforce", "restricted")
                .endMetadata()
                .build())
        .create();
    gc = new GarbageCollector(client);
    gc.start(() -> {});
  }

  @AfterAll
  static void stop() {
    if (gc != null) {
      gc.close();
    }
    api.close();
  }

  @Test
  void aPlainPodIsForbiddenInARestrictedNamespaceAndAHardenedOneIsNot() {
    var plain =
        new PodBuilder()
            .withNewMetadata()
            .withName("plain")
            .withNamespace("demo")
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("app")
            .withImage("geo")
            .endContainer()
            .endSpec()
            .build();
    assertThatThrownBy(() -> client.pods().resource(plain).create())
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(403);
              assertThat(e.getStatus().getMessage())
                  .startsWith(
                      "pods \"plain\" is forbidden: violates PodSecurity "
                          + "\"restricted:latest\": allowPrivilegeEscalation != false");
            });
    var hardened =
        new PodBuilder(plain)
            .editMetadata()
            .withName("hardened")
            .endMetadata()
            .editSpec()
            .withNewSecurityContext()
            .withRunAsNonRoot(true)
            .withNewSeccompProfile()
            .withType("RuntimeDefault")
            .endSeccompProfile()
            .endSecurityContext()
            .editFirstContainer()
            .withNewSecurityContext()
            .withAllowPrivilegeEscalation(false)
            .withNewCapabilities()
            .withDrop("ALL")
            .endCapabilities()
            .endSecurityContext()
            .endContainer()
            .endSpec()
            .build();
    assertThat(client.pods().resource(hardened).create().getMetadata().getUid()).isNotEmpty();
  }

  @Test
  void aUiServiceSwitchedToClusterIpMustDropItsNodePort() {
    Service nodePort =
        client
            .services()
            .resource(
                new ServiceBuilder()
                    .withNewMetadata()
                    .withName("consul-ui")
                    .withNamespace("demo")
                    .endMetadata()
                    .withNewSpec()
                    .withType("NodePort")
                    .addNewPort()
                    .withName("http")
                    .withPort(80)
                    .withTargetPort(new IntOrString(8500))
                    .withNodePort(30850)
                    .endPort()
                    .endSpec()
                    .build())
            .create();
    Service oldBehaviour =
        new ServiceBuilder(nodePort).editSpec().withType("ClusterIP").endSpec().build();
    assertThatThrownBy(() -> client.services().resource(oldBehaviour).update())
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(422);
              assertThat(e.getStatus().getMessage())
                  .isEqualTo(
                      "Service \"consul-ui\" is invalid: spec.ports[0].nodePort: "
                          + "Forbidden: may not be used when `type` is 'ClusterIP'");
            });
    Service fixed =
        new ServiceBuilder(nodePort)
            .editSpec()
            .withType("ClusterIP")
            .editFirstPort()
            .withNodePort(null)
            .endPort()
            .endSpec()
            .build();
    assertThat(client.services().resource(fixed).update().getSpec().getType())
        .isEqualTo("ClusterIP");
  }

  @Test
  void foregroundDeletionWaitsForBlockingDependents() {
    Deployment owner = owner("hotel");
    client
        .configMaps()
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("hotel-slow")
                .withNamespace("demo")
                .withOwnerReferences(ref(owner, true))
                .withFinalizers("test.bellhop.dev/hold")
                .endMetadata()
                .build())
        .create();
    client
        .apps()
        .deployments()
        .resource(owner)
        .withPropagationPolicy(DeletionPropagation.FOREGROUND)
        .delete();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              gc.sync();
              var slow = client.configMaps().inNamespace("demo").withName("hotel-slow").get();
              return slow.getMetadata().getDeletionTimestamp() != null;
            });
    gc.sync();
    Deployment waiting = client.apps().deployments().inNamespace("demo").withName("hotel").get();
    assertThat(waiting.getMetadata().getFinalizers()).contains("foregroundDeletion");

    client
        .configMaps()
        .inNamespace("demo")
        .withName("hotel-slow")
        .edit(
            c -> {
              c.getMetadata().setFinalizers(List.of());
              return c;
            });
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              gc.sync();
              return client.apps().deployments().inNamespace("demo").withName("hotel").get()
                  == null;
            });
  }

  @Test
  void backgroundAndOrphanDeletion() {
    Deployment geo = owner("geo");
    Deployment rate = owner("rate");
    dependent("geo-config", geo);
    dependent("rate-config", rate);
    client
        .apps()
        .deployments()
        .resource(geo)
        .withPropagationPolicy(DeletionPropagation.BACKGROUND)
        .delete();
    client
        .apps()
        .deployments()
        .resource(rate)
        .withPropagationPolicy(DeletionPropagation.ORPHAN)
        .delete();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              gc.sync();
              return client.configMaps().inNamespace("demo").withName("geo-config").get() == null
                  && client.apps().deployments().inNamespace("demo").withName("rate").get() == null;
            });
    var orphan = client.configMaps().inNamespace("demo").withName("rate-config").get();
    assertThat(orphan.getMetadata().getOwnerReferences()).isNullOrEmpty();
  }

  private static Deployment owner(String name) {
    return client
        .apps()
        .deployments()
        .resource(
            new DeploymentBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("demo")
                .endMetadata()
                .withNewSpec()
                .withReplicas(0)
                .withNewSelector()
                .addToMatchLabels("app", name)
                .endSelector()
                .endSpec()
                .build())
        .create();
  }

  private static void dependent(String name, Deployment owner) {
    client
        .configMaps()
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("demo")
                .withOwnerReferences(ref(owner, true))
                .endMetadata()
                .build())
        .create();
  }

  private static OwnerReference ref(Deployment owner, boolean block) {
    return new OwnerReferenceBuilder()
        .withApiVersion("apps/v1")
        .withKind("Deployment")
        .withName(owner.getMetadata().getName())
        .withUid(owner.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(block)
        .build();
  }
}
