package dev.bellhop.operator.registration;

import static dev.bellhop.operator.registration.RegistrationSyncIT.owner;
import static dev.bellhop.operator.registration.RegistrationSyncIT.regs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bellhop.operator.testing.ConsulReader;
import dev.bellhop.testkit.consul.ConsulClusterExtension;
import dev.bellhop.testkit.consul.TestConsulCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Changes made behind the engine's back, by hand through Consul's HTTP API, on a real 3-server
 * cluster with a client agent: each is repaired through the engine's own diff, fast, and nothing it
 * does not own is touched.
 */
class ConsulDriftIT {
  @RegisterExtension
  static final ConsulClusterExtension CONSUL =
      new ConsulClusterExtension(TestConsulCluster.builder().servers(3).agents(1));

  private static TestConsulCluster consul() {
    return CONSUL.cluster();
  }

  static RegistrationSync engine(String clusterId, SimpleMeterRegistry meters) {
    return new RegistrationSync(
        new ConsulCatalog(consul().agents().get(0).httpAddress(), null, clusterId), meters);
  }

  static double repairs(SimpleMeterRegistry meters, RepairKind kind) {
    return meters.counter("bellhop.consul.repairs", "kind", kind.label()).count();
  }

  /**
   * Waits (at most {@code within}) until the assertion holds, polling every 10 ms; returns the
   * milliseconds it took.
   */
  static long restoredWithin(Duration within, Runnable assertion) {
    long start = System.nanoTime();
    await()
        .atMost(within)
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(10))
        .ignoreExceptions()
        .untilAsserted(assertion::run);
    return (System.nanoTime() - start) / 1_000_000;
  }

  /** Re-registers an instance by hand, as a script would, with one thing changed. */
  static void registerByHand(Registration r, Consumer<Map<String, Object>> change) {
    Map<String, Object> service = new java.util.LinkedHashMap<>();
    service.put("ID", r.id());
    service.put("Service", r.service());
    service.put("Address", r.address());
    service.put("Port", r.port());
    service.put("Tags", r.tags());
    service.put("Meta", r.meta());
    change.accept(service);
    consul()
        .httpPut(
            "/v1/catalog/register",
            json(
                Map.of(
                    "Node",
                    r.node(),
                    "Address",
                    r.nodeAddress(),
                    "SkipNodeUpdate",
                    true,
                    "Service",
                    service)));
  }

  static String json(Object value) {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(value);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static void assertHolds(ConsulReader reader, Registration want) {
    var have = reader.instances(want.service()).get(want.id());
    assertThat(have).as(want.id()).isNotNull();
    assertThat(have.node()).isEqualTo(want.node());
    assertThat(have.address()).isEqualTo(want.address());
    assertThat(have.port()).isEqualTo(want.port());
    assertThat(have.tags()).isEqualTo(want.tags());
    assertThat(have.meta()).isEqualTo(want.meta());
    assertThat(have.status()).isEqualTo(want.passing() ? "passing" : "critical");
  }

  /**
   * The counter moves once the repair's transaction has answered, a moment after Consul shows the
   * repair: wait for it, then require the exact count.
   */
  static void awaitRepairs(SimpleMeterRegistry meters, RepairKind kind, double count) {
    await().atMost(Duration.ofSeconds(2)).until(() -> repairs(meters, kind) >= count);
    assertThat(repairs(meters, kind)).as(kind.label()).isEqualTo(count);
  }

  @Test
  void anInstanceDeregisteredByHandIsBackWithinASecond() {
    var reader = new ConsulReader(consul());
    var meters = new SimpleMeterRegistry();
    try (var sync = engine("d1", meters)) {
      var desired = regs("d1", "ns/alpha", "d1-alpha", 3, true);
      sync.sync(owner("ns/alpha"), desired);
      Registration victim = desired.get(1);
      await().until(() -> sync.catalog().requests() > 2); // the watch is parked

      consul()
          .httpPut(
              "/v1/catalog/deregister",
              json(Map.of("Node", victim.node(), "ServiceID", victim.id())));
      long ms = restoredWithin(Duration.ofSeconds(1), () -> assertHolds(reader, victim));
      awaitRepairs(meters, RepairKind.INSTANCE_MISSING, 1);
      assertThat(reader.instances("d1-alpha")).hasSize(3);
      System.out.println("deregistered instance back after " + ms + " ms");
    }
  }

  @Test
  void tagsMetaAddressAndPortAlteredByHandAreRestored() {
    var reader = new ConsulReader(consul());
    var meters = new SimpleMeterRegistry();
    try (var sync = engine("d2", meters)) {
      var desired = regs("d2", "ns/beta", "d2-beta", 4, true);
      sync.sync(owner("ns/beta"), desired);
      List<Consumer<Map<String, Object>>> edits = new ArrayList<>();
      edits.add(s -> s.put("Tags", List.of("hacked")));
      edits.add(
          s ->
              s.put(
                  "Meta",
                  Map.of(
                      "managed-by",
                      "bellhop",
                      "bellhop-cluster",
                      "d2",
                      "k8s-namespace",
                      "ns",
                      "hotelservice",
                      "beta",
                      "k8s-pod",
                      "someone-else")));
      edits.add(s -> s.put("Address", "10.99.99.99"));
      edits.add(s -> s.put("Port", 9999));
      for (int i = 0; i < edits.size(); i++) {
        Registration victim = desired.get(i);
        registerByHand(victim, edits.get(i));
        restoredWithin(Duration.ofSeconds(2), () -> assertHolds(reader, victim));
      }
      awaitRepairs(meters, RepairKind.INSTANCE_ALTERED, 4);
    }
  }

  @Test
  void aCheckDeletedOrSetPassingWhileThePodIsUnreadyIsRestored() {
    var reader = new ConsulReader(consul());
    var meters = new SimpleMeterRegistry();
    try (var sync = engine("d3", meters)) {
      var desired = regs("d3", "ns/gamma", "d3-gamma", 2, false); // registered, unready: critical
      sync.sync(owner("ns/gamma"), desired);
      Registration victim = desired.get(0);

      consul()
          .httpPut(
              "/v1/catalog/register",
              json(
                  Map.of(
                      "Node",
                      victim.node(),
                      "Address",
                      victim.nodeAddress(),
                      "SkipNodeUpdate",
                      true,
                      "Check",
                      Map.of(
                          "CheckID",
                          victim.checkId(),
                          "Name",
                          "by hand",
                          "Status",
                          "passing",
                          "ServiceID",
                          victim.id()))));
      restoredWithin(Duration.ofSeconds(2), () -> assertHolds(reader, victim));

      consul()
          .httpPut(
              "/v1/catalog/deregister",
              json(Map.of("Node", victim.node(), "CheckID", victim.checkId())));
      restoredWithin(Duration.ofSeconds(2), () -> assertHolds(reader, victim));
      awaitRepairs(meters, RepairKind.CHECK, 2);
    }
  }

  @Test
  void aSyntheticNodeDeletedWithEverythingOnItComesBack() {
    var reader = new ConsulReader(consul());
    var meters = new SimpleMeterRegistry();
    try (var sync = engine("d4", meters)) {
      var desired = regs("d4", "ns/delta", "d4-delta", 6, true); // 3 nodes, 2 instances each
      sync.sync(owner("ns/delta"), desired);
      String node = desired.get(0).node();

      consul().httpPut("/v1/catalog/deregister", json(Map.of("Node", node)));
      restoredWithin(Duration.ofSeconds(2), () -> desired.forEach(r -> assertHolds(reader, r)));
      var nodeMeta = reader.json("/v1/catalog/node/" + node).path("Node").path("Meta");
      assertThat(nodeMeta.path("managed-by").asText()).isEqualTo("bellhop");
      assertThat(nodeMeta.path("bellhop-cluster").asText()).isEqualTo("d4");
      awaitRepairs(meters, RepairKind.NODE, 1);
    }
  }

  @Test
  void anInstanceMovedToAnotherSyntheticNodeIsPutBack() {
    var reader = new ConsulReader(consul());
    try (var sync = engine("d5", new SimpleMeterRegistry())) {
      var desired = regs("d5", "ns/eps", "d5-eps", 3, true);
      sync.sync(owner("ns/eps"), desired);
      Registration victim = desired.get(0);
      Registration elsewhere = desired.get(1);
      consul()
          .httpPut(
              "/v1/catalog/deregister",
              json(Map.of("Node", victim.node(), "ServiceID", victim.id())));
      registerByHand(
          new Registration(
              victim.owner(),
              victim.id(),
              victim.service(),
              elsewhere.node(),
              elsewhere.nodeAddress(),
              victim.address(),
              victim.port(),
              victim.tags(),
              victim.meta(),
              true),
          s -> {});

      restoredWithin(
          Duration.ofSeconds(2),
          () -> {
            assertHolds(reader, victim);
            assertThat(
                    reader
                        .json("/v1/catalog/node/" + elsewhere.node())
                        .path("Services")
                        .has(victim.id()))
                .isFalse();
          });
    }
  }

  @Test
  void foreignEntriesOnTheSameServiceAreNeverTouched() {
    var reader = new ConsulReader(consul());
    try (var sync = engine("d6", new SimpleMeterRegistry())) {
      var desired = regs("d6", "ns/zeta", "d6-zeta", 2, true);
      sync.sync(owner("ns/zeta"), desired);
      // Foreign: on a node of its own, on Bellhop's synthetic node, and one of another Bellhop
      // cluster id.
      reader.registerForeign("real-node", "zeta-by-hand", "d6-zeta", Map.of("team", "ops"));
      consul()
          .httpPut(
              "/v1/catalog/register",
              json(
                  Map.of(
                      "Node",
                      desired.get(0).node(),
                      "Address",
                      desired.get(0).nodeAddress(),
                      "SkipNodeUpdate",
                      true,
                      "Service",
                      Map.of("ID", "zeta-on-our-node", "Service", "d6-zeta", "Port", 1))));
      consul()
          .httpPut(
              "/v1/catalog/register",
              json(
                  Map.of(
                      "Node",
                      desired.get(0).node(),
                      "Address",
                      desired.get(0).nodeAddress(),
                      "SkipNodeUpdate",
                      true,
                      "Service",
                      Map.of(
                          "ID",
                          "zeta-other-bellhop",
                          "Service",
                          "d6-zeta",
                          "Port",
                          2,
                          "Meta",
                          Map.of(
                              "managed-by",
                              "bellhop",
                              "bellhop-cluster",
                              "other",
                              "k8s-namespace",
                              "ns",
                              "hotelservice",
                              "zeta")))));
      var foreign = List.of("zeta-by-hand", "zeta-on-our-node", "zeta-other-bellhop");
      var before = reader.instances("d6-zeta");

      Registration victim = desired.get(1);
      consul()
          .httpPut(
              "/v1/catalog/deregister",
              json(Map.of("Node", victim.node(), "ServiceID", victim.id())));
      restoredWithin(Duration.ofSeconds(2), () -> assertHolds(reader, victim));
      sync.readBack(); // the safety net too
      var after = reader.instances("d6-zeta");
      for (String id : foreign) {
        assertThat(after.get(id)).as(id).isEqualTo(before.get(id));
      }
    }
  }

  @Test
  void aConvergedSystemWritesNothingWhileItWatchesEvenWhenForeignChangesWakeTheWatch()
      throws Exception {
    var reader = new ConsulReader(consul());
    var meters = new SimpleMeterRegistry();
    // The safety net every second, so that the window sees it run several times.
    try (var sync =
        new RegistrationSync(
            new ConsulCatalog(consul().agents().get(0).httpAddress(), null, "d7"),
            meters,
            true,
            Duration.ofSeconds(1),
            DriftListener.NONE)) {
      for (int s = 0; s < 3; s++) {
        sync.sync(owner("ns/eta" + s), regs("d7", "ns/eta" + s, "d7-eta" + s, 5, s % 2 == 0));
      }
      double transactions = meters.counter("bellhop.consul.transactions").count();
      await()
          .until(() -> sync.catalog().requests() > 4); // the watches have read once and are parked
      // 5 s stand for the 60 s the benchmark watches (bench-sync: steady_state_writes over 60 s).
      long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      int i = 0;
      while (System.nanoTime() < end) {
        reader.registerForeign(
            "real-node", "foreign-" + i % 3, "d7-eta" + i % 3, Map.of("round", String.valueOf(i)));
        i++;
        Thread.sleep(200);
      }
      assertThat(meters.counter("bellhop.consul.transactions").count()).isEqualTo(transactions);
      for (RepairKind kind : RepairKind.values()) {
        assertThat(repairs(meters, kind)).as(kind.label()).isZero();
      }
    }
  }
}
