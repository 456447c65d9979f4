package dev.bellhop.operator.hotelservice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bellhop.operator.crd.Conditions;
import dev.bellhop.operator.crd.HotelService;
import dev.bellhop.operator.crd.HotelServiceStatus;
import dev.bellhop.operator.testing.Kube;
import dev.bellhop.operator.testing.MockCluster;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The status writer against the mock API server: what lands on the HotelService, and how often. */
class StatusWriterTest {
  static MockCluster cluster;
  static StatusWriter writer;

  @BeforeAll
  static void start() {
    cluster = new MockCluster();
    writer = new StatusWriter(cluster.client(), Duration.ofSeconds(1));
  }

  @AfterAll
  static void stop() {
    writer.close();
    cluster.close();
  }

  private static HotelServiceStatus status(HotelServiceStatus base, int ready, boolean isReady) {
    HotelServiceStatus s = new HotelServiceStatus();
    s.setObservedGeneration(1L);
    s.setReadyEndpoints(ready);
    s.setConditions(
        Conditions.set(
            base == null ? null : base.getConditions(),
            Conditions.READY,
            isReady,
            isReady ? "EndpointsReady" : "WaitingForEndpoints",
            ready + " of 1 endpoint(s) ready",
            1L,
            Clock.systemUTC()));
    return s;
  }

  private static HotelServiceStatus stored(String ns, String name) {
    return cluster.kube().get(ns, name).getStatus();
  }

  @Test
  void aConditionChangeIsWrittenAtOnceAndReplacesTheConditions() {
    HotelService hs = cluster.kube().create(Kube.hotelService("sw", "a", 80, Map.of("app", "a")));
    HotelServiceStatus waiting = status(null, 0, false);
    writer.submit(hs, waiting);
    await().atMost(Duration.ofSeconds(5)).until(() -> waiting.equals(stored("sw", "a")));

    HotelServiceStatus ready = status(writer.current(hs), 2, true);
    writer.submit(hs, ready);
    // At once, though the previous write was just now: the Ready condition changed.
    await().atMost(Duration.ofMillis(800)).until(() -> ready.equals(stored("sw", "a")));
    assertThat(stored("sw", "a").getConditions())
        .singleElement()
        .satisfies(c -> assertThat(c.getStatus()).isEqualTo("True"));
    assertThat(writer.current(hs)).isEqualTo(ready);
  }

  @Test
  void countChangesWithinTheIntervalCoalesceIntoOneWriteOfTheNewest() throws Exception {
    HotelService hs = cluster.kube().create(Kube.hotelService("sw", "b", 80, Map.of("app", "b")));
    HotelServiceStatus first = status(null, 1, true);
    writer.submit(hs, first);
    await().atMost(Duration.ofSeconds(5)).until(() -> first.equals(stored("sw", "b")));

    List<HotelServiceStatus> seen = new CopyOnWriteArrayList<>();
    try (var watch =
        cluster
            .client()
            .resources(HotelService.class)
            .inNamespace("sw")
            .withName("b")
            .watch(
                new Watcher<>() {
                  @Override
                  public void eventReceived(Action action, HotelService resource) {
                    if (action == Action.MODIFIED) {
                      seen.add(resource.getStatus());
                    }
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                })) {
      HotelServiceStatus last = first;
      for (int ready = 2; ready <= 10; ready++) {
        last = status(writer.current(hs), ready, true);
        writer.submit(hs, last);
      }
      HotelServiceStatus newest = last;
      await().atMost(Duration.ofSeconds(5)).until(() -> newest.equals(stored("sw", "b")));
      Thread.sleep(1_500); // nothing older may follow
      assertThat(stored("sw", "b")).isEqualTo(newest);
      assertThat(seen).as("status writes").hasSize(1).containsExactly(newest);
    }
  }

  @Test
  void aHotelServiceThatIsGoneIsForgottenAndOthersCarryOn() {
    HotelService gone =
        cluster.kube().create(Kube.hotelService("sw", "gone", 80, Map.of("app", "gone")));
    cluster.client().resource(gone).delete();
    await().atMost(Duration.ofSeconds(5)).until(() -> cluster.kube().get("sw", "gone") == null);
    writer.submit(gone, status(null, 1, true));

    HotelService other =
        cluster.kube().create(Kube.hotelService("sw", "c", 80, Map.of("app", "c")));
    HotelServiceStatus s = status(null, 1, true);
    writer.submit(other, s);
    await().atMost(Duration.ofSeconds(5)).until(() -> s.equals(stored("sw", "c")));
    assertThat(cluster.kube().get("sw", "gone")).isNull();
  }
}
