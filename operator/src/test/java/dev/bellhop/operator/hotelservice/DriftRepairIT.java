package dev.bellhop.operator.hotelservice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bellhop.operator.BellhopOperator;
import dev.bellhop.operator.OperatorConfig;
import dev.bellhop.operator.crd.Conditions;
import dev.bellhop.operator.crd.HotelService;
import dev.bellhop.operator.testing.ConsulReader;
import dev.bellhop.operator.testing.Kube;
import dev.bellhop.operator.testing.MockCluster;
import dev.bellhop.testkit.consul.ConsulClusterExtension;
import dev.bellhop.testkit.consul.TestConsulCluster;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole operator: a geo instance deregistered by hand comes back, and status, metric and Events
 * tell it.
 */
class DriftRepairIT {
  @RegisterExtension
  static final ConsulClusterExtension CONSUL =
      new ConsulClusterExtension(TestConsulCluster.builder().servers(3).agents(1));

  private static final String GEO_1 = "drift:drift:geo:geo-1:8082";

  @Test
  void anInstanceDeregisteredByHandIsBackAndStatusMetricAndEventsSaySo() {
    var consul = CONSUL.cluster();
    var reader = new ConsulReader(consul);
    try (var cluster = new MockCluster();
        var operator =
            BellhopOperator.start(
                cluster.client(),
                new OperatorConfig(
                    consul.agents().get(0).httpAddress(), null, "drift", Set.of(), -1, null))) {
      var kube = cluster.kube();
      kube.create(Kube.hotelService("drift", "geo", 8082, Map.of("app", "geo")));
      kube.create(Kube.pod("drift", "geo-1", Map.of("app", "geo"), "node-a", "10.20.0.1", true));
      kube.create(Kube.pod("drift", "geo-2", Map.of("app", "geo"), "node-b", "10.20.0.2", true));
      await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .untilAsserted(
              () -> {
                assertThat(reader.instances("geo")).hasSize(2);
                assertThat(kube.get("drift", "geo").getStatus().getRegisteredEndpoints())
                    .isEqualTo(2);
              });
      List<String> reasons = new CopyOnWriteArrayList<>();
      var watch =
          kube.client()
              .resources(HotelService.class)
              .inNamespace("drift")
              .withName("geo")
              .watch(
                  new Watcher<HotelService>() {
                    @Override
                    public void eventReceived(Action action, HotelService hs) {
                      if (hs.getStatus() != null) {
                        Conditions.find(hs.getStatus().getConditions(), Conditions.REGISTERED)
                            .ifPresent(
                                c ->
                                    reasons.add(
                                        c.getReason()
                                            + ":"
                                            + c.getMessage()
                                            + ":"
                                            + hs.getStatus().getRegisteredEndpoints()));
                      }
                    }

                    @Override
                    public void onClose(WatcherException cause) {}
                  });
      try {
        var geo1 = reader.instances("geo").get(GEO_1);
        consul.httpPut(
            "/v1/catalog/deregister",
            "{\"Node\":\"" + geo1.node() + "\",\"ServiceID\":\"" + GEO_1 + "\"}");
        await()
            .atMost(Duration.ofSeconds(1))
            .pollDelay(Duration.ZERO)
            .pollInterval(Duration.ofMillis(10))
            .ignoreExceptions()
            .until(() -> reader.instances("geo").containsKey(GEO_1));

        await()
            .atMost(Duration.ofSeconds(10))
            .untilAsserted(
                () -> {
                  // Registered said so while Consul lacked it (naming the instance and counting
                  // what Consul held),
                  // then went back to InSync.
                  assertThat(reasons)
                      .anySatisfy(
                          r -> assertThat(r).startsWith("Drifted:").contains(GEO_1).endsWith(":1"));
                  assertThat(reasons.get(reasons.size() - 1)).startsWith("InSync:").endsWith(":2");
                });
        var firstRepair =
            operator.meters().counter("bellhop.consul.repairs", "kind", "instance_missing");
        await().atMost(Duration.ofSeconds(2)).until(() -> firstRepair.count() >= 1);
        assertThat(firstRepair.count()).isEqualTo(1);
        await()
            .atMost(Duration.ofSeconds(5))
            .untilAsserted(
                () ->
                    assertThat(kube.client().v1().events().inNamespace("drift").list().getItems())
                        .anySatisfy(
                            e -> {
                              assertThat(e.getReason()).isEqualTo("Repaired");
                              assertThat(e.getMessage())
                                  .contains("instance_missing")
                                  .contains(GEO_1);
                            }));

        // A burst: ten repairs within the event window make one more Event, not ten.
        for (int i = 0; i < 10; i++) {
          consul.httpPut(
              "/v1/catalog/deregister",
              "{\"Node\":\"" + geo1.node() + "\",\"ServiceID\":\"" + GEO_1 + "\"}");
          await()
              .atMost(Duration.ofSeconds(2))
              .pollInterval(Duration.ofMillis(10))
              .ignoreExceptions()
              .until(() -> reader.instances("geo").containsKey(GEO_1));
        }
        // The counter moves once a repair's transaction has answered, a moment after Consul shows
        // it.
        var repairs =
            operator.meters().counter("bellhop.consul.repairs", "kind", "instance_missing");
        await().atMost(Duration.ofSeconds(2)).until(() -> repairs.count() >= 11);
        assertThat(repairs.count()).isEqualTo(11);
        await()
            .atMost(DriftReporter.EVENT_WINDOW.plusSeconds(5))
            .untilAsserted(
                () ->
                    assertThat(kube.client().v1().events().inNamespace("drift").list().getItems())
                        .filteredOn(e -> "Repaired".equals(e.getReason()))
                        .hasSize(2)
                        .anySatisfy(e -> assertThat(e.getMessage()).contains("10 repairs")));
        assertThat(kube.get("drift", "geo").getStatus().getRegisteredEndpoints()).isEqualTo(2);
      } finally {
        watch.close();
      }
    }
  }
}
