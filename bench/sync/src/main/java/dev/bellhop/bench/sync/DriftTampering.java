package dev.bellhop.bench.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

/**
 * Changes made to Bellhop's instances behind its back, through Consul's HTTP API as a script would,
 * one every 50 ms on random instances of the 10,000: deregistered, port, tags or meta edited, check
 * set to the other status, check deleted. Each is timed from the tampering's commit (Consul's
 * answer to it) until a blocking query shows the instance exactly as before again.
 */
final class DriftTampering {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] KINDS = {
    "deregister", "port", "tags", "meta", "check-status", "check-delete"
  };

  private final String base;
  private final HttpClient http = HttpClient.newHttpClient();
  private final Random random = new Random(13);
  private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
  private final Map<String, Integer> kinds = new LinkedHashMap<>();

  DriftTampering(String consulUrl) {
    this.base = consulUrl;
  }

  /**
   * Milliseconds from each tampering's commit to Consul showing the instance restored; {@code
   * afterEach} runs after each tampering, untimed, before the next one's slot.
   */
  double[] measure(int tamperings, long everyMs, IntConsumer afterEach) throws Exception {
    ExecutorService watchers = Executors.newFixedThreadPool(32);
    List<Future<Double>> results = new ArrayList<>();
    long next = System.nanoTime();
    for (int i = 0; i < tamperings; i++) {
      long wait = next - System.nanoTime();
      if (wait > 0) {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      }
      next += everyMs * 1_000_000;
      results.add(tamperOnce(watchers));
      afterEach.accept(i);
      if ((i + 1) % 50 == 0) {
        SyncBenchmark.progress("  " + (i + 1) + " tamperings");
      }
    }
    double[] latencies = new double[tamperings];
    for (int i = 0; i < tamperings; i++) {
      latencies[i] = results.get(i).get();
    }
    watchers.shutdown();
    SyncBenchmark.progress("  tamperings by kind: " + kinds);
    return latencies;
  }

  private Future<Double> tamperOnce(ExecutorService watchers) throws Exception {
    String service;
    JsonNode entry;
    long index;
    while (true) {
      service = "svc-" + random.nextInt(SyncBenchmark.SERVICES);
      var view = get("/v1/health/service/" + service);
      JsonNode entries = view.entries();
      entry = entries.get(random.nextInt(entries.size()));
      index = view.index();
      if (inFlight.add(entry.path("Service").path("ID").asText())) {
        break;
      }
    }
    String id = entry.path("Service").path("ID").asText();
    String node = entry.path("Node").path("Node").asText();
    String nodeAddress = entry.path("Node").path("Address").asText();
    JsonNode before = shape(entry);
    String kind = KINDS[random.nextInt(KINDS.length)];
    kinds.merge(kind, 1, Integer::sum);
    ObjectNode service1 = JSON.createObjectNode();
    JsonNode svc = entry.path("Service");
    for (String field : List.of("ID", "Service", "Tags", "Address", "Port", "Meta")) {
      service1.set(field, svc.path(field).deepCopy());
    }
    String checkId = "service:" + id;
    String checkStatus = status(entry);
    switch (kind) {
      case "deregister" -> put("/v1/catalog/deregister", Map.of("Node", node, "ServiceID", id));
      case "port" -> {
        service1.put("Port", 1);
        put(
            "/v1/catalog/register",
            Map.of(
                "Node", node, "Address", nodeAddress, "SkipNodeUpdate", true, "Service", service1));
      }
      case "tags" -> {
        service1.set("Tags", JSON.createArrayNode().add("tampered"));
        put(
            "/v1/catalog/register",
            Map.of(
                "Node", node, "Address", nodeAddress, "SkipNodeUpdate", true, "Service", service1));
      }
      case "meta" -> {
        ((ObjectNode) service1.get("Meta")).put("tampered", "yes");
        put(
            "/v1/catalog/register",
            Map.of(
                "Node", node, "Address", nodeAddress, "SkipNodeUpdate", true, "Service", service1));
      }
      case "check-status" ->
          put(
              "/v1/catalog/register",
              Map.of(
                  "Node",
                  node,
                  "Address",
                  nodeAddress,
                  "SkipNodeUpdate",
                  true,
                  "Check",
                  Map.of(
                      "CheckID",
                      checkId,
                      "Name",
                      "tampered",
                      "ServiceID",
                      id,
                      "Status",
                      "passing".equals(checkStatus) ? "critical" : "passing")));
      default -> put("/v1/catalog/deregister", Map.of("Node", node, "CheckID", checkId));
    }
    long committed = System.nanoTime();
    String path = "/v1/health/service/" + service;
    long startIndex = index;
    return watchers.submit(
        () -> {
          long at = startIndex;
          try {
            while (true) {
              var view = get(path + "?index=" + at + "&wait=10s");
              at = view.index() < at ? 0 : view.index();
              for (JsonNode e : view.entries()) {
                if (id.equals(e.path("Service").path("ID").asText()) && before.equals(shape(e))) {
                  if (at > startIndex) { // not the read from before the tampering
                    return (System.nanoTime() - committed) / 1e6;
                  }
                }
              }
            }
          } finally {
            inFlight.remove(id);
          }
        });
  }

  /**
   * What must come back: the service entry, the node it is on, and its checks' IDs and statuses.
   */
  private static JsonNode shape(JsonNode entry) {
    ObjectNode shape = JSON.createObjectNode();
    shape.put("node", entry.path("Node").path("Node").asText());
    for (String field : List.of("ID", "Service", "Tags", "Address", "Port", "Meta")) {
      shape.set(field, entry.path("Service").path(field).deepCopy());
    }
    ObjectNode checks = shape.putObject("checks");
    entry
        .path("Checks")
        .forEach(c -> checks.put(c.path("CheckID").asText(), c.path("Status").asText()));
    return shape;
  }

  private static String status(JsonNode entry) {
    for (JsonNode c : entry.path("Checks")) {
      if (c.path("CheckID").asText().startsWith("service:")) {
        return c.path("Status").asText();
      }
    }
    return "absent";
  }

  private void put(String path, Object body) throws IOException, InterruptedException {
    var response =
        http.send(
            HttpRequest.newBuilder(URI.create(base + path))
                .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException(
          "PUT " + path + ": " + response.statusCode() + " " + response.body());
    }
  }

  private SyncBenchmark.HealthView get(String path) throws IOException, InterruptedException {
    var response =
        http.send(
            HttpRequest.newBuilder(URI.create(base + path)).build(),
            HttpResponse.BodyHandlers.ofString());
    long index = Long.parseLong(response.headers().firstValue("X-Consul-Index").orElse("0"));
    return new SyncBenchmark.HealthView(index, JSON.readTree(response.body()));
  }
}
