package dev.bellhop.operator.hotelservice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bellhop.operator.BellhopOperator;
import dev.bellhop.operator.OperatorConfig;
import dev.bellhop.operator.crd.Conditions;
import dev.bellhop.operator.testing.ConsulReader;
import dev.bellhop.operator.testing.Kube;
import dev.bellhop.operator.testing.MockCluster;
import dev.bellhop.testkit.consul.ConsulClusterExtension;
import dev.bellhop.testkit.consul.TestConsulCluster;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Consul outages, leader loss, operator restarts and a shared Consul: Bellhop converges and touches
 * nothing it does not own.
 */
class OperatorFaultsIT {
  @RegisterExtension
  static final ConsulClusterExtension CONSUL =
      new ConsulClusterExtension(TestConsulCluster.builder().servers(3).agents(1));

  private static TestConsulCluster consul() {
    return CONSUL.cluster();
  }

  private static BellhopOperator operator(MockCluster cluster, String clusterId) {
    return BellhopOperator.start(
        cluster.client(),
        new OperatorConfig(
            consul().agents().get(0).httpAddress(), null, clusterId, Set.of(), -1, null));
  }

  private static void awaitConsul(Runnable assertion) {
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .pollInterval(Duration.ofMillis(50))
        .untilAsserted(assertion::run);
  }

  private static double counter(BellhopOperator operator, String name) {
    return operator.meters().counter(name).count();
  }

