package dev.bellhop.bench.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bellhop.operator.BellhopOperator;
import dev.bellhop.operator.OperatorConfig;
import dev.bellhop.operator.crd.HotelService;
import dev.bellhop.operator.testing.Kube;
import dev.bellhop.testkit.consul.TestConsulCluster;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Bellhop's Consul sync against references measured in the same run, on 3 real Consul servers and
 * the mock API server:
 *
 * <ol>
 *   <li>cold sync of 10,000 ready pods (100 HotelServices, 20 nodes) vs. writing the same
 *       registrations straight through /v1/txn in batches of 64;
 *   <li>1,000 single-pod events: event-to-Consul latency vs. a raw single write;
 *   <li>200 tamperings of Bellhop's instances through Consul's API: time to repair vs. the raw
 *       single write, then Bellhop's Consul requests and writes over 60 s with nothing changing;
 *   <li>Consul writes of an operator restarted on a converged state;
 *   <li>the operator's heap after a full GC with 10,000 pods cached (a separate JVM).
 * </ol>
 */
public final class SyncBenchmark {
  static final int SERVICES = 100;
  static final int PODS_PER_SERVICE = 100;
  static final int NODES = 20;
  static final int EVENTS = 1_000;
  static final int RAW_WRITES = 300;
  static final int TAMPERINGS = 200;
  static final Duration IDLE = Duration.ofSeconds(60);
  static final String NS = "bench";
  static final String CLUSTER_ID = "bench";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, Object> results = new LinkedHashMap<>();
  private final TestConsulCluster consul;
  private final MockApiServer k8s;
  private final Kube kube;
  private final ConsulProbe probe;

  private SyncBenchmark(TestConsulCluster consul, MockApiServer k8s) {
    this.consul = consul;
    this.k8s = k8s;
    this.kube = new Kube(k8s.client());
    this.probe = new ConsulProbe(consul.servers().get(0).httpUrl());
  }

  public static void main(String[] args) throws Exception {
    progress("starting 3 Consul servers and the mock API server");
    try (var consul = TestConsulCluster.builder().servers(3).start();
        var k8s = MockApiServer.start()) {
      new SyncBenchmark(consul, k8s).run();
    }
    System.exit(0);
  }

