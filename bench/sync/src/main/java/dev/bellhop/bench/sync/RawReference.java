package dev.bellhop.bench.sync;

import dev.bellhop.operator.registration.ConsulCatalog;
import dev.bellhop.operator.registration.Registration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The same Consul writes Bellhop makes, issued straight through /v1/txn: the reference for every figure. */
final class RawReference {
  private RawReference() {}

  static Registration registration(String service, String id, String node, String address, boolean passing) {
    return new Registration("raw/" + service, id, service, node, "127.0.0.1", address, 8080, List.of(),
        Map.of("managed-by", "raw-reference"), passing);
  }

  /** Seconds to write and see {@code services × pods} registrations, sequential transactions of 64. */
  static double coldSync(String consulAddr, SyncBenchmark.ConsulProbe probe, int services, int pods, int nodes)
      throws InterruptedException {
    ConsulCatalog consul = new ConsulCatalog(consulAddr, null, "raw");
    List<Registration> all = new ArrayList<>();
    for (int s = 0; s < services; s++) {
      for (int p = 0; p < pods; p++) {
        int n = s * pods + p;
        all.add(registration("svc-" + s, "raw:svc-" + s + "-" + p, "node-" + n % nodes + "-raw", "10.0.0.1", true));
      }
    }
    List<Map<String, Object>> ops = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      ops.add(ConsulCatalog.nodeSet("node-" + i + "-raw", "127.0.0.1", "raw"));
    }
    for (Registration r : all) {
      ops.add(ConsulCatalog.serviceSet(r));
      ops.add(ConsulCatalog.checkSet(r));
    }
    long start = System.nanoTime();
    writeInBatches(consul, ops);
    SyncBenchmark.await("raw registrations", Duration.ofMinutes(2), () -> probe.passingInstances() >= all.size());
    double seconds = (System.nanoTime() - start) / 1e9;

    // Leave Consul as empty as Bellhop will find it (untimed).
    List<Map<String, Object>> deletes = new ArrayList<>();
    all.forEach(r -> deletes.add(ConsulCatalog.serviceDelete(r)));
    for (int i = 0; i < nodes; i++) {
      deletes.add(Map.of("Node", Map.of("Verb", "delete", "Node", Map.of("Node", "node-" + i + "-raw"))));
    }
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