  @Test
  void unreachableConsulIsReportedAndRegistrationConvergesWhenItReturns() {
    var reader = new ConsulReader(consul());
    try (var cluster = new MockCluster();
        var operator = operator(cluster, "outage")) {
      var kube = cluster.kube();
      kube.create(Kube.hotelService("outage", "geo", 8082, Map.of("app", "geo")));
      kube.create(Kube.pod("outage", "geo-1", Map.of("app", "geo"), "node-a", "10.10.0.1", true));
      awaitConsul(
          () -> assertThat(reader.instances("geo")).containsKey("outage:outage:geo:geo-1:8082"));

      var agent = consul().agents().get(0);
      consul().kill(agent);
      kube.create(Kube.pod("outage", "geo-2", Map.of("app", "geo"), "node-b", "10.10.0.2", true));
      await()
          .atMost(Duration.ofSeconds(20))
          .ignoreExceptions()
          .untilAsserted(
              () -> {
                var registered =
                    Conditions.find(
                        kube.get("outage", "geo").getStatus().getConditions(),
                        Conditions.REGISTERED);
                assertThat(registered)
                    .hasValueSatisfying(
                        c -> {
                          assertThat(c.getStatus()).isEqualTo("False");
                          assertThat(c.getReason()).isEqualTo("ConsulUnavailable");
                        });
              });
      assertThat(kube.client().v1().events().inNamespace("outage").list().getItems())
          .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("ConsulUnavailable"));

      consul().startNode(agent);
      awaitConsul(
          () ->
              assertThat(reader.instances("geo"))
                  .containsKeys("outage:outage:geo:geo-1:8082", "outage:outage:geo:geo-2:8082"));
      await()
          .atMost(Duration.ofSeconds(20))
          .ignoreExceptions()
          .until(
              () ->
                  Conditions.isTrue(
                      kube.get("outage", "geo").getStatus().getConditions(),
                      Conditions.REGISTERED));
    }
  }

  @Test
  void convergesWhenTheConsulLeaderIsKilledDuringChurn() throws Exception {
    var reader = new ConsulReader(consul());
    try (var cluster = new MockCluster();
        var operator = operator(cluster, "churn")) {
      var kube = cluster.kube();
      kube.create(Kube.hotelService("churn", "rate", 8084, Map.of("app", "rate")));
      for (int i = 0; i < 10; i++) {
        kube.create(
            Kube.pod(
                "churn",
                "rate-" + i,
                Map.of("app", "rate"),
                "node-" + i % 3,
                "10.11.0." + i,
                true));
      }
      awaitConsul(() -> assertThat(reader.instances("rate")).hasSize(10));

      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger flips = new AtomicInteger();
      Thread churn =
          new Thread(
              () -> {
                while (!stop.get()) {
                  int i = flips.getAndIncrement() % 10;
                  kube.setReady("churn", "rate-" + i, flips.get() % 20 >= 10);
                }
              });
      churn.start();
      var leader = consul().leader();
      consul().kill(leader);
      consul().awaitLeader(Duration.ofSeconds(30));
      await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> flips.get() > 40);
      stop.set(true);
      churn.join();
      consul().startNode(leader);

      for (int i = 0; i < 10; i++) {
        kube.setReady("churn", "rate-" + i, i % 2 == 0);
      }
      awaitConsul(
          () -> {
            var instances = reader.instances("rate");
            assertThat(instances).hasSize(10);
            for (int i = 0; i < 10; i++) {
              assertThat(instances.get("churn:churn:rate:rate-" + i + ":8084").status())
                  .isEqualTo(i % 2 == 0 ? "passing" : "critical");
            }
          });
    }
  }

  @Test
  void aRestartedOperatorRemovesStaleEntriesTouchesNothingForeignAndWritesNothingWhenConverged()
      throws Exception {
    var reader = new ConsulReader(consul());
    reader.registerForeign("real-node", "profile-by-hand", "profile", Map.of("team", "ops"));
    try (var cluster = new MockCluster()) {
      var kube = cluster.kube();
      kube.create(Kube.hotelService("restart", "profile", 8083, Map.of("app", "profile")));
      kube.create(Kube.hotelService("restart", "doomed", 8086, Map.of("app", "doomed")));
      for (int i = 0; i < 6; i++) {
        kube.create(
            Kube.pod(
                "restart",
                "profile-" + i,
                Map.of("app", "profile"),
                "node-a",
                "10.12.0." + i,
                true));
      }
      kube.create(
          Kube.pod("restart", "doomed-1", Map.of("app", "doomed"), "node-a", "10.12.1.1", true));
      try (var first = operator(cluster, "restart")) {
        awaitConsul(() -> assertThat(reader.instances("profile")).hasSize(7));
        awaitConsul(() -> assertThat(reader.instances("doomed")).hasSize(1));
      }

      // While Bellhop is down: two pods go, one comes, a HotelService is deleted outright
      // (its finalizer stripped by hand, so no cleanup ran).
      for (String gone : new String[] {"profile-4", "profile-5"}) {
        kube.finishTermination("restart", gone);
        kube.client().pods().inNamespace("restart").withName(gone).delete();
      }
      kube.create(
          Kube.pod("restart", "profile-6", Map.of("app", "profile"), "node-b", "10.12.0.6", true));
      kube.client()
          .resources(dev.bellhop.operator.crd.HotelService.class)
          .inNamespace("restart")
          .withName("doomed")
          .edit(
              hs -> {
                hs.getMetadata().setFinalizers(java.util.List.of());
                return hs;
              });
      kube.client()
          .resources(dev.bellhop.operator.crd.HotelService.class)
          .inNamespace("restart")
          .withName("doomed")
          .delete();

      // Entries of live pods must never disappear, not even for a moment while caches sync.
      Set<String> survivors =
          Set.of(
              "restart:restart:profile:profile-0:8083", "restart:restart:profile:profile-3:8083");
      AtomicBoolean watching = new AtomicBoolean(true);
      AtomicBoolean survivorMissing = new AtomicBoolean();
      Thread watcher =
          new Thread(
              () -> {
                while (watching.get()) {
                  if (!reader.instances("profile").keySet().containsAll(survivors)) {
                    survivorMissing.set(true);
                  }
                }
              });
      watcher.start();
      try (var second = operator(cluster, "restart")) {
        awaitConsul(
            () ->
                assertThat(reader.instances("profile").keySet())
                    .containsExactlyInAnyOrder(
                        "profile-by-hand",
                        "restart:restart:profile:profile-0:8083",
                        "restart:restart:profile:profile-1:8083",
                        "restart:restart:profile:profile-2:8083",
                        "restart:restart:profile:profile-3:8083",
                        "restart:restart:profile:profile-6:8083"));
        awaitConsul(() -> assertThat(reader.instances("doomed")).isEmpty());
      } finally {
        watching.set(false);
        watcher.join();
      }
      assertThat(survivorMissing).as("a live pod's entry vanished during restart").isFalse();
      assertThat(reader.instances("profile").get("profile-by-hand").meta())
          .containsEntry("team", "ops");

      // Converged: a third start reads Consul back and writes nothing.
      try (var third = operator(cluster, "restart")) {
        await()
            .atMost(Duration.ofSeconds(20))
            .ignoreExceptions()
            .until(() -> counter(third, "bellhop.consul.syncs") >= 1);
        Thread.sleep(300); // give a stray write the chance to show
        assertThat(counter(third, "bellhop.consul.transactions")).isZero();
      }
    }
  }

  @Test
  void twoOperatorsWithDifferentClusterIdsShareOneConsul() {
    var reader = new ConsulReader(consul());
    try (var east = new MockCluster();
        var west = new MockCluster();
        var eastOp = operator(east, "east");
        var westOp = operator(west, "west")) {
      for (MockCluster c : new MockCluster[] {east, west}) {
        c.kube().create(Kube.hotelService("shop", "hotel", 8085, Map.of("app", "hotel")));
        c.kube()
            .create(
                Kube.pod("shop", "hotel-1", Map.of("app", "hotel"), "node-a", "10.13.0.1", true));
      }
      awaitConsul(
          () ->
              assertThat(reader.instances("hotel"))
                  .containsOnlyKeys(
                      "east:shop:hotel:hotel-1:8085", "west:shop:hotel:hotel-1:8085"));
      assertThat(reader.instances("hotel").get("east:shop:hotel:hotel-1:8085").node())
          .isEqualTo("bellhop-east-node-a");

      east.kube().terminate("shop", "hotel-1");
      awaitConsul(
          () ->
              assertThat(reader.instances("hotel"))
                  .containsOnlyKeys("west:shop:hotel:hotel-1:8085"));
      east.kube()
          .client()
          .resources(dev.bellhop.operator.crd.HotelService.class)
          .inNamespace("shop")
          .withName("hotel")
          .delete();
      await()
          .atMost(Duration.ofSeconds(10))
          .ignoreExceptions()
          .until(() -> east.kube().get("shop", "hotel") == null);
      assertThat(reader.instances("hotel")).containsOnlyKeys("west:shop:hotel:hotel-1:8085");
    }
  }

  @Test
  void withLeaderElectionOnlyTheLeaderWritesAndAFollowerTakesOver() {
    var reader = new ConsulReader(consul());
    OperatorConfig config =
        new OperatorConfig(
            consul().agents().get(0).httpAddress(), null, "ha", Set.of(), -1, "default");
    try (var cluster = new MockCluster()) {
      var kube = cluster.kube();
      kube.create(Kube.hotelService("ha", "auth", 8081, Map.of("app", "auth")));
      kube.create(Kube.pod("ha", "auth-1", Map.of("app", "auth"), "node-a", "10.14.0.1", true));
      var first = BellhopOperator.start(cluster.client(), config);
      var second = BellhopOperator.start(cluster.client(), config);
      try {
        awaitConsul(
            () -> assertThat(reader.instances("auth")).containsKey("ha:ha:auth:auth-1:8081"));
        BellhopOperator leader = counter(first, "bellhop.consul.syncs") > 0 ? first : second;
        BellhopOperator follower = leader == first ? second : first;
        assertThat(counter(follower, "bellhop.consul.syncs")).as("the follower wrote").isZero();

        leader.close();
        kube.create(Kube.pod("ha", "auth-2", Map.of("app", "auth"), "node-b", "10.14.0.2", true));
        await()
            .atMost(Duration.ofSeconds(45))
            .ignoreExceptions()
            .pollInterval(Duration.ofMillis(200))
            .untilAsserted(
                () -> assertThat(reader.instances("auth")).containsKey("ha:ha:auth:auth-2:8081"));
        assertThat(counter(follower, "bellhop.consul.syncs")).isPositive();
      } finally {
        first.close();
        second.close();
      }
    }
  }
}
