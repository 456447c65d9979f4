package dev.bellhop.operator.registration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.bellhop.operator.testing.ConsulReader;
import dev.bellhop.testkit.consul.ConsulClusterExtension;
import dev.bellhop.testkit.consul.TestConsulCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The sync engine alone against a real 3-server Consul cluster, with a client agent in front. */
class RegistrationSyncIT {
  @RegisterExtension
  static final ConsulClusterExtension CONSUL =
      new ConsulClusterExtension(TestConsulCluster.builder().servers(3).agents(1));

  private static TestConsulCluster consul() {
    return CONSUL.cluster();
  }

  private static String agent() {
    return consul().agents().get(0).httpAddress();
  }

  private static RegistrationSync engine(String clusterId, SimpleMeterRegistry meters) {
    return new RegistrationSync(new ConsulCatalog(agent(), null, clusterId), meters);
  }

  /** The owner "namespace/name" names. */
  static Owner owner(String namespaceAndName) {
    String[] o = namespaceAndName.split("/");
    return new Owner(o[0], o[1]);
  }

  static Registration reg(String cluster, String owner, String service, int i, boolean passing) {
    String[] o = owner.split("/");
    Map<String, String> meta =
        new HashMap<>(
            Map.of(
                InstanceMeta.MANAGED_BY,
                InstanceMeta.MANAGED_BY_VALUE,
                InstanceMeta.CLUSTER,
                cluster,
                InstanceMeta.NAMESPACE,
                o[0],
                InstanceMeta.HOTELSERVICE,
                o[1],
                InstanceMeta.POD,
                "pod-" + i));
    return new Registration(
        owner(owner),
        cluster + ":" + o[0] + ":" + o[1] + ":pod-" + i + ":80",
        service,
        "node-" + (i % 3) + "-bellhop-" + cluster,
        "127.0.0." + (i % 3 + 1),
        "10.0.0." + i,
        80,
        List.of("v1"),
        meta,
        passing);
  }

  static List<Registration> regs(
      String cluster, String owner, String service, int n, boolean passing) {
    return IntStream.range(0, n).mapToObj(i -> reg(cluster, owner, service, i, passing)).toList();
  }

  @Test
  void writesTheDesiredSetAndNothingWhenConsulAlreadyMatches() {
    var meters = new SimpleMeterRegistry();
    var reader = new ConsulReader(consul());
    try (var sync = engine("c1", meters)) {
      var desired = regs("c1", "ns/alpha", "alpha", 5, true);
      assertThat(sync.sync(owner("ns/alpha"), desired).writes()).isPositive();
      var instances = reader.instances("alpha");
      assertThat(instances).hasSize(5);
      assertThat(instances.values())
          .allSatisfy(
              i -> {
                assertThat(i.status()).isEqualTo("passing");
                assertThat(i.meta())
                    .containsEntry("managed-by", "bellhop")
                    .containsEntry("bellhop-cluster", "c1");
                assertThat(i.tags()).containsExactly("v1");
              });
      var before = reader.instances("alpha");
      double txns = meters.counter("bellhop.consul.transactions").count();

      assertThat(sync.sync(owner("ns/alpha"), desired).writes()).isZero();
      assertThat(meters.counter("bellhop.consul.transactions").count()).isEqualTo(txns);
      assertThat(reader.instances("alpha")).isEqualTo(before);
    }
  }

  @Test
  void readinessChangeWritesOnlyTheCheckAndRemovalDeregisters() {
    var reader = new ConsulReader(consul());
    try (var sync = engine("c1", new SimpleMeterRegistry())) {
      var desired = new ArrayList<>(regs("c1", "ns/beta", "beta", 3, true));
      sync.sync(owner("ns/beta"), desired);
      long serviceIndex = reader.instances("beta").get(desired.get(1).id()).modifyIndex();

      desired.set(1, desired.get(1).withPassing(false));
      assertThat(sync.sync(owner("ns/beta"), desired).writes()).isEqualTo(1);
      var after = reader.instances("beta");
      assertThat(after.get(desired.get(1).id()).status()).isEqualTo("critical");
      assertThat(after.get(desired.get(0).id()).status()).isEqualTo("passing");
      assertThat(after.get(desired.get(1).id()).modifyIndex()).isGreaterThan(serviceIndex);

      desired.remove(2);
      sync.sync(owner("ns/beta"), desired);
      assertThat(reader.instances("beta"))
          .containsOnlyKeys(desired.get(0).id(), desired.get(1).id());

      sync.sync(owner("ns/beta"), List.of());
      assertThat(reader.instances("beta")).isEmpty();
    }
  }

