package dev.bellhop.operator.consulcluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bellhop.operator.snapshot.SnapshotCommand;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Day two of a Consul cluster on three real servers: a full server rollout by {@link ServerRollout}
 * under a steady registration load, against the same load with no rollout in the same run; then a
 * snapshot and a restore of a catalog of 10,000 instances, against the time it took to register
 * them: first Consul's raw calls, then, on the same catalog, Bellhop's path ({@link
 * SnapshotCommand}, what the snapshot and restore Jobs run: the snapshot streamed to a file with
 * its SHA-256 and retention; the checksum verified before the restore), against the raw calls. In
 * the operator's package because the rollout rule is package-private there (not exported API).
 */
public final class DayTwoBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();
  static final Duration LOAD = Duration.ofSeconds(Long.getLong("bench.baselineSeconds", 30));
  static final int INSTANCES = Integer.getInteger("bench.instances", 10_000);
  private final Map<String, Object> results = new LinkedHashMap<>();

  public static void main(String[] args) throws Exception {
    new DayTwoBenchmark().run();
  }

  void run() throws Exception {
    ProcessRollout rollout = new ProcessRollout(3);
    try {
      var baseline = new ProcessRollout.Sampler(rollout.consul, null);
      Thread.sleep(LOAD.toMillis());
      baseline.close();

      rollout.wanted = 2;
      var during = new ProcessRollout.Sampler(rollout.consul, null);
      long t0 = System.nanoTime();
      ProcessRollout.Roll roll =
          rollout.roll(Duration.ofSeconds(2), Duration.ofMinutes(2), Duration.ofMinutes(5));
      double seconds = (System.nanoTime() - t0) / 1e9;
      during.close();
      if (!(roll.last() instanceof ServerRollout.Done)) {
        throw new IllegalStateException("rollout did not finish: " + roll.last());
      }
      report("rollout_seconds", seconds, "s");
      report("rollout_restarts", roll.restarts().size(), "servers");
      report("rollout_leaderless_ms_total", during.leaderlessMsTotal.get(), "ms");
      report("rollout_min_live_voters", during.minLiveVoters.get(), "voters");
      report("rollout_writes", during.writes.get(), "writes");
      report("rollout_failed_writes", during.failedWrites.get(), "writes");
      double p99Base = percentile(baseline.latenciesMs, 99);
      double p99Roll = percentile(during.latenciesMs, 99);
      report("event_p99_baseline_ms", p99Base, "ms");
      report("event_p99_during_rollout_ms", p99Roll, "ms");
      report("event_p99_during_rollout_over_baseline_ms", p99Roll - p99Base, "ms");

      snapshotAndRestore(rollout.consul.servers().get(0).httpUrl());
    } finally {
      rollout.consul.close();
    }
    Path dir = Path.of("target/bench");
    Files.createDirectories(dir);
    JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("consul.json").toFile(), results);
  }

  /**
   * Registers the catalog (the reference), snapshots it, wipes it, restores it and counts it back;
   * then the same through {@link SnapshotCommand}.
   */
  private void snapshotAndRestore(String url) throws Exception {
    long t0 = System.nanoTime();
    List<Map<String, Object>> ops = new ArrayList<>();
    ops.add(
        Map.of(
            "Node",
            Map.of("Verb", "set", "Node", Map.of("Node", "bench-catalog", "Address", "10.1.0.1"))));
    for (int i = 0; i < INSTANCES; i++) {
      ops.add(
          Map.of(
              "Service",
              Map.of(
                  "Verb",
                  "set",
                  "Node",
                  "bench-catalog",
                  "Service",
                  Map.of(
                      "ID",
                      "hotel-" + i,
                      "Service",
                      "hotel-" + (i % 100),
                      "Port",
                      1024 + i % 50_000))));
      if (ops.size() == 64 || i == INSTANCES - 1) {
        check(send("PUT", url + "/v1/txn", JSON.writeValueAsBytes(ops)), "txn");
        ops.clear();
      }
    }
    double registerSeconds = (System.nanoTime() - t0) / 1e9;
    report("catalog_register_seconds", registerSeconds, "s");

    t0 = System.nanoTime();
    HttpResponse<byte[]> snapshot = send("GET", url + "/v1/snapshot", null);
    check(snapshot, "snapshot");
    double snapshotSeconds = (System.nanoTime() - t0) / 1e9;
    report("snapshot_seconds", snapshotSeconds, "s");
    report("snapshot_bytes", snapshot.body().length, "bytes");
    report("snapshot_over_register", snapshotSeconds / registerSeconds, "ratio");

    wipe(url);
    t0 = System.nanoTime();
    check(send("PUT", url + "/v1/snapshot", snapshot.body()), "restore");
    double restoreSeconds = (System.nanoTime() - t0) / 1e9;
    int back = instances(url);
    report("restore_seconds", restoreSeconds, "s");
    report("restore_over_register", restoreSeconds / registerSeconds, "ratio");
    report("restored_instances", back, "instances");
    if (back != INSTANCES) {
      throw new IllegalStateException("restored " + back + " of " + INSTANCES + " instances");
    }

    bellhopSnapshotAndRestore(url, snapshotSeconds, restoreSeconds);
  }

  /**
   * Bellhop's path on the catalog just restored: {@link SnapshotCommand} save into a temporary
   * directory (as the backup claim), a wipe, then its restore of that file; each against the raw
   * call of the same run.
   */
  private void bellhopSnapshotAndRestore(String url, double rawSnapshot, double rawRestore)
      throws Exception {
    Path dir = Files.createTempDirectory("bellhop-bench-snapshots");
    Path report = dir.resolve("report.json");
    try {
      // Untimed, under another cluster's name: loads the command's classes (Apache HttpClient,
      // logging) that the raw calls, on the JDK client already used for the registrations, do not
      // pay for.
      bellhop(save(url, dir, "warmup", report), report);
      long t0 = System.nanoTime();
      JsonNode saved = bellhop(save(url, dir, "bench", report), report);
      double snapshotSeconds = (System.nanoTime() - t0) / 1e9;
      Path file = dir.resolve(saved.path("file").asText());
      report("bellhop_snapshot_seconds", snapshotSeconds, "s");
      report("bellhop_snapshot_bytes", saved.path("bytes").asLong(), "bytes");
      report("bellhop_snapshot_over_raw", snapshotSeconds / rawSnapshot, "ratio");

      wipe(url);
      t0 = System.nanoTime();
      bellhop(
          new String[] {
            "snapshot", "restore", "--consul=" + url, "--file=" + file, "--report=" + report
          },
          report);
      double restoreSeconds = (System.nanoTime() - t0) / 1e9;
      int back = instances(url);
      report("bellhop_restore_seconds", restoreSeconds, "s");
      report("bellhop_restore_over_raw", restoreSeconds / rawRestore, "ratio");
      report("bellhop_restored_instances", back, "instances");
      if (back != INSTANCES) {
        throw new IllegalStateException(
            "Bellhop restored " + back + " of " + INSTANCES + " instances");
      }
    } finally {
      try (Stream<Path> files = Files.list(dir)) {
        for (Path p : files.toList()) {
          Files.deleteIfExists(p);
        }
      }
      Files.deleteIfExists(dir);
    }
  }

  private static String[] save(String url, Path dir, String cluster, Path report) {
    return new String[] {
      "snapshot",
      "save",
      "--consul=" + url,
      "--dir=" + dir,
      "--cluster=" + cluster,
      "--retain=1",
      "--report=" + report
    };
  }

  /** Runs {@link SnapshotCommand} as a Job would; its report (JSON on success) parsed. */
  private static JsonNode bellhop(String[] args, Path report) throws IOException {
    Files.deleteIfExists(report);
    int code = SnapshotCommand.run(args);
    String text = Files.exists(report) ? Files.readString(report) : "(no report)";
    if (code != 0) {
      throw new IllegalStateException(args[1] + " exited " + code + ": " + text);
    }
    return JSON.readTree(text);
  }

  /** Deregisters the catalog's node, and checks that nothing of it is left. */
  private static void wipe(String url) throws IOException {
    check(
        send(
            "PUT",
            url + "/v1/catalog/deregister",
            JSON.writeValueAsBytes(Map.of("Node", "bench-catalog"))),
        "wipe");
    if (instances(url) != 0) {
      throw new IllegalStateException("the catalog was not wiped");
    }
  }

  private static int instances(String url) throws IOException {
    var r = send("GET", url + "/v1/catalog/node-services/bench-catalog", null);
    if (r.statusCode() == 404) {
      return 0;
    }
    check(r, "count");
    var node = JSON.readTree(r.body());
    return node.isNull() ? 0 : node.path("Services").size();
  }

  private static HttpResponse<byte[]> send(String method, String url, byte[] body)
      throws IOException {
    var request =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(60))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  private static void check(HttpResponse<byte[]> r, String what) {
    if (r.statusCode() / 100 != 2) {
      throw new IllegalStateException(
          what + ": HTTP " + r.statusCode() + " " + new String(r.body()));
    }
  }

  static double percentile(List<Double> values, double p) {
    List<Double> sorted;
    synchronized (values) {
      sorted = new ArrayList<>(values);
    }
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    sorted.sort(Double::compare);
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100 * sorted.size()) - 1));
  }

  private void report(String name, double value, String unit) {
    String shown =
        value == Math.rint(value) ? String.valueOf((long) value) : String.format("%.3f", value);
    System.out.println("BENCH " + name + "=" + shown + " unit=" + unit);
    results.put(name, Map.of("value", value, "unit", unit));
  }
}
