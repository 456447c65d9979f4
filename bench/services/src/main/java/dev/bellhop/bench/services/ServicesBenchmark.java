package dev.bellhop.bench.services;

import dev.bellhop.services.geo.GeoIndex;
import dev.bellhop.services.geo.Locations;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The services benchmark. Prints {@code BENCH name=value unit=...} lines and writes them to {@code
 * target/bench/services.json}:
 *
 * <ul>
 *   <li>geo: k-nearest over 1,000,000 points, STR-tree index against a linear scan, in one run;
 *   <li>wrk at 64 connections against Hotel.Rates on all five services (java -jar, loopback);
 *   <li>the same against Geo.Nearby holding the 1,000,000 points, as a single-hop reference.
 * </ul>
 */
public final class ServicesBenchmark {
  static final int POINTS = 1_000_000;
  static final int CONNECTIONS = 64;
  static final int WRK_SECONDS = Integer.getInteger("bench.seconds", 12);
  static final int WARMUP_SECONDS = Integer.getInteger("bench.warmup", 8);
  static final List<JsonObject> results = new ArrayList<>();

  private ServicesBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path work = Files.createDirectories(Path.of("target/bench"));
    List<Locations.Point> points = syntheticPoints(POINTS);
    geoIndexAgainstLinearScan(points);

    Path locations = work.resolve("locations-1m.json");
    writeLocations(points, locations);
    points = null; // let the benchmark JVM shed the points before the services start

