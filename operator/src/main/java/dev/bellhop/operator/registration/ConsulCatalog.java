package dev.bellhop.operator.registration;

import com.ecwid.consul.SingleUrlParameters;
import com.ecwid.consul.UrlParameters;
import com.ecwid.consul.transport.HttpResponse;
import com.ecwid.consul.v1.ConsulRawClient;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import javax.net.ssl.SSLContext;

/**
 * The few Consul HTTP calls the sync engine needs, through consul-api's raw client: {@code /v1/txn}
 * for writes, the catalog for reading back what this Bellhop owns, and blocking queries on its
 * services and synthetic nodes for watching them (on connections of their own, so that a hundred
 * parked watches never hold up a write).
 */
public final class ConsulCatalog {
  /** Consul's limit on operations in one transaction. */
  public static final int MAX_TXN_OPS = 64;

  /**
   * How long a blocking query waits for a change. Consul's default; it adds up to 1/16 of jitter.
   * With 100 watched services and no change: 101 requests per 5 minutes, 0.34 a second.
   */
  public static final Duration WATCH_WAIT = Duration.ofMinutes(5);

  /**
   * Longer than a blocking query may be held (5 min + 1/16 jitter), so a parked watch is never cut.
   */
  private static final int WATCH_SOCKET_TIMEOUT_MS = 360_000;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String clusterId;
  private final java.util.concurrent.atomic.AtomicLong requests =
      new java.util.concurrent.atomic.AtomicLong();
  private volatile Runnable onRequest = () -> {};
  private volatile Connection connection;
  private volatile Connection watchConnection;

  public ConsulCatalog(String httpAddr, String token, String clusterId) {
    this(List.of(httpAddr), token, null, clusterId);
  }

  /**
   * @param httpAddrs Consul HTTP addresses (host:port or URLs); a transport failure moves on to the
   *     next
   * @param tls trust for https addresses (null: the JDK's default)
   */
  public ConsulCatalog(List<String> httpAddrs, String token, SSLContext tls, String clusterId) {
    this.clusterId = clusterId;
    this.connection = new Connection(httpAddrs, token, tls, 15_000, 32);
    this.watchConnection = new Connection(httpAddrs, token, tls, WATCH_SOCKET_TIMEOUT_MS, 1024);
  }

  /**
   * Points this catalog at other addresses or another token (e.g. a ConsulCluster's servers moved).
   */
  public void reconnect(List<String> httpAddrs, String token, SSLContext tls) {
    Connection current = connection;
    if (!current.addresses.equals(httpAddrs)
        || !Objects.equals(current.token, token)
        || current.tls != tls) {
      connection = new Connection(httpAddrs, token, tls, 15_000, 32);
      Connection oldWatches = watchConnection;
      watchConnection = new Connection(httpAddrs, token, tls, WATCH_SOCKET_TIMEOUT_MS, 1024);
      oldWatches.close(); // parked watches fail at once and come back on the new addresses
    }
  }

  /** Consul HTTP requests made so far, reads and writes (a counter for the idle-cost figure). */
  public long requests() {
    return requests.get();
  }

  /**
   * Also tells {@code counter} of every request (e.g. a metric shared by the engines of several
   * Consuls).
   */
  public void onRequest(Runnable counter) {
    this.onRequest = counter;
  }

  /** Stops every request in flight, parked watches included. */
  public void close() {
    connection.close();
    watchConnection.close();
  }

  public String clusterId() {
    return clusterId;
  }

