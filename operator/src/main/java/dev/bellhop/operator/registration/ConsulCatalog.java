package dev.bellhop.operator.registration;

import com.ecwid.consul.SingleUrlParameters;
import com.ecwid.consul.UrlParameters;
import com.ecwid.consul.transport.HttpResponse;
import com.ecwid.consul.v1.ConsulRawClient;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.config.RegistryBuilder;
import org.apache.http.conn.socket.ConnectionSocketFactory;
import org.apache.http.conn.socket.PlainConnectionSocketFactory;
import org.apache.http.conn.ssl.NoopHostnameVerifier;
import org.apache.http.conn.ssl.SSLConnectionSocketFactory;
import org.apache.http.impl.client.HttpClientBuilder;
import org.apache.http.impl.conn.PoolingHttpClientConnectionManager;
import org.apache.http.message.BasicHeader;

/**
 * The few Consul HTTP calls the sync engine needs, through consul-api's raw client:
 * {@code /v1/txn} for writes and the catalog for reading back what this Bellhop owns.
 */
public final class ConsulCatalog {
  public static final String META_MANAGED_BY = "managed-by";
  public static final String META_CLUSTER = "bellhop-cluster";
  public static final String META_NAMESPACE = "k8s-namespace";
  public static final String META_OWNER = "hotelservice";
  public static final String META_POD = "k8s-pod";
  public static final String META_POD_UID = "k8s-pod-uid";
  public static final String MANAGED_BY = "bellhop";
  /** Consul's limit on operations in one transaction. */
  public static final int MAX_TXN_OPS = 64;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String clusterId;
  private volatile Connection connection;

  public ConsulCatalog(String httpAddr, String token, String clusterId) {
    this(List.of(httpAddr), token, null, clusterId);
  }

  /**
   * @param httpAddrs Consul HTTP addresses (host:port or URLs); a transport failure moves on to the next
   * @param tls trust for https addresses (null: the JDK's default)
   */
  public ConsulCatalog(List<String> httpAddrs, String token, SSLContext tls, String clusterId) {
    this.clusterId = clusterId;
    this.connection = new Connection(httpAddrs, token, tls);
  }

  /** Points this catalog at other addresses or another token (e.g. a ConsulCluster's servers moved). */
  public void reconnect(List<String> httpAddrs, String token, SSLContext tls) {
    Connection current = connection;
    if (!current.addresses.equals(httpAddrs) || !Objects.equals(current.token, token) || current.tls != tls) {
      connection = new Connection(httpAddrs, token, tls);
    }
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
    String detail = response.getContent() == null ? response.getStatusMessage() : response.getContent().strip();
    if (status >= 500) {
      throw new ConsulUnavailableException("Consul transaction failed: " + status + " " + detail, null);
    }
    throw new ConsulRejectedException("Consul rejected the transaction (" + status + "): " + detail);
  }

  /** Everything this Bellhop cluster id owns in Consul: its synthetic nodes and their services. */
  public Snapshot readOwned() {
    JsonNode nodes = get("/v1/catalog/nodes", new SingleUrlParameters("node-meta", META_CLUSTER + ":" + clusterId));
    Map<String, String> nodeAddresses = new HashMap<>();
    List<Registration> registrations = new ArrayList<>();
    for (JsonNode node : nodes) {
      String name = node.path("Node").asText();
      if (!MANAGED_BY.equals(node.path("Meta").path(META_MANAGED_BY).asText())) {
        continue;
      }
      String nodeAddress = node.path("Address").asText();
      nodeAddresses.put(name, nodeAddress);
      String path = URLEncoder.encode(name, StandardCharsets.UTF_8);
      Map<String, Boolean> passing = new HashMap<>();
      for (JsonNode check : get("/v1/health/node/" + path)) {
        passing.put(check.path("CheckID").asText(), "passing".equals(check.path("Status").asText()));
      }
      for (JsonNode service : get("/v1/catalog/node/" + path).path("Services")) {
        Map<String, String> meta = strings(service.path("Meta"));
        if (!MANAGED_BY.equals(meta.get(META_MANAGED_BY)) || !clusterId.equals(meta.get(META_CLUSTER))) {
          continue; // never touch what is not ours
        }
        String id = service.path("ID").asText();
        List<String> tags = new ArrayList<>();
        service.path("Tags").forEach(t -> tags.add(t.asText()));
        registrations.add(new Registration(ownerOf(meta), id, service.path("Service").asText(), name, nodeAddress,
            service.path("Address").asText(null), service.path("Port").asInt(), tags, meta,
            passing.getOrDefault("service:" + id, false)));
      }
    }
    return new Snapshot(nodeAddresses, registrations);
  }

