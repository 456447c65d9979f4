package dev.bellhop.bench.sync;

import dev.bellhop.operator.hotelservice.RegistrationPlanner;
import dev.bellhop.operator.registration.ConsulCatalog;
import dev.bellhop.operator.registration.Registration;
import java.time.Duration;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The same Consul writes Bellhop makes, issued straight through /v1/txn: the reference for every figure. */
final class RawReference {
  private RawReference() {}

  static Registration registration(String service, String id, String node, String address, boolean passing) {
    return new Registration("raw/" + service, id, service, node, "127.0.0.1", address, 8080, List.of(),
        Map.of("managed-by", "raw-reference"), passing);
  }

  /**
   * Seconds to write and see the registrations of the benchmark's pods, sequential transactions
   * of 64. They are the registrations Bellhop writes for the same pods (its planner, run here under
   * another cluster id, so that Bellhop leaves them alone): same IDs, meta, nodes and checks.
   */
  static double coldSync(String consulAddr, SyncBenchmark.ConsulProbe probe) throws InterruptedException {
    ConsulCatalog consul = new ConsulCatalog(consulAddr, null, "raw");
    RegistrationPlanner planner = new RegistrationPlanner("raw");
    List<Registration> all = new ArrayList<>();
    for (int s = 0; s < SyncBenchmark.SERVICES; s++) {
      List<Pod> podsOfService = new ArrayList<>();
      for (int p = 0; p < SyncBenchmark.PODS_PER_SERVICE; p++) {
        Pod pod = SyncBenchmark.pod(s, p);
        pod.getMetadata().setUid(UUID.randomUUID().toString()); // the API server gives every pod one
        podsOfService.add(pod);
      }
      all.addAll(planner.desired(SyncBenchmark.hotelService(s), podsOfService, Map.of()));
    }
    Map<String, String> nodeAddresses = new LinkedHashMap<>();
    all.forEach(r -> nodeAddresses.putIfAbsent(r.node(), r.nodeAddress()));
    List<Map<String, Object>> ops = new ArrayList<>();
    nodeAddresses.forEach((node, address) -> ops.add(ConsulCatalog.nodeSet(node, address, "raw")));
    for (Registration r : all) {
      ops.add(ConsulCatalog.serviceSet(r));
      ops.add(ConsulCatalog.checkSet(r));
    }
    long start = System.nanoTime();
    writeInBatches(consul, ops);
    double written = (System.nanoTime() - start) / 1e9;
    SyncBenchmark.await("raw registrations", Duration.ofMinutes(2), () -> probe.passingInstances() >= all.size());
    double seconds = (System.nanoTime() - start) / 1e9;
    SyncBenchmark.progress(String.format("  written in %.2f s, all passing after %.2f s", written, seconds));

    // Leave Consul as empty as Bellhop will find it (untimed).
    List<Map<String, Object>> deletes = new ArrayList<>();
    all.forEach(r -> deletes.add(ConsulCatalog.serviceDelete(r)));
    nodeAddresses.keySet().forEach(node -> deletes.add(Map.of("Node", Map.of("Verb", "delete", "Node", Map.of("Node", node)))));
    writeInBatches(consul, deletes);
    SyncBenchmark.await("raw registrations gone", Duration.ofMinutes(2), () -> probe.instances() == 0);
    return seconds;
  }

  /** Milliseconds from a single check write to Consul showing it, {@code n} times. */
  static double[] singleWriteLatencies(String consulAddr, SyncBenchmark.ConsulProbe probe, int n) {
    ConsulCatalog consul = new ConsulCatalog(consulAddr, null, "raw");
    Registration r = registration("raw-latency", "raw-latency-1", "raw-latency-node", "10.0.0.1", true);
    consul.txn(List.of(ConsulCatalog.nodeSet("raw-latency-node", "127.0.0.1", "raw"), ConsulCatalog.serviceSet(r),
        ConsulCatalog.checkSet(r)));
    double[] latencies = new double[n];
    var view = probe.health("raw-latency", 0);
    for (int i = 0; i < n; i++) {
      boolean passing = i % 2 == 1;
      String expected = passing ? "passing" : "critical";
      long start = System.nanoTime();
      consul.txn(List.of(ConsulCatalog.checkSet(registration("raw-latency", r.id(), r.node(), "10.0.0.1", passing))));
      while (!expected.equals(view.status(r.id()))) {
        view = probe.health("raw-latency", view.index());
      }
      latencies[i] = (System.nanoTime() - start) / 1e6;
    }
    consul.txn(List.of(ConsulCatalog.serviceDelete(r),
        Map.of("Node", Map.of("Verb", "delete", "Node", Map.of("Node", "raw-latency-node")))));
    return latencies;
  }

  static void writeInBatches(ConsulCatalog consul, List<Map<String, Object>> ops) {
    for (int i = 0; i < ops.size(); i += ConsulCatalog.MAX_TXN_OPS) {
      consul.txn(ops.subList(i, Math.min(ops.size(), i + ConsulCatalog.MAX_TXN_OPS)));
    }
  }
}