  /** Applies the operations atomically. */
  public void txn(List<Map<String, Object>> ops) {
    String body;
    try {
      body = JSON.writeValueAsString(ops);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    HttpResponse response = call(raw -> raw.makePutRequest("/v1/txn", body));
    int status = response.getStatusCode();
    if (status == 200) {
      return;
    }
    String detail =
        response.getContent() == null ? response.getStatusMessage() : response.getContent().strip();
    if (status >= 500) {
      throw new ConsulUnavailableException(
          "Consul transaction failed: " + status + " " + detail, null);
    }
    throw new ConsulRejectedException(
        "Consul rejected the transaction (" + status + "): " + detail);
  }

  /** Everything this Bellhop cluster id owns in Consul: its synthetic nodes and their services. */
  public Snapshot readOwned() {
    Map<String, String> nodeAddresses = ownedNodes(get("/v1/catalog/nodes", nodeFilter()));
    List<Registration> registrations = new ArrayList<>();
    Map<String, String> checks = new HashMap<>();
    for (var node : nodeAddresses.entrySet()) {
      String name = node.getKey();
      String path = URLEncoder.encode(name, StandardCharsets.UTF_8);
      Map<String, String> status = new HashMap<>();
      for (JsonNode check : get("/v1/health/node/" + path)) {
        status.put(check.path("CheckID").asText(), check.path("Status").asText());
      }
      for (JsonNode service : get("/v1/catalog/node/" + path).path("Services")) {
        Registration r = registration(service, name, node.getValue(), status);
        if (r != null) {
          registrations.add(r);
          checks.put(r.id(), status.get(r.checkId()));
        }
      }
    }
    return new Snapshot(nodeAddresses, registrations, checks);
  }

  /**
   * Blocks until this Bellhop's entries of {@code service} change after {@code index} (at once with
   * index 0), then returns them: the instances on its synthetic nodes that carry its meta.
   */
  public ServiceView watchService(String service, long index) {
    HttpResponse response =
        call(
            watchConnection,
            raw ->
                raw.makeGetRequest(
                    "/v1/health/service/" + URLEncoder.encode(service, StandardCharsets.UTF_8),
                    nodeFilter(),
                    blocking(index)));
    JsonNode entries = body(response, "/v1/health/service/" + service);
    List<Registration> registrations = new ArrayList<>();
    Map<String, String> checks = new HashMap<>();
    for (JsonNode entry : entries) {
      JsonNode node = entry.path("Node");
      if (!InstanceMeta.MANAGED_BY_VALUE.equals(
          node.path("Meta").path(InstanceMeta.MANAGED_BY).asText())) {
        continue;
      }
      Map<String, String> status = new HashMap<>();
      entry
          .path("Checks")
          .forEach(c -> status.put(c.path("CheckID").asText(), c.path("Status").asText()));
      Registration r =
          registration(
              entry.path("Service"),
              node.path("Node").asText(),
              node.path("Address").asText(),
              status);
      if (r != null) {
        registrations.add(r);
        checks.put(r.id(), status.get(r.checkId()));
      }
    }
    return new ServiceView(index(response), registrations, checks);
  }

  /**
   * Blocks until this Bellhop's synthetic nodes change after {@code index}; returns them (name →
   * address).
   */
  public NodesView watchNodes(long index) {
    HttpResponse response =
        call(
            watchConnection,
            raw -> raw.makeGetRequest("/v1/catalog/nodes", nodeFilter(), blocking(index)));
    return new NodesView(index(response), ownedNodes(body(response, "/v1/catalog/nodes")));
  }

  private SingleUrlParameters nodeFilter() {
    return new SingleUrlParameters("node-meta", InstanceMeta.CLUSTER + ":" + clusterId);
  }

  private static UrlParameters blocking(long index) {
    return () ->
        index <= 0 ? List.of() : List.of("index=" + index, "wait=" + WATCH_WAIT.toSeconds() + "s");
  }

  private static long index(HttpResponse response) {
    Long index = response.getConsulIndex();
    return index == null ? 0 : index;
  }

  private static Map<String, String> ownedNodes(JsonNode nodes) {
    Map<String, String> owned = new HashMap<>();
    for (JsonNode node : nodes) {
      if (InstanceMeta.MANAGED_BY_VALUE.equals(
          node.path("Meta").path(InstanceMeta.MANAGED_BY).asText())) {
        owned.put(node.path("Node").asText(), node.path("Address").asText());
      }
    }
    return owned;
  }

  /** The registration a catalog service entry stands for, or null when it is not this Bellhop's. */
  private Registration registration(
      JsonNode service, String node, String nodeAddress, Map<String, String> checks) {
    Map<String, String> meta = strings(service.path("Meta"));
    if (!InstanceMeta.ownedBy(meta, clusterId)) {
      return null; // never touch what is not ours
    }
    String id = service.path("ID").asText();
    List<String> tags = new ArrayList<>();
    service.path("Tags").forEach(t -> tags.add(t.asText()));
    return new Registration(
        Owner.fromMeta(meta),
        id,
        service.path("Service").asText(),
        node,
        nodeAddress,
        service.path("Address").asText(null),
        service.path("Port").asInt(),
        tags,
        meta,
        "passing".equals(checks.get("service:" + id)));
  }

  private JsonNode get(String path, UrlParameters... params) {
    return body(call(connection, raw -> raw.makeGetRequest(path, params)), path);
  }

  private static JsonNode body(HttpResponse response, String path) {
    if (response.getStatusCode() != 200) {
      String message =
          "Consul GET "
              + path
              + " failed: "
              + response.getStatusCode()
              + " "
              + response.getContent();
      if (response.getStatusCode() >= 500) {
        throw new ConsulUnavailableException(message, null);
      }
      throw new ConsulRejectedException(message);
    }
    try {
      return JSON.readTree(response.getContent());
    } catch (JsonProcessingException e) {
      throw new ConsulUnavailableException("Consul sent malformed JSON for " + path, e);
    }
  }

  /** Sends on the current address; on a transport failure, once on each of the others. */
  private HttpResponse call(Function<ConsulRawClient, HttpResponse> request) {
    return call(connection, request);
  }

  private HttpResponse call(Connection c, Function<ConsulRawClient, HttpResponse> request) {
    RuntimeException failure = null;
    for (int attempt = 0; attempt < c.clients.size(); attempt++) {
      int index = Math.floorMod(c.current + attempt, c.clients.size());
      try {
        requests.incrementAndGet();
        onRequest.run();
        HttpResponse response = request.apply(c.clients.get(index));
        c.current = index;
        return response;
      } catch (
          RuntimeException e) { // consul-api wraps every transport failure in a RuntimeException
        failure = e;
      }
    }
    throw new ConsulUnavailableException(
        "Consul unreachable at " + c.addresses + ": " + failure.getMessage(), failure);
  }

  /** One raw client per address, sharing a transport (pool, timeouts, token header). */
  private static final class Connection {
    final List<String> addresses;
    final String token;
    final SSLContext tls;
    final List<ConsulRawClient> clients = new ArrayList<>();
    final ConsulTransport transport;
    volatile int current;

    Connection(
        List<String> addresses,
        String token,
        SSLContext tls,
        int socketTimeoutMs,
        int maxConnections) {
      if (addresses.isEmpty()) {
        throw new IllegalArgumentException("no Consul address");
      }
      this.addresses = List.copyOf(addresses);
      this.token = token;
      this.tls = tls;
      transport = new ConsulTransport(tls, token, socketTimeoutMs, maxConnections);
      this.addresses.forEach(address -> clients.add(transport.client(address)));
    }

    void close() {
      transport.close();
    }
  }

  private static Map<String, String> strings(JsonNode object) {
    Map<String, String> map = new LinkedHashMap<>();
    object.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asText()));
    return map;
  }

  /**
   * What Consul holds for this Bellhop: synthetic node addresses by name, the registrations, and
   * the status of each one's check by service ID (null: the check is missing).
   */
  public record Snapshot(
      Map<String, String> nodes, List<Registration> registrations, Map<String, String> checks) {}

  /** One answer of a service watch: Consul's index and this Bellhop's instances of the service. */
  public record ServiceView(
      long index, List<Registration> registrations, Map<String, String> checks) {}

  /** One answer of the synthetic node watch: Consul's index and the nodes (name → address). */
  public record NodesView(long index, Map<String, String> nodes) {}

  // Transaction operations, in Consul's /v1/txn shape.

  public static Map<String, Object> nodeSet(String node, String address, String clusterId) {
    return Map.of(
        "Node",
        Map.of(
            "Verb",
            "set",
            "Node",
            Map.of(
                "Node",
                node,
                "Address",
                address,
                "Meta",
                Map.of(
                    InstanceMeta.MANAGED_BY,
                    InstanceMeta.MANAGED_BY_VALUE,
                    InstanceMeta.CLUSTER,
                    clusterId))));
  }

  public static Map<String, Object> serviceSet(Registration r) {
    Map<String, Object> service = new LinkedHashMap<>();
    service.put("ID", r.id());
    service.put("Service", r.service());
    service.put("Address", r.address());
    service.put("Port", r.port());
    service.put("Tags", r.tags());
    service.put("Meta", r.meta());
    return Map.of("Service", Map.of("Verb", "set", "Node", r.node(), "Service", service));
  }

  public static Map<String, Object> checkSet(Registration r) {
    Map<String, Object> check = new LinkedHashMap<>();
    check.put("Node", r.node());
    check.put("CheckID", r.checkId());
    check.put("Name", "Kubernetes readiness");
    check.put("Status", r.passing() ? "passing" : "critical");
    check.put("Output", r.passing() ? "Pod is ready" : "Pod is not ready");
    check.put("ServiceID", r.id());
    check.put("ServiceName", r.service());
    return Map.of("Check", Map.of("Verb", "set", "Check", check));
  }

  public static Map<String, Object> serviceDelete(Registration r) {
    // Deleting a service deletes its checks with it.
    return Map.of(
        "Service",
        Map.of(
            "Verb",
            "delete",
            "Node",
            r.node(),
            "Service",
            Map.of("ID", r.id(), "Service", r.service())));
  }
}
