package dev.bellhop.services.gateway;

import dev.bellhop.services.common.server.ServiceConfig;
import dev.bellhop.testkit.consul.TestConsulCluster;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Registration the way Bellhop's operator writes it, a gateway in-process, and a small HTTP client.
 */
final class GatewayTestSupport {
  static final String NODE = "k8s-node-1-bellhop";

  static volatile java.util.function.Supplier<String> diagnostics = () -> "";

  private GatewayTestSupport() {}

  record Reply(int status, MultiMap headers, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  /** The namespace the test gateways publish (GATEWAY_NAMESPACES), unless a test says otherwise. */
  static final String NAMESPACE = "hotel";

  /**
   * The meta Bellhop's operator writes on an instance of an exposed HotelService in {@code
   * namespace}.
   */
  static JsonObject bellhopMeta(String namespace) {
    return new JsonObject()
        .put("managed-by", "bellhop")
        .put("gateway-expose", "true")
        .put("bellhop-cluster", "default")
        .put("k8s-namespace", namespace)
        .put("hotelservice", "test")
        .put("k8s-pod", "pod")
        .put("k8s-pod-uid", "uid");
  }

  /**
   * One instance on the synthetic node, as Bellhop registers it for a HotelService of {@link
   * #NAMESPACE}, with one check (passing or critical).
   */
  static void register(
      TestConsulCluster cluster, String service, String id, int port, String status) {
    register(cluster, service, id, port, status, bellhopMeta(NAMESPACE));
  }

  /**
   * One instance on the synthetic node with the given service meta and, unless {@code status} is
   * null, one check of its own.
   */
  static void register(
      TestConsulCluster cluster,
      String service,
      String id,
      int port,
      String status,
      JsonObject meta) {
    JsonObject registration =
        new JsonObject()
            .put("Node", NODE)
            .put("Address", "127.0.0.1")
            .put("SkipNodeUpdate", true)
            .put(
                "Service",
                new JsonObject()
                    .put("ID", id)
                    .put("Service", service)
                    .put("Address", "127.0.0.1")
                    .put("Port", port)
                    .put("Meta", meta));
    if (status != null) {
      registration.put(
          "Check",
          new JsonObject()
              .put("Node", NODE)
              .put("CheckID", "bellhop:" + id)
              .put("Name", "pod ready")
              .put("Status", status)
              .put("ServiceID", id));
    }
    cluster.httpPut("/v1/catalog/register", registration.encode());
  }

  static void deregister(TestConsulCluster cluster, String id) {
    cluster.httpPut(
        "/v1/catalog/deregister", new JsonObject().put("Node", NODE).put("ServiceID", id).encode());
  }

  static Gateway startGateway(Vertx vertx, String consulAddress, Map<String, String> extra)
      throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("BIND_ADDR", "127.0.0.1");
    env.put("CONSUL_HTTP_ADDR", consulAddress);
    env.put("CONSUL_WATCH_WAIT_SECONDS", "20");
    env.put("DRAIN_TIMEOUT_MS", "1000");
    env.put("GATEWAY_NAMESPACES", NAMESPACE);
    env.put("ADMIN_PORT", "0");
    env.putAll(extra);
    return Gateway.start(vertx, ServiceConfig.from("gateway", 0, env))
        .toCompletionStage()
        .toCompletableFuture()
        .get(20, TimeUnit.SECONDS);
  }

  /** One shared JDK client (keep-alive), independent of the Vert.x stack under test. */
  static final java.net.http.HttpClient JDK =
      java.net.http.HttpClient.newBuilder()
          .version(java.net.http.HttpClient.Version.HTTP_1_1)
          .connectTimeout(java.time.Duration.ofSeconds(5))
          .build();

  static Reply call(
      int port, HttpMethod method, String path, String body, Map<String, String> headers) {
    java.net.http.HttpRequest.Builder request =
        java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + path))
            .timeout(java.time.Duration.ofSeconds(15));
    boolean chunked = "chunked".equals(headers.get("transfer-encoding"));
    headers.forEach(
        (k, v) -> {
          if (!k.equals("transfer-encoding")) {
            request.header(k, v);
          }
        });
    java.net.http.HttpRequest.BodyPublisher publisher;
    if (body == null) {
      publisher = java.net.http.HttpRequest.BodyPublishers.noBody();
    } else if (chunked) {
      byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      publisher =
          java.net.http.HttpRequest.BodyPublishers.ofInputStream(
              () -> new java.io.ByteArrayInputStream(bytes));
    } else {
      publisher = java.net.http.HttpRequest.BodyPublishers.ofString(body);
    }
    request.method(method.name(), publisher);
    try {
      java.net.http.HttpResponse<String> response =
          JDK.send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      MultiMap responseHeaders = MultiMap.caseInsensitiveMultiMap();
      response.headers().map().forEach(responseHeaders::add);
      return new Reply(response.statusCode(), responseHeaders, response.body());
    } catch (Exception e) {
      throw new IllegalStateException(
          method + " " + path + " failed: " + e + " " + diagnostics.get(), e);
    }
  }

  /** {@code gateway_consul_errors_total} from the gateway's admin port (-1 before the first). */
  static double consulErrors(Gateway gateway) {
    String text = call(gateway.adminPort(), HttpMethod.GET, "/metrics", null, Map.of()).body();
    for (String line : text.split("\n")) {
      if (line.startsWith("gateway_consul_errors_total{")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return -1;
  }

  static Reply post(int port, String path, String body) {
    return call(port, HttpMethod.POST, path, body, Map.of("content-type", "application/json"));
  }
}
