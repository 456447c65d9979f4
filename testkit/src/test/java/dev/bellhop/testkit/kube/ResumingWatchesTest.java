package dev.bellhop.testkit.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Watches on the testkit's mock API server behave like a real API server's: they resume from the
 * version asked for.
 */
class ResumingWatchesTest {
  private static KubernetesMockServer server;
  private static KubernetesClient client;

  @BeforeAll
  static void start() {
    server = MockApiServer.crud(new HashMap<>());
    server.init();
    client = server.createClient();
  }

  @AfterAll
  static void stop() {
    client.close();
    server.destroy();
  }

  @Test
  void aWatchFromTheListsVersionSeesOnlyLaterChanges() throws Exception {
    create("resume", "a");
    create("resume", "b");
    String listed = client.pods().inNamespace("resume").list().getMetadata().getResourceVersion();
    List<String> seen = new CopyOnWriteArrayList<>();
    try (Watch ignored =
        client
            .pods()
            .inNamespace("resume")
            .watch(new ListOptionsBuilder().withResourceVersion(listed).build(), recorder(seen))) {
      create("resume", "c");
      client
          .pods()
          .inNamespace("resume")
          .withName("a")
          .edit(
              p ->
                  new PodBuilder(p)
                      .editMetadata()
                      .addToLabels("changed", "yes")
                      .endMetadata()
                      .build());
      client.pods().inNamespace("resume").withName("b").delete();
      awaitSize(seen, 3);
    }
    assertThat(seen).containsExactly("ADDED c", "MODIFIED a", "DELETED b");
  }

  @Test
  void aWatchWithoutVersionStartsWithEveryObject() throws Exception {
    create("all", "x");
    create("all", "y");
    List<String> seen = new CopyOnWriteArrayList<>();
    try (Watch ignored = client.pods().inNamespace("all").watch(recorder(seen))) {
      awaitSize(seen, 2);
    }
    assertThat(seen).containsExactlyInAnyOrder("ADDED x", "ADDED y");
  }

  @Test
  void onlyWatchRequestsCarryAStartingVersion() {
    assertThat(ResumingWatches.watchedFrom("/api/v1/pods?resourceVersion=42&watch=true"))
        .isEqualTo(42);
    assertThat(ResumingWatches.watchedFrom("/api/v1/pods?watch=true&resourceVersion=0")).isZero();
    assertThat(ResumingWatches.watchedFrom("/api/v1/pods?watch=true")).isZero();
    assertThat(ResumingWatches.watchedFrom("/api/v1/pods?resourceVersion=42")).isZero();
    assertThat(ResumingWatches.watchedFrom("/api/v1/pods")).isZero();
  }

  private static void create(String namespace, String name) {
    client
        .pods()
        .inNamespace(namespace)
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(namespace)
                .endMetadata()
                .build())
        .create();
  }

  private static Watcher<Pod> recorder(List<String> seen) {
    return new Watcher<>() {
      @Override
      public void eventReceived(Action action, Pod pod) {
        seen.add(action + " " + pod.getMetadata().getName());
      }

      @Override
      public void onClose(WatcherException cause) {}
    };
  }

  /** Waits for the events, then a little longer: a late replayed ADDED would arrive within it. */
  private static void awaitSize(List<String> seen, int size) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (seen.size() < size && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    Thread.sleep(300);
  }
}