  private void run() throws Exception {
    createFixtures();
    String consulAddr = consul.servers().get(0).httpAddress();

    progress("cold sync: raw /v1/txn reference");
    double raw = RawReference.coldSync(consulAddr, probe);
    progress("cold sync: Bellhop");
    var os =
        (com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    long cpu0 = os.getProcessCpuTime();
    double mock0 = k8s.cpuSeconds();
    long start = System.nanoTime();
    var operator =
        BellhopOperator.start(
            k8s.client(), new OperatorConfig(consulAddr, null, CLUSTER_ID, Set.of(), -1, null));
    progress(String.format("  operator started after %.2f s", (System.nanoTime() - start) / 1e9));
    probe.awaitAllPassing(
        start,
        Duration.ofMinutes(5),
        () ->
            String.format(
                "%.0f transactions written",
                operator.meters().counter("bellhop.consul.transactions").count()));
    double bellhop = (System.nanoTime() - start) / 1e9;
    report("cold_sync_raw_seconds", raw, "s");
    report("cold_sync_bellhop_seconds", bellhop, "s");
    report("cold_sync_ratio", raw / bellhop, "ratio");
    report(
        "cold_sync_transactions",
        operator.meters().counter("bellhop.consul.transactions").count(),
        "transactions");
    var timer = operator.meters().timer("bellhop.consul.transaction");
    progress(
        String.format(
            "  bench JVM cpu during Bellhop cold sync: %.1f s",
            (os.getProcessCpuTime() - cpu0) / 1e9));
    progress(
        String.format(
            "  mock API server cpu during Bellhop cold sync: %.1f s", k8s.cpuSeconds() - mock0));
    progress(
        String.format(
            "  txn mean %.1f ms, total %.1f s",
            timer.mean(java.util.concurrent.TimeUnit.MILLISECONDS),
            timer.totalTime(java.util.concurrent.TimeUnit.SECONDS)));

    if (System.getenv("BENCH_COLD_ONLY") != null) {
      return;
    }
    progress(
        "event latency: "
            + EVENTS
            + " pod events through Bellhop, a raw single write after every third or fourth");
    var before = operator.meters().timer("bellhop.registration.latency").takeSnapshot();
    double[] latency;
    double[] rawLatency = new double[RAW_WRITES];
    // Interleaved, so that both see the same Consul: right after the cold sync it is still busier.
    try (var single = new RawReference.SingleWrites(consulAddr, probe)) {
      int[] written = {0};
      latency =
          new EventLatency(kube, probe)
              .measure(
                  EVENTS,
                  i -> {
                    if (written[0] < RAW_WRITES && (long) i * RAW_WRITES / EVENTS >= written[0]) {
                      rawLatency[written[0]++] = single.next();
                    }
                  });
    }
    report("event_latency_p50_ms", percentile(latency, 50), "ms");
    report("event_latency_p99_ms", percentile(latency, 99), "ms");
    report("raw_write_p50_ms", percentile(rawLatency, 50), "ms");
    report("raw_write_p99_ms", percentile(rawLatency, 99), "ms");
    report("event_p99_over_raw_ms", percentile(latency, 99) - percentile(rawLatency, 99), "ms");
    // The operator's own view of the same events: from its informer seeing a change to Consul
    // holding it (its latency histogram, counted over the event phase only).
    var after = operator.meters().timer("bellhop.registration.latency").takeSnapshot();
    report("operator_latency_p50_ms", bucketPercentile(before, after, 0.50), "ms");
    report("operator_latency_p99_ms", bucketPercentile(before, after, 0.99), "ms");

    progress(
        "drift: "
            + TAMPERINGS
            + " tamperings of Bellhop's instances through Consul's API, one every 50 ms");
    double repairs0 = repairs(operator);
    double[] repair;
    double[] driftRaw = new double[TAMPERINGS];
    // The reference is taken in this phase too, a raw write after each tampering: the repairs'
    // wake-ups, the tamperings and their watchers make Consul busier than in the event phase
    // (its raw p99 moved 32 -> 57 ms between two runs), and a figure is compared with a reference
    // measured under the same load, as the event phase does.
    try (var single = new RawReference.SingleWrites(consulAddr, probe)) {
      repair =
          new DriftTampering(consul.servers().get(0).httpUrl())
              .measure(TAMPERINGS, 50, i -> driftRaw[i] = single.next());
    }
    report("drift_repair_p50_ms", percentile(repair, 50), "ms");
    report("drift_repair_p99_ms", percentile(repair, 99), "ms");
    report("drift_raw_write_p50_ms", percentile(driftRaw, 50), "ms");
    report("drift_raw_write_p99_ms", percentile(driftRaw, 99), "ms");
    report("drift_p99_over_raw_ms", percentile(repair, 99) - percentile(driftRaw, 99), "ms");
    report(
        "drift_p99_over_event_phase_raw_ms",
        percentile(repair, 99) - percentile(rawLatency, 99),
        "ms");
    report("drift_repairs", repairs(operator) - repairs0, "repairs");

    progress("idle: " + IDLE.toSeconds() + " s with nothing changing");
    double settled = repairs(operator);
    Thread.sleep(2_000); // the last repairs' wake-ups
    double requests0 = operator.meters().counter("bellhop.consul.requests").count();
    double transactions0 = operator.meters().counter("bellhop.consul.transactions").count();
    Thread.sleep(IDLE.toMillis());
    double requests = operator.meters().counter("bellhop.consul.requests").count() - requests0;
    report("idle_consul_requests_per_s", requests / IDLE.toSeconds(), "requests/s");
    report(
        "idle_consul_requests_per_s_per_server",
        requests / IDLE.toSeconds() / consul.servers().size(),
        "requests/s");
    report(
        "idle_writes",
        operator.meters().counter("bellhop.consul.transactions").count() - transactions0,
        "transactions");
    report("idle_repairs", repairs(operator) - settled, "repairs");
    operator.close();

    progress("restart on a converged state, in a separate JVM");
    try (var process = OperatorProcess.start(k8s, consulAddr, CLUSTER_ID)) {
      await(
          "restarted operator to reconcile every HotelService",
          Duration.ofMinutes(3),
          () -> process.metric("bellhop_consul_syncs_total") >= SERVICES);
      Thread.sleep(2_000); // a late write would show here
      report(
          "steady_state_writes",
          process.metric("bellhop_consul_transactions_total"),
          "transactions");
      report("heap_mb_10k_pods", process.heapAfterFullGcMb(), "MB");
    }
    writeJson();
  }

  private static double repairs(BellhopOperator operator) {
    return operator.meters().find("bellhop.consul.repairs").counters().stream()
        .mapToDouble(c -> c.count())
        .sum();
  }

  private void createFixtures() throws Exception {
    progress(
        "creating "
            + SERVICES
            + " HotelServices and "
            + SERVICES * PODS_PER_SERVICE
            + " ready pods (untimed)");
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<?>> done = new ArrayList<>();
    for (int s = 0; s < SERVICES; s++) {
      int service = s;
      kube.create(hotelService(service));
      done.add(
          pool.submit(
              () -> {
                for (int p = 0; p < PODS_PER_SERVICE; p++) {
                  kube.create(pod(service, p));
                }
              }));
    }
    for (int i = 0; i < done.size(); i++) {
      done.get(i).get();
      if ((i + 1) % 20 == 0) {
        progress("  " + (i + 1) * PODS_PER_SERVICE + " pods");
      }
    }
    pool.shutdown();
  }

  static HotelService hotelService(int service) {
    return Kube.hotelService(NS, "svc-" + service, 8080, Map.of("app", "svc-" + service));
  }

  /**
   * Pod {@code p} of service {@code service}: ready, on one of the nodes, with an IP of its own.
   */
  static Pod pod(int service, int p) {
    int n = service * PODS_PER_SERVICE + p;
    return Kube.pod(
        NS,
        "svc-" + service + "-" + p,
        Map.of("app", "svc-" + service),
        "node-" + n % NODES,
        "10." + (n >> 16 & 255) + "." + (n >> 8 & 255) + "." + (n & 255),
        true);
  }

  private void report(String name, double value, String unit) {
    String shown =
        value == Math.rint(value) ? String.valueOf((long) value) : String.format("%.3f", value);
    System.out.println("BENCH " + name + "=" + shown + " unit=" + unit);
    results.put(name, Map.of("value", value, "unit", unit));
  }

  private void writeJson() throws IOException {
    Path dir = Path.of("target/bench");
    Files.createDirectories(dir);
    JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("sync.json").toFile(), results);
  }

