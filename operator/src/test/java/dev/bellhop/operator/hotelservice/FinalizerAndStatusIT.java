package dev.bellhop.operator.hotelservice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bellhop.operator.OperatorConfig;
import dev.bellhop.operator.crd.Conditions;
import dev.bellhop.operator.crd.HotelService;
import dev.bellhop.operator.crd.HotelServiceStatus;
import dev.bellhop.operator.testing.ConsulReader;
import dev.bellhop.operator.testing.Kube;
import dev.bellhop.operator.testing.RunningOperator;
import dev.bellhop.testkit.consul.ConsulClusterExtension;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The finalizer comes after the first Consul write, not before it; status is written off the event
 * path: what users see of both, in Consul and on the HotelService.
 */
class FinalizerAndStatusIT {
  @RegisterExtension static final ConsulClusterExtension CONSUL = new ConsulClusterExtension(1);

  static RunningOperator running;
  static Kube kube;
  static ConsulReader consul;

  @BeforeAll
  static void start() {
    running =
        RunningOperator.start(
            new OperatorConfig(CONSUL.cluster().httpAddress(), null, "fs", Set.of(), -1, null));
    kube = running.kube();
    consul = new ConsulReader(CONSUL.cluster());
  }

  @AfterAll
  static void stop() {
    RunningOperator.close(running);
  }

  private static void awaitConsul(Runnable assertion) {
    await()
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .pollInterval(Duration.ofMillis(50))
        .untilAsserted(assertion::run);
  }

  @Test
  void registrationDoesNotWaitForTheFinalizerAndADeletionBeforeItStillDeregisters() {
    // The API server refuses every change to this HotelService's metadata: no finalizer can be
    // added.
    running
        .cluster()
        .server()
        .expect()
        .patch()
        .withPath("/apis/bellhop.dev/v1alpha1/namespaces/nofin/hotelservices/geo")
        .andReturn(403, "forbidden by the test")
        .always();
    var hs = kube.create(Kube.hotelService("nofin", "geo", 8082, Map.of("app", "geo")));
    kube.create(Kube.pod("nofin", "geo-1", Map.of("app", "geo"), "node-a", "10.30.0.1", true));
    kube.create(Kube.pod("nofin", "geo-2", Map.of("app", "geo"), "node-b", "10.30.0.2", true));

    awaitConsul(
        () ->
            assertThat(consul.instances("geo"))
                .containsOnlyKeys("fs:nofin:geo:geo-1:8082", "fs:nofin:geo:geo-2:8082"));
    await()
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .until(
            () ->
                Conditions.isTrue(
                    kube.get("nofin", "geo").getStatus().getConditions(), Conditions.REGISTERED));
    assertThat(kube.get("nofin", "geo").getMetadata().getFinalizers()).isNullOrEmpty();

    // Without a finalizer the API server removes it at once; the delete event still deregisters.
    kube.client().resource(hs).delete();
    await().atMost(Duration.ofSeconds(10)).until(() -> kube.get("nofin", "geo") == null);
    awaitConsul(() -> assertThat(consul.instances("geo")).isEmpty());
  }

  @Test
  void theFinalizerFollowsTheFirstRegistrationAndDeletionWaitsForDeregistration() {
    kube.create(Kube.hotelService("fin", "rate", 8084, Map.of("app", "rate")));
    kube.create(Kube.pod("fin", "rate-1", Map.of("app", "rate"), "node-a", "10.31.0.1", true));
    awaitConsul(
        () -> assertThat(consul.instances("rate")).containsOnlyKeys("fs:fin:rate:rate-1:8084"));
    await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .untilAsserted(
            () ->
                assertThat(kube.get("fin", "rate").getMetadata().getFinalizers())
                    .containsExactly(HotelServiceReconciler.FINALIZER));

    kube.client().resources(HotelService.class).inNamespace("fin").withName("rate").delete();
    awaitConsul(() -> assertThat(consul.instances("rate")).isEmpty());
    await().atMost(Duration.ofSeconds(10)).until(() -> kube.get("fin", "rate") == null);
  }

  @Test
  void statusFollowsABurstOfPodEventsInFewWritesAndEndsRight() {
    int pods = 8;
    kube.create(Kube.hotelService("burst", "auth", 8081, Map.of("app", "auth")));
    for (int i = 0; i < pods; i++) {
      kube.create(
          Kube.pod("burst", "auth-" + i, Map.of("app", "auth"), "node-a", "10.32.0." + i, true));
    }
    await()
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              HotelServiceStatus status = kube.get("burst", "auth").getStatus();
              assertThat(status.getReadyEndpoints()).isEqualTo(pods);
              assertThat(status.getRegisteredEndpoints()).isEqualTo(pods);
              assertThat(Conditions.isTrue(status.getConditions(), Conditions.READY)).isTrue();
            });

    // Every status the API server stores from here on.
    List<HotelServiceStatus> written = new CopyOnWriteArrayList<>();
    try (var watch =
        kube.client()
            .resources(HotelService.class)
            .inNamespace("burst")
            .withName("auth")
            .watch(
                new Watcher<>() {
                  @Override
                  public void eventReceived(Action action, HotelService hs) {
                    if (written.isEmpty()
                        || !Objects.equals(written.get(written.size() - 1), hs.getStatus())) {
                      written.add(hs.getStatus());
                    }
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                })) {
      long start = System.nanoTime();
      for (int i = 0; i < pods; i++) {
        kube.setReady("burst", "auth-" + i, false);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      awaitConsul(
          () ->
              assertThat(consul.instances("auth").values())
                  .hasSize(pods)
                  .allSatisfy(i -> assertThat(i.status()).isEqualTo("critical")));

      await()
          .atMost(Duration.ofSeconds(10))
          .ignoreExceptions()
          .untilAsserted(
              () -> {
                HotelServiceStatus status = kube.get("burst", "auth").getStatus();
                assertThat(status.getReadyEndpoints()).isZero();
                assertThat(status.getRegisteredEndpoints()).isEqualTo(pods);
                var ready = Conditions.find(status.getConditions(), Conditions.READY).orElseThrow();
                assertThat(ready.getStatus()).isEqualTo("False");
                assertThat(ready.getReason()).isEqualTo("WaitingForEndpoints");
                assertThat(ready.getMessage()).isEqualTo("0 of 1 endpoint(s) ready");
                assertThat(Conditions.isTrue(status.getConditions(), Conditions.REGISTERED))
                    .isTrue();
              });
      Thread.sleep(1_500); // a late, stale write would show here
      assertThat(kube.get("burst", "auth").getStatus().getReadyEndpoints()).isZero();
      // Counts alone at most once a second, plus the Ready condition's change at once.
      assertThat(written.size())
          .as("status writes during %.1f s: %s", seconds, written)
          .isLessThanOrEqualTo((int) Math.ceil(seconds) + 3)
          .isLessThan(pods);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
