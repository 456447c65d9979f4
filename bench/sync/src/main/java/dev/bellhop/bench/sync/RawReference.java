package dev.bellhop.bench.sync;

import dev.bellhop.operator.crd.HotelService;
import dev.bellhop.operator.hotelservice.RegistrationPlanner;
import dev.bellhop.operator.registration.ConsulCatalog;
import dev.bellhop.operator.registration.Registration;
import dev.bellhop.operator.testing.Kube;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The same Consul writes Bellhop makes, issued straight through /v1/txn: the reference for every
 * figure. They are the registrations Bellhop's planner makes of the benchmark's pods, under another
 * cluster id (so that Bellhop leaves them alone): same IDs, meta, node layout and checks.
 */
final class RawReference {
  private static final String CLUSTER_ID = "raw";

  private RawReference() {}

  /**
   * Seconds to write and see the registrations of the benchmark's pods, sequential transactions of
   * 64, timed as Bellhop's are: from the first write until the probe, watching meanwhile, sees
   * every instance passing.
   */
  static double coldSync(String consulAddr, SyncBenchmark.ConsulProbe probe)
      throws InterruptedException {
    ConsulCatalog consul = new ConsulCatalog(consulAddr, null, CLUSTER_ID);
    List<Registration> all = new ArrayList<>();
    for (int s = 0; s < SyncBenchmark.SERVICES; s++) {
      all.addAll(planned(SyncBenchmark.hotelService(s), s));
    }
    long start = System.nanoTime();
    var writes =
        CompletableFuture.supplyAsync(
            () -> {
              writeInBatches(consul, registrationOps(all));
              return (System.nanoTime() - start) / 1e9;
            });
    probe.awaitAllPassing(
        start,
        Duration.ofMinutes(2),
        () -> "raw writes " + (writes.isDone() ? "done" : "going on"));
    double seconds = (System.nanoTime() - start) / 1e9;
    SyncBenchmark.progress(
        String.format("  written in %.2f s, all passing after %.2f s", writes.join(), seconds));

    // Leave Consul as empty as Bellhop will find it (untimed).
    deleteNodes(consul, all);
    SyncBenchmark.await(
        "raw registrations gone", Duration.ofMinutes(2), () -> probe.instances() == 0);
    return seconds;
  }

  /**
   * Single check writes, each timed from the write until Consul shows it: the readiness check of
   * one instance of a service shaped like the one Bellhop's events change (the same 100 pods), so
   * that the watch reading it costs the same.
   */
  static final class SingleWrites implements AutoCloseable {
    private final ConsulCatalog consul;
    private final SyncBenchmark.ConsulProbe probe;
    private final List<Registration> instances;
    private final Registration flipped;
    private SyncBenchmark.HealthView view;
    private boolean passing = true;

    SingleWrites(String consulAddr, SyncBenchmark.ConsulProbe probe) {
      this.consul = new ConsulCatalog(consulAddr, null, CLUSTER_ID);
      this.probe = probe;
      this.instances =
          planned(
              Kube.hotelService(
                  SyncBenchmark.NS, "raw-latency", 8080, Map.of("app", "raw-latency")),
              0);
      writeInBatches(consul, registrationOps(instances));
      this.flipped = instances.get(0);
      this.view = probe.health(flipped.service(), 0);
    }

    /** Flips the check; milliseconds until Consul shows it. */
    double next() {
      passing = !passing;
      String expected = passing ? "passing" : "critical";
      long start = System.nanoTime();
      consul.txn(List.of(ConsulCatalog.checkSet(flipped.withPassing(passing))));
      while (!expected.equals(view.status(flipped.id()))) {
        view = probe.health(flipped.service(), view.index());
      }
      return (System.nanoTime() - start) / 1e6;
    }

    @Override
    public void close() {
      deleteNodes(consul, instances);
    }
  }

  /**
   * What Bellhop's planner makes of the pods of benchmark service {@code podsOf} for {@code hs}.
   */
  private static List<Registration> planned(HotelService hs, int podsOf) {
    List<Pod> pods = new ArrayList<>();
    for (int p = 0; p < SyncBenchmark.PODS_PER_SERVICE; p++) {
      Pod pod = SyncBenchmark.pod(podsOf, p);
      pod.getMetadata().setUid(UUID.randomUUID().toString()); // the API server gives every pod one
      pods.add(pod);
    }
    return new RegistrationPlanner(CLUSTER_ID).desired(hs, pods, Map.of());
  }

  /** Each node once, then every service with its check. */
  private static List<Map<String, Object>> registrationOps(List<Registration> registrations) {
    List<Map<String, Object>> ops = new ArrayList<>();
    nodes(registrations)
        .forEach((node, address) -> ops.add(ConsulCatalog.nodeSet(node, address, CLUSTER_ID)));
    for (Registration r : registrations) {
      ops.add(ConsulCatalog.serviceSet(r));
      ops.add(ConsulCatalog.checkSet(r));
    }
    return ops;
  }

  /**
   * Deleting a node deletes its services and checks with it. Untimed, one node at a time, and
   * retried: on a loaded machine a transaction deleting all 20 nodes (10,000 instances) outlasted
   * the client's 15 s timeout; a delete is idempotent.
   */
  private static void deleteNodes(ConsulCatalog consul, List<Registration> registrations) {
    for (String node : nodes(registrations).keySet()) {
      for (int attempt = 1; ; attempt++) {
        try {
          consul.txn(
              List.of(Map.of("Node", Map.of("Verb", "delete", "Node", Map.of("Node", node)))));
          break;
        } catch (dev.bellhop.operator.registration.ConsulUnavailableException e) {
          if (attempt == 5) {
            throw e;
          }
          SyncBenchmark.progress("  deleting " + node + " again: " + e.getMessage());
        }
      }
    }
  }

  private static Map<String, String> nodes(List<Registration> registrations) {
    Map<String, String> addresses = new LinkedHashMap<>();
    registrations.forEach(r -> addresses.putIfAbsent(r.node(), r.nodeAddress()));
    return addresses;
  }

  static void writeInBatches(ConsulCatalog consul, List<Map<String, Object>> ops) {
    for (int i = 0; i < ops.size(); i += ConsulCatalog.MAX_TXN_OPS) {
      consul.txn(ops.subList(i, Math.min(ops.size(), i + ConsulCatalog.MAX_TXN_OPS)));
    }
  }
}