    try (Fleet fleet = Fleet.start()) {
      String token = fleet.login();
      Path hotelScript = Wrk.hotelRatesScript(token, work);
      // Warm-up (JIT, connection pools) before the measured run; its figures are discarded.
      Wrk.warmUp(fleet.url("hotel", "Hotel.Rates"), CONNECTIONS, 2 * WARMUP_SECONDS, hotelScript);
      Wrk.Result hotel =
          Wrk.run(fleet.url("hotel", "Hotel.Rates"), CONNECTIONS, WRK_SECONDS, hotelScript);
      report(
          "hotel_rates_rps",
          hotel.requestsPerSecond(),
          "req/s",
          "wrk -c64 against Hotel.Rates (5 services, loopback)");
      report("hotel_rates_p99", hotel.p99Millis(), "ms", "p99 latency at 64 connections");
      report("hotel_rates_p50", hotel.p50Millis(), "ms", "median latency at 64 connections");
      report("hotel_rates_errors", hotel.errors(), "count", "non-2xx responses and socket errors");

      try (Fleet.Service geo =
          fleet.startExtra(
              "geo", Map.of("LOCATIONS_FILE", locations.toAbsolutePath().toString()))) {
        String geoUrl = "http://127.0.0.1:" + geo.port() + "/Geo.Nearby";
        Wrk.warmUp(geoUrl, CONNECTIONS, WARMUP_SECONDS, Wrk.geoNearbyScript(work));
        Wrk.Result nearby = Wrk.run(geoUrl, CONNECTIONS, WRK_SECONDS, Wrk.geoNearbyScript(work));
        report(
            "geo_nearby_1m_rps",
            nearby.requestsPerSecond(),
            "req/s",
            "wrk -c64 against Geo.Nearby over 1,000,000 points");
        report("geo_nearby_1m_p99", nearby.p99Millis(), "ms", "p99 latency at 64 connections");
        report(
            "geo_nearby_1m_errors",
            nearby.errors(),
            "count",
            "non-2xx responses and socket errors");
        report(
            "hotel_rates_vs_geo_nearby",
            hotel.requestsPerSecond() / nearby.requestsPerSecond(),
            "ratio",
            "Hotel.Rates (4 upstream calls) throughput relative to one Geo.Nearby hop, same run");
      }
    }
    Files.deleteIfExists(locations);
    Path json = work.resolve("services.json");
    Files.writeString(json, new JsonArray(new ArrayList<>(results)).encodePrettily() + "\n");
    System.out.println("results in " + json.toAbsolutePath());
  }

  /** Points spread over San Francisco's bounding box, fixed seed. */
  static List<Locations.Point> syntheticPoints(int n) {
    Random random = new Random(42);
    List<Locations.Point> points = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      points.add(
          new Locations.Point(
              Integer.toString(i),
              37.708 + random.nextDouble() * 0.102,
              -122.513 + random.nextDouble() * 0.156));
    }
    return points;
  }

  static void geoIndexAgainstLinearScan(List<Locations.Point> points) {
    long start = System.nanoTime();
    GeoIndex index = GeoIndex.build(points);
    report(
        "geo_index_build",
        (System.nanoTime() - start) / 1e6,
        "ms",
        "STR-tree over 1,000,000 points");

    Random random = new Random(7);
    int queries = 20_000;
    double[][] q = new double[queries][];
    for (int i = 0; i < queries; i++) {
      q[i] = new double[] {37.71 + random.nextDouble() * 0.1, -122.51 + random.nextDouble() * 0.15};
    }
    // Default Geo.Nearby arguments: 10 km, 5 results. Warm both paths up first.
    for (int i = 0; i < 2_000; i++) {
      index.nearby(q[i][0], q[i][1], 10, 5);
    }
    for (int i = 0; i < 5; i++) {
      index.nearbyLinearScan(q[i][0], q[i][1], 10, 5);
    }
    long sink = 0;
    start = System.nanoTime();
    for (double[] p : q) {
      sink += index.nearby(p[0], p[1], 10, 5).size();
    }
    double indexMicros = (System.nanoTime() - start) / 1e3 / queries;

    int scans = 40;
    start = System.nanoTime();
    for (int i = 0; i < scans; i++) {
      sink += index.nearbyLinearScan(q[i][0], q[i][1], 10, 5).size();
    }
    double scanMicros = (System.nanoTime() - start) / 1e3 / scans;
    for (int i = 0; i < scans; i++) { // same answers, or the speedup means nothing
      if (!index
          .nearby(q[i][0], q[i][1], 10, 5)
          .equals(index.nearbyLinearScan(q[i][0], q[i][1], 10, 5))) {
        throw new IllegalStateException(
            "index and linear scan disagree at " + q[i][0] + "," + q[i][1]);
      }
    }
    report(
        "geo_index_query",
        indexMicros,
        "us",
        "k-nearest (k=5, 10 km) via the index, mean of " + queries);
    report(
        "geo_linear_scan_query",
        scanMicros,
        "us",
        "the same by scanning all points, mean of " + scans);
    report(
        "geo_index_speedup",
        scanMicros / indexMicros,
        "x",
        "linear scan time / index time (goal >= 100)");
    if (sink == 42) {
      System.out.println(); // keeps the JIT from discarding the loops
    }
  }

  static void writeLocations(List<Locations.Point> points, Path file) throws IOException {
    StringBuilder json = new StringBuilder(points.size() * 50).append("[\n");
    for (int i = 0; i < points.size(); i++) {
      Locations.Point p = points.get(i);
      json.append("{\"hotelId\":\"")
          .append(p.id())
          .append("\",\"lat\":")
          .append(p.lat())
          .append(",\"lon\":")
          .append(p.lon())
          .append(i + 1 < points.size() ? "},\n" : "}\n");
    }
    Files.writeString(file, json.append("]\n"));
  }

  static void report(String name, double value, String unit, String what) {
    String shown =
        Math.abs(value) >= 100 || value == Math.rint(value)
            ? String.format("%.0f", value)
            : String.format("%.3f", value);
    System.out.println("BENCH " + name + "=" + shown + " unit=" + unit);
    results.add(
        new JsonObject()
            .put("name", name)
            .put("value", Double.parseDouble(shown))
            .put("unit", unit)
            .put("what", what));
  }
}