  @Test
  void neverTouchesEntriesItDoesNotOwn() {
    var reader = new ConsulReader(consul());
    reader.registerForeign("real-node", "gamma-by-hand", "gamma", Map.of("owner", "someone"));
    reader.registerForeign(
        "real-node",
        "gamma-other-bellhop",
        "gamma",
        Map.of(
            "managed-by",
            "bellhop",
            "bellhop-cluster",
            "other",
            "k8s-namespace",
            "ns",
            "hotelservice",
            "gamma"));
    try (var sync = engine("c1", new SimpleMeterRegistry())) {
      sync.sync(owner("ns/gamma"), regs("c1", "ns/gamma", "gamma", 2, true));
      sync.sync(owner("ns/gamma"), List.of());
      sync.removeOrphans(owner -> false);
    }
    assertThat(reader.instances("gamma")).containsOnlyKeys("gamma-by-hand", "gamma-other-bellhop");
  }

  @Test
  void aRestartedEngineReadsConsulBackWritesNothingForAConvergedStateAndRemovesStaleEntries() {
    var reader = new ConsulReader(consul());
    var all = regs("c2", "ns/delta", "delta", 10, true);
    try (var first = engine("c2", new SimpleMeterRegistry())) {
      first.sync(owner("ns/delta"), all);
      first.sync(owner("ns/gone"), regs("c2", "ns/gone", "gone", 3, true));
    }
    var meters = new SimpleMeterRegistry();
    try (var second = engine("c2", meters)) {
      assertThat(second.sync(owner("ns/delta"), all).writes()).isZero();
      assertThat(meters.counter("bellhop.consul.transactions").count()).isZero();

      // Pods deleted while Bellhop was down: the new desired set lacks them.
      assertThat(second.sync(owner("ns/delta"), all.subList(0, 7)).writes()).isEqualTo(3);
      assertThat(reader.instances("delta")).hasSize(7);

      assertThat(second.removeOrphans(owner -> owner.toString().equals("ns/delta"))).isEqualTo(3);
      assertThat(reader.instances("gone")).isEmpty();
      assertThat(reader.instances("delta")).hasSize(7);
    }
  }

  @Test
  void concurrentChangesAreGroupCommittedIntoTransactionsOfAtMost64Operations() {
    var meters = new SimpleMeterRegistry();
    var reader = new ConsulReader(consul());
    try (var sync = engine("c3", meters)) {
      List<CompletableFuture<RegistrationSync.SyncResult>> calls = new ArrayList<>();
      for (int s = 0; s < 20; s++) {
        String owner = "ns/svc" + s;
        calls.add(
            CompletableFuture.supplyAsync(
                () -> sync.sync(owner(owner), regs("c3", owner, "epsilon", 25, true))));
      }
      // 500 instances: 1,000 service and check operations plus 3 nodes, each node written once
      // however many of the concurrent syncs needed it.
      assertThat(calls.stream().mapToInt(c -> c.join().writes()).sum()).isEqualTo(1003);
      assertThat(reader.instances("epsilon")).hasSize(500);
      double txns = meters.counter("bellhop.consul.transactions").count();
      assertThat(txns).isGreaterThanOrEqualTo(Math.ceil(1003 / 64.0)).isLessThan(40);
    }
  }

  @Test
  void unreachableConsulIsReportedAsUnavailable() {
    try (var sync =
        new RegistrationSync(
            new ConsulCatalog("127.0.0.1:1", null, "c1"), new SimpleMeterRegistry())) {
      assertThatThrownBy(() -> sync.sync(owner("ns/x"), regs("c1", "ns/x", "x", 1, true)))
          .isInstanceOf(ConsulUnavailableException.class);
    }
  }

  @Test
  void convergesWhenTheLeaderIsKilledDuringChurn() throws Exception {
    var reader = new ConsulReader(consul());
    try (var sync = engine("c4", new SimpleMeterRegistry())) {
      AtomicBoolean stop = new AtomicBoolean();
      List<Throwable> failures = new ArrayList<>();
      Thread churn =
          new Thread(
              () -> {
                int round = 0;
                while (!stop.get()) {
                  int n = 5 + (round++ % 10);
                  try {
                    sync.sync(owner("ns/zeta"), regs("c4", "ns/zeta", "zeta", n, round % 2 == 0));
                  } catch (ConsulUnavailableException | ConsulRejectedException e) {
                    synchronized (failures) {
                      failures.add(e);
                    }
                  }
                }
              });
      churn.start();
      await()
          .atMost(Duration.ofSeconds(10))
          .ignoreExceptions()
          .until(() -> !reader.instances("zeta").isEmpty());
      var leader = consul().leader();
      consul().kill(leader);
      consul().awaitLeader(Duration.ofSeconds(30));
      Thread.sleep(500); // let the churn run on the new leader for a moment
      stop.set(true);
      churn.join();
      consul().restart(leader);

      var finalSet = regs("c4", "ns/zeta", "zeta", 8, true);
      await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .untilAsserted(() -> sync.sync(owner("ns/zeta"), finalSet));
      assertThat(reader.instances("zeta"))
          .hasSize(8)
          .allSatisfy((id, i) -> assertThat(i.status()).isEqualTo("passing"));
      assertThat(sync.sync(owner("ns/zeta"), finalSet).writes()).isZero();
    }
  }
}
