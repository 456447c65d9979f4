package dev.bellhop.bench.sync;

import dev.bellhop.operator.testing.Kube;
import java.time.Duration;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Single-pod events through Bellhop, one at a time: unready, ready, terminating in turn. Each is
 * timed from the Kubernetes API accepting the change to Consul showing it, watched with a blocking
 * query.
 */
final class EventLatency {
  private static final String SERVICE = "svc-0";
  private final Kube kube;
  private final SyncBenchmark.ConsulProbe probe;

  EventLatency(Kube kube, SyncBenchmark.ConsulProbe probe) {
    this.kube = kube;
    this.probe = probe;
  }

  /** Latencies of {@code events} events; {@code afterEach} runs after each, untimed. */
  double[] measure(int events, IntConsumer afterEach) throws InterruptedException {
    double[] latencies = new double[events];
    var view = probe.health(SERVICE, 0);
    for (int i = 0; i < events; i++) {
      String pod = SERVICE + "-" + (i / 3) % SyncBenchmark.PODS_PER_SERVICE;
      String id =
          SyncBenchmark.CLUSTER_ID + ":" + SyncBenchmark.NS + ":" + SERVICE + ":" + pod + ":8080";
      String expected;
      switch (i % 3) {
        case 0 -> {
          kube.setReady(SyncBenchmark.NS, pod, false);
          expected = "critical";
        }
        case 1 -> {
          kube.setReady(SyncBenchmark.NS, pod, true);
          expected = "passing";
        }
        default -> {
          kube.terminate(SyncBenchmark.NS, pod);
          expected = "absent";
        }
      }
      // The change is committed when the API call returns: from there on, the time is Bellhop's
      // (watch delivery, reconcile, its Consul write). The mock's own request time is not.
      long start = System.nanoTime();
      while (!expected.equals(view.status(id))) {
        view = probe.health(SERVICE, view.index());
      }
      latencies[i] = (System.nanoTime() - start) / 1e6;
      if (expected.equals("absent")) {
        view = replace(pod, id, view); // untimed: the pod's successor, ready
      }
      afterEach.accept(i);
      if ((i + 1) % 250 == 0) {
        SyncBenchmark.progress("  " + (i + 1) + " events");
      }
    }
    return latencies;
  }

  private SyncBenchmark.HealthView replace(String pod, String id, SyncBenchmark.HealthView view)
      throws InterruptedException {
    kube.finishTermination(SyncBenchmark.NS, pod);
    SyncBenchmark.await(
        "pod removal",
        Duration.ofSeconds(30),
        () -> kube.client().pods().inNamespace(SyncBenchmark.NS).withName(pod).get() == null);
    kube.create(
        Kube.pod(SyncBenchmark.NS, pod, Map.of("app", SERVICE), "node-0", "10.200.0.1", true));
    while (!"passing".equals(view.status(id))) {
      view = probe.health(SERVICE, view.index());
    }
    return view;
  }
}