  static String ownerOf(Map<String, String> meta) {
    return meta.getOrDefault(META_NAMESPACE, "") + "/" + meta.getOrDefault(META_OWNER, "");
  }

  private JsonNode get(String path, UrlParameters... params) {
    HttpResponse response = call(raw -> raw.makeGetRequest(path, params));
    if (response.getStatusCode() != 200) {
      String message = "Consul GET " + path + " failed: " + response.getStatusCode() + " " + response.getContent();
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
    Connection c = connection;
    RuntimeException failure = null;
    for (int attempt = 0; attempt < c.clients.size(); attempt++) {
      int index = Math.floorMod(c.current + attempt, c.clients.size());
      try {
        HttpResponse response = request.apply(c.clients.get(index));
        c.current = index;
        return response;
      } catch (RuntimeException e) { // consul-api wraps every transport failure in a RuntimeException
        failure = e;
      }
    }
    throw new ConsulUnavailableException("Consul unreachable at " + c.addresses + ": " + failure.getMessage(), failure);
  }

  /** One raw client per address, sharing a connection pool, timeouts and the token header. */
  private static final class Connection {
    final List<String> addresses;
    final String token;
    final SSLContext tls;
    final List<ConsulRawClient> clients = new ArrayList<>();
    volatile int current;

    Connection(List<String> addresses, String token, SSLContext tls) {
      if (addresses.isEmpty()) {
        throw new IllegalArgumentException("no Consul address");
      }
      this.addresses = List.copyOf(addresses);
      this.token = token;
      this.tls = tls;
      var registry = RegistryBuilder.<ConnectionSocketFactory>create()
          .register("http", PlainConnectionSocketFactory.getSocketFactory());
      if (tls != null) {
        // Servers are addressed by pod IP, which their certificates cannot name: the chain is
        // verified against the cluster's CA, the host name is not.
        registry.register("https", new SSLConnectionSocketFactory(tls, NoopHostnameVerifier.INSTANCE));
      } else {
        registry.register("https", SSLConnectionSocketFactory.getSocketFactory());
      }
      PoolingHttpClientConnectionManager pool = new PoolingHttpClientConnectionManager(registry.build());
      pool.setMaxTotal(32);
      pool.setDefaultMaxPerRoute(32);
      RequestConfig timeouts = RequestConfig.custom()
          .setConnectTimeout(2_000).setConnectionRequestTimeout(2_000).setSocketTimeout(15_000).build();
      HttpClientBuilder builder = HttpClientBuilder.create().setConnectionManager(pool)
          .setDefaultRequestConfig(timeouts).disableAutomaticRetries();
      if (token != null && !token.isBlank()) {
        builder.setDefaultHeaders(List.of(new BasicHeader("X-Consul-Token", token)));
      }
      var http = builder.build();
      for (String address : this.addresses) {
        URI uri = URI.create(address.contains("://") ? address : "http://" + address);
        int port = uri.getPort() > 0 ? uri.getPort() : ("https".equals(uri.getScheme()) ? 443 : 8500);
        clients.add(new ConsulRawClient(http, uri.getScheme() + "://" + uri.getHost(), port, ""));
      }
    }
  }

  private static Map<String, String> strings(JsonNode object) {
    Map<String, String> map = new LinkedHashMap<>();
    object.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asText()));
    return map;
  }

  /** What Consul holds for this Bellhop: synthetic node addresses by name, and the registrations. */
  public record Snapshot(Map<String, String> nodes, List<Registration> registrations) {}

  // Transaction operations, in Consul's /v1/txn shape.

  public static Map<String, Object> nodeSet(String node, String address, String clusterId) {
    return Map.of("Node", Map.of("Verb", "set", "Node", Map.of("Node", node, "Address", address,
        "Meta", Map.of(META_MANAGED_BY, MANAGED_BY, META_CLUSTER, clusterId))));
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
    return Map.of("Service", Map.of("Verb", "delete", "Node", r.node(), "Service", Map.of("ID", r.id(), "Service", r.service())));
  }
}
