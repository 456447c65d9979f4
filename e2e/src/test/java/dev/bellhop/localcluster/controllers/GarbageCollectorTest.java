package dev.bellhop.localcluster.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bellhop.testkit.kube.MockApiServer;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The three deletion modes through ownerReferences, against the mock API server (which keeps an
 * object carrying finalizers, with a deletionTimestamp, until they are removed, as kube does).
 */
@EnableKubernetesMockClient(crud = true)
class GarbageCollectorTest {
  static {
    MockApiServer.quietLogs();
  }

  KubernetesClient client;
  GarbageCollector gc;

  @BeforeEach
  void start() {
    gc = new GarbageCollector(client);
    gc.start(() -> {});
  }

  @AfterEach
  void stop() {
    gc.close();
  }

  @Test
  void backgroundDeletesDependentsWhoseEveryOwnerIsGone() {
    Deployment owner = owner("geo", List.of());
    Deployment other = owner("other", List.of());
    dependent("geo-config", List.of(ref(owner, false)), List.of());
    dependent("shared", List.of(ref(owner, false), ref(other, false)), List.of());
    dependent("unowned", List.of(), List.of());
    settle();
    assertThat(configMaps()).containsExactlyInAnyOrder("geo-config", "shared", "unowned");

    client.resource(owner).delete();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              gc.sync();
              return !configMaps().contains("geo-config");
            });
    // An object with a live owner left stays, without the reference to the gone one.
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              gc.sync();
              return refs("shared").size() == 1;
            });
    assertThat(refs("shared"))
        .extracting(OwnerReference::getUid)
        .containsExactly(other.getMetadata().getUid());
    assertThat(configMaps()).containsExactlyInAnyOrder("shared", "unowned");
  }

  @Test
  void foregroundKeepsTheOwnerUntilBlockingDependentsAreGone() {
    Deployment owner = owner("hotel", List.of(GarbageCollector.FOREGROUND));
    // A blocking dependent that takes its time to go (a finalizer of its own), and a non-blocking
    // one.
    dependent("slow", List.of(ref(owner, true)), List.of("test.bellhop.dev/hold"));
    dependent("quick", List.of(ref(owner, false)), List.of());
    settle();

    client.resource(owner).delete();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              gc.sync();
              ConfigMap slow = client.configMaps().inNamespace("demo").withName("slow").get();
              return !configMaps().contains("quick")
                  && slow.getMetadata().getDeletionTimestamp() != null;
            });
    for (int i = 0; i < 5; i++) {
      gc.sync();
    }
    Deployment waiting = client.apps().deployments().inNamespace("demo").withName("hotel").get();
    assertThat(waiting).as("owner waits for its blocking dependent").isNotNull();
    assertThat(waiting.getMetadata().getDeletionTimestamp()).isNotNull();

    client
        .configMaps()
        .inNamespace("demo")
        .withName("slow")
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
  void orphanRemovesTheOwnerFromItsDependentsThenTheFinalizer() {
    Deployment owner = owner("profile", List.of(GarbageCollector.ORPHAN));
    Deployment other = owner("keeper", List.of());
    dependent("profile-a", List.of(ref(owner, true)), List.of());
    dependent("profile-b", List.of(ref(owner, false), ref(other, false)), List.of());
    settle();

    client.resource(owner).delete();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              gc.sync();
              return client.apps().deployments().inNamespace("demo").withName("profile").get()
                  == null;
            });
    for (int i = 0; i < 5; i++) {
      gc.sync();
    }
    assertThat(configMaps()).contains("profile-a", "profile-b");
    assertThat(refs("profile-a")).isEmpty();
    assertThat(refs("profile-b"))
        .extracting(OwnerReference::getUid)
        .containsExactly(other.getMetadata().getUid());
  }

  /**
   * Lets the informers see what the test created: a pass with nothing to do must change nothing.
   */
  private void settle() {
    await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ofMillis(300)).until(() -> true);
    gc.sync();
  }

  private Deployment owner(String name, List<String> finalizers) {
    return client
        .apps()
        .deployments()
        .resource(
            new DeploymentBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("demo")
                .withFinalizers(finalizers)
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

  private void dependent(String name, List<OwnerReference> refs, List<String> finalizers) {
    client
        .configMaps()
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("demo")
                .withOwnerReferences(refs)
                .withFinalizers(finalizers)
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

  private List<String> configMaps() {
    List<String> names = new ArrayList<>();
    client
        .configMaps()
        .inNamespace("demo")
        .list()
        .getItems()
        .forEach(c -> names.add(c.getMetadata().getName()));
    return names;
  }

  private List<OwnerReference> refs(String configMap) {
    List<OwnerReference> refs =
        client
            .configMaps()
            .inNamespace("demo")
            .withName(configMap)
            .get()
            .getMetadata()
            .getOwnerReferences();
    return refs == null ? List.of() : refs;
  }
}