  /**
   * The upper bound (ms) of the histogram bucket holding quantile {@code q} of what was added
   * between two snapshots.
   */
  static double bucketPercentile(
      io.micrometer.core.instrument.distribution.HistogramSnapshot before,
      io.micrometer.core.instrument.distribution.HistogramSnapshot after,
      double q) {
    double total = after.count() - before.count();
    var b = before.histogramCounts();
    var a = after.histogramCounts();
    for (int i = 0; i < a.length; i++) { // counts are cumulative
      if (a[i].count() - b[i].count() >= q * total) {
        return a[i].bucket(java.util.concurrent.TimeUnit.MILLISECONDS);
      }
    }
    return Double.POSITIVE_INFINITY;
  }

  static double percentile(double[] values, double p) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  static void await(String what, Duration timeout, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out waiting for " + what);
      }
      Thread.sleep(100); // the probe costs Consul CPU: poll gently
    }
  }

  static void progress(String message) {
    System.err.println("[bench-sync] " + message);
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** Small reads of Consul's HTTP API. */
  static final class ConsulProbe {
    private final HttpClient http = HttpClient.newHttpClient();
    private final String base;

    ConsulProbe(String base) {
      this.base = base;
    }

    /**
     * Blocks until every benchmark service has all its instances passing, timed from {@code start}.
     * It walks the services in turn with blocking queries, each woken only by its own service's
     * changes. Both cold syncs are timed with it while they write: a summary over all 10,000
     * instances (the UI's endpoint) cost a Consul server ~0.3 s per call, so polling it would slow
     * down whatever it watches.
     */
    void awaitAllPassing(long start, Duration timeout, Supplier<String> detail) {
      long deadline = start + timeout.toNanos();
      long lastReport = System.nanoTime();
      for (int s = 0; s < SERVICES; s++) {
        String path =
            "/v1/health/service/" + hotelService(s).consulServiceName() + "?passing&wait=5s&index=";
        long index = 0;
        while (true) {
          var view = getWithIndex(path + index);
          if (view.entries().size() >= PODS_PER_SERVICE) {
            break;
          }
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException(
                "timed out waiting for " + hotelService(s).consulServiceName());
          }
          index = view.index() < index ? 0 : view.index(); // an index going back means "start over"
          if (System.nanoTime() - lastReport > 1_000_000_000L) {
            lastReport = System.nanoTime();
            progress(
                String.format(
                    "  %.1f s: %d of %d services seen fully passing, waiting on %s (%d of %d), %s",
                    (lastReport - start) / 1e9,
                    s,
                    SERVICES,
                    hotelService(s).consulServiceName(),
                    view.entries().size(),
                    PODS_PER_SERVICE,
                    detail.get()));
          }
        }
      }
    }

    /**
     * Instances over all services but Consul's own. Costly with 10,000 (the UI's summary): for
     * untimed waits only.
     */
    long instances() {
      long total = 0;
      for (JsonNode service : get("/v1/internal/ui/services")) {
        if (!"consul".equals(service.path("Name").asText())) {
          total += service.path("InstanceCount").asLong();
        }
      }
      return total;
    }

    /**
     * Blocks until the service's health changes after {@code index} (or 10 s); returns [index,
     * body].
     */
    HealthView health(String service, long index) {
      return getWithIndex("/v1/health/service/" + service + "?index=" + index + "&wait=10s");
    }

    private HealthView getWithIndex(String path) {
      try {
        var response =
            http.send(
                HttpRequest.newBuilder(URI.create(base + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        long next = Long.parseLong(response.headers().firstValue("X-Consul-Index").orElse("0"));
        return new HealthView(next, JSON.readTree(response.body()));
      } catch (IOException | InterruptedException e) {
        throw new IllegalStateException(e);
      }
    }

    JsonNode get(String path) {
      try {
        var response =
            http.send(
                HttpRequest.newBuilder(URI.create(base + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
      } catch (IOException | InterruptedException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** One read of a service's health: the Consul index and, per instance ID, its check status. */
  record HealthView(long index, JsonNode entries) {
    String status(String id) {
      for (JsonNode entry : entries) {
        if (id.equals(entry.path("Service").path("ID").asText())) {
          String status = "passing";
          for (JsonNode check : entry.path("Checks")) {
            if (!"passing".equals(check.path("Status").asText())) {
              status = check.path("Status").asText();
            }
          }
          return status;
        }
      }
      return "absent";
    }
  }

  static final Pattern METRIC = Pattern.compile("(?m)^([a-z_]+)(\\{[^}]*\\})? ([0-9.eE+-]+)$");

  static double metric(String scrape, String name) {
    Matcher m = METRIC.matcher(scrape);
    double sum = 0;
    while (m.find()) {
      if (m.group(1).equals(name)) {
        sum += Double.parseDouble(m.group(3));
      }
    }
    return sum;
  }
}
