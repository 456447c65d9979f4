package dev.bellhop.services.gateway;

import static dev.bellhop.services.gateway.GatewayTestSupport.call;
import static dev.bellhop.services.gateway.GatewayTestSupport.deregister;
import static dev.bellhop.services.gateway.GatewayTestSupport.post;
import static dev.bellhop.services.gateway.GatewayTestSupport.register;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bellhop.services.gateway.GatewayTestSupport.Reply;
import dev.bellhop.testkit.consul.ConsulClusterExtension;
import dev.bellhop.testkit.consul.TestConsulCluster;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Routing, discovery and every error case against a real Consul (one server, one client agent). */
class GatewayRoutingIT {
  @RegisterExtension
  static final ConsulClusterExtension CONSUL =
      new ConsulClusterExtension(TestConsulCluster.builder().servers(1).agents(1));

  static GatewayFixture fixture;
  static Vertx vertx;
  static Gateway gateway;

  @BeforeAll
  static void start() throws Exception {
    fixture =
        GatewayFixture.start(
            CONSUL.cluster().agents().get(0).httpAddress(),
            Map.of(
                "GATEWAY_TIMEOUT_MS", "500",
                "MAX_BODY_BYTES", "4096",
                "GATEWAY_OUTLIER_FAILURES", "3",
                "GATEWAY_OUTLIER_EJECT_MS", "60000"));
    vertx = fixture.vertx;
    gateway = fixture.gateway;
    GatewayTestSupport.diagnostics =
        () -> {
          String fresh;
          try {
            fresh =
                java.net.http.HttpClient.newHttpClient()
                    .send(
                        java.net.http.HttpRequest.newBuilder(
                                java.net.URI.create(
                                    "http://127.0.0.1:" + gateway.adminPort() + "/health/live"))
                            .timeout(Duration.ofSeconds(2))
                            .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString())
                    .body();
          } catch (Exception e) {
            fresh = e.toString();
          }
          return "gateway in flight: "
              + gateway.server().inFlight()
              + ", fresh connection: "
              + fresh;
        };
  }

  @AfterAll
  static void stop() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
  }

  static TestConsulCluster consul() {
    return CONSUL.cluster();
  }

  static Backend backend(String name) throws Exception {
    return fixture.backend(name);
  }

  /**
   * Waits until the gateway routes {@code path} (the catalog watch saw the service and it has an
   * instance).
   */
  static void awaitRouted(String path) {
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(10))
        .until(() -> post(gateway.port(), path, "{}").status() == 200);
  }

  @Test
  void pathStyleForwardsBodyAndHeadersAndReturnsTheAnswerUnchanged() throws Exception {
    Backend a = backend("echo-a");
    register(consul(), "echo", "echo-a", a.port(), "passing");
    awaitRouted("/echo/ping");
    a.status = 201;

    String body = "{\"hotelIds\": [\"1\", \"2\"],  \"inDate\":\"2015-04-09\"}";
    Reply reply =
        call(
            gateway.port(),
            HttpMethod.POST,
            "/echo/say-hello",
            body,
            Map.of(
                "content-type", "application/json",
                "authorization", "Bearer abc",
                "x-custom", "kept",
                "proxy-authorization", "Basic secret",
                "te", "trailers",
                "keep-alive", "timeout=5"));

    assertThat(reply.status()).isEqualTo(201);
    assertThat(reply.headers().get("x-backend")).isEqualTo("echo-a");
    JsonObject seen = reply.json();
    assertThat(seen.getString("method")).isEqualTo("POST");
    assertThat(seen.getString("path")).isEqualTo("/Echo.SayHello");
    assertThat(seen.getString("body")).isEqualTo(body); // byte for byte
    JsonObject headers = seen.getJsonObject("headers");
    assertThat(headers.getString("authorization")).isEqualTo("Bearer abc");
    assertThat(headers.getString("x-custom")).isEqualTo("kept");
    assertThat(headers.getString("content-type")).isEqualTo("application/json");
    assertThat(headers.containsKey("proxy-authorization")).isFalse();
    assertThat(headers.containsKey("te")).isFalse();
    assertThat(headers.containsKey("keep-alive")).isFalse();
    assertThat(headers.getString("x-request-id")).matches("[0-9a-f]{32}");
    assertThat(headers.getString("traceparent")).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
    assertThat(headers.getString("x-forwarded-for")).isEqualTo("127.0.0.1");
    assertThat(reply.headers().get("x-request-id")).isEqualTo(headers.getString("x-request-id"));

    // A caller's own ids travel unchanged.
    Reply traced =
        call(
            gateway.port(),
            HttpMethod.POST,
            "/echo/ping",
            "{}",
            Map.of(
                "content-type",
                "application/json",
                "x-request-id",
                "req-1",
                "traceparent",
                "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));
    JsonObject tracedHeaders = traced.json().getJsonObject("headers");
    assertThat(tracedHeaders.getString("x-request-id")).isEqualTo("req-1");
    assertThat(tracedHeaders.getString("traceparent"))
        .isEqualTo("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");

    // An error status and body from the instance come back as they are.
    a.status = 418;
    Reply teapot = post(gateway.port(), "/echo/brew", "{}");
    assertThat(teapot.status()).isEqualTo(418);
    assertThat(teapot.json().getString("path")).isEqualTo("/Echo.Brew");
    a.status = 200;
  }

  @Test
  void versionedAndMultiPartPathsMapLikeTheMicroApi() throws Exception {
    Backend v1 = backend("v1-foo");
    register(consul(), "v1.foo", "v1-foo-1", v1.port(), "passing");
    awaitRouted("/v1/foo/bar");
    assertThat(post(gateway.port(), "/v1/foo/bar", "{}").json().getString("path"))
        .isEqualTo("/Foo.Bar");
    assertThat(post(gateway.port(), "/v1/foo/get-all-things", "{}").json().getString("path"))
        .isEqualTo("/Foo.GetAllThings");

    Backend geo = backend("geo");
    register(consul(), "geo", "geo-1", geo.port(), "passing");
    awaitRouted("/geo");
    assertThat(post(gateway.port(), "/geo", "{}").json().getString("path")).isEqualTo("/Geo.Call");
    assertThat(post(gateway.port(), "/geo/nearby", "{}").json().getString("path"))
        .isEqualTo("/Geo.Nearby");
    assertThat(post(gateway.port(), "/geo/near-by/point", "{}").json().getString("path"))
        .isEqualTo("/NearBy.Point");
  }

  @Test
  void rpcEndpointTakesServiceMethodAndRequest() throws Exception {
    Backend b = backend("rpc-target");
    register(consul(), "rpctarget", "rpctarget-1", b.port(), "passing");
    awaitRouted("/rpctarget/call");

    Reply object =
        post(
            gateway.port(),
            "/rpc",
            "{\"service\":\"rpctarget\",\"method\":\"Hotel.Rates\",\"request\":{\"inDate\":\"2015-04-09\"}}");
    assertThat(object.status()).isEqualTo(200);
    assertThat(object.json().getString("path")).isEqualTo("/Hotel.Rates");
    assertThat(new JsonObject(object.json().getString("body")))
        .isEqualTo(new JsonObject().put("inDate", "2015-04-09"));
    assertThat(object.json().getJsonObject("headers").getString("content-type"))
        .isEqualTo("application/json");

    Reply string =
        post(
            gateway.port(),
            "/rpc",
            "{\"service\":\"rpctarget\",\"method\":\"Hotel.Rates\",\"request\":\"{\\\"inDate\\\": 1}\"}");
    assertThat(string.status()).isEqualTo(200);
    assertThat(string.json().getString("body")).isEqualTo("{\"inDate\": 1}");

    Reply missing = post(gateway.port(), "/rpc", "{\"service\":\"rpctarget\"}");
    assertError(missing, 400, "method", "request");
    assertThat(missing.json().getString("detail")).doesNotContain("service");
    assertError(post(gateway.port(), "/rpc", "{}"), 400, "service", "method", "request");
    assertError(post(gateway.port(), "/rpc", "{not json"), 400, "malformed JSON");
    assertError(post(gateway.port(), "/rpc", "[1,2]"), 400, "JSON object");
    assertError(
        post(
            gateway.port(),
            "/rpc",
            "{\"service\":\"rpctarget\",\"method\":\"nodot\",\"request\":{}}"),
        400,
        "Service.Method");
    assertError(
        post(
            gateway.port(),
            "/rpc",
            "{\"service\":\"rpctarget\",\"method\":\"A.B\",\"request\":\"{oops\"}"),
        400,
        "request is not JSON");
    assertError(
        post(
            gateway.port(),
            "/rpc",
            "{\"service\":\"nosuchservice\",\"method\":\"A.B\",\"request\":{}}"),
        404,
        "nosuchservice");
  }

  @Test
  void otherHttpMethodsAre405() throws Exception {
    Backend b = backend("verbs");
    register(consul(), "verbs", "verbs-1", b.port(), "passing");
    awaitRouted("/verbs/ping");
    for (HttpMethod method :
        List.of(HttpMethod.GET, HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.PATCH)) {
      Reply reply = call(gateway.port(), method, "/verbs/ping", null, Map.of());
      assertError(reply, 405, method.name());
      assertThat(reply.headers().get("allow")).isEqualTo("POST");
    }
    assertError(call(gateway.port(), HttpMethod.GET, "/rpc", null, Map.of()), 405, "POST");
  }

  @Test
  void unknownServiceIs404AtOnce() {
    long start = System.nanoTime();
    Reply reply = post(gateway.port(), "/no-such-service/call", "{}");
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertError(reply, 404, "no-such-service");
    assertThat(millis).isLessThan(500);
    assertError(post(gateway.port(), "/", "{}"), 404, "no route");
    assertError(post(gateway.port(), "/bad%20name/x", "{}"), 404, "no route");
  }

  @Test
  void noHealthyInstanceIs503() throws Exception {
    Backend b = backend("sick");
    register(consul(), "sick", "sick-1", b.port(), "critical");
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(10))
        .until(() -> post(gateway.port(), "/sick/call", "{}").status() != 404);
    assertError(post(gateway.port(), "/sick/call", "{}"), 503, "no healthy instance of sick");
    assertThat(b.hits.get()).isZero();
  }

  @Test
  void slowInstanceIs504AfterTheTimeout() throws Exception {
    Backend slow = backend("slow");
    register(consul(), "slow", "slow-1", slow.port(), "passing");
    awaitRouted("/slow/call");
    slow.delayMillis = 3_000;
    long start = System.nanoTime();
    Reply reply = post(gateway.port(), "/slow/call", "{}");
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    slow.delayMillis = 0;
    assertError(reply, 504, "slow did not answer Slow.Call within 500 ms");
    assertThat(millis).isBetween(450L, 2_000L);
  }

  @Test
  void oversizedBodyIs413() throws Exception {
    Backend b = backend("big");
    register(consul(), "big", "big-1", b.port(), "passing");
    awaitRouted("/big/call");
    int before = b.hits.get();
    String large = "{\"x\":\"" + "a".repeat(5_000) + "\"}";
    assertError(post(gateway.port(), "/big/call", large), 413, "4096");
    // Chunked (no Content-Length): the limit holds while reading.
    Reply chunked =
        call(
            gateway.port(),
            HttpMethod.POST,
            "/big/call",
            large,
            Map.of("content-type", "application/json", "transfer-encoding", "chunked"));
    assertError(chunked, 413, "4096");
    assertThat(b.hits.get()).isEqualTo(before);
  }

  @Test
  void trafficFollowsConsulWithinASecond() throws Exception {
    Backend a = backend("follow-a");
    Backend b = backend("follow-b");
    register(consul(), "follow", "follow-a", a.port(), "passing");
    awaitRouted("/follow/call");

    register(consul(), "follow", "follow-b", b.port(), "passing");
    assertFollowsWithinASecond(Set.of("follow-a", "follow-b"));

    register(consul(), "follow", "follow-b", b.port(), "critical");
    assertFollowsWithinASecond(Set.of("follow-a"));

    register(consul(), "follow", "follow-b", b.port(), "passing");
    deregister(consul(), "follow-a");
    assertFollowsWithinASecond(Set.of("follow-b"));

    // Critical but still registered: 503. Gone from the catalog: the service no longer exists, 404.
    register(consul(), "follow", "follow-b", b.port(), "critical");
    await()
        .atMost(Duration.ofSeconds(1))
        .pollInterval(Duration.ofMillis(10))
        .until(() -> post(gateway.port(), "/follow/call", "{}").status() == 503);
    deregister(consul(), "follow-b");
    await()
        .atMost(Duration.ofSeconds(1))
        .pollInterval(Duration.ofMillis(10))
        .until(() -> post(gateway.port(), "/follow/call", "{}").status() == 404);
  }

  /** Within a second of the Consul write, ten requests in a row reach exactly {@code expected}. */
  private static void assertFollowsWithinASecond(Set<String> expected) {
    await()
        .atMost(Duration.ofSeconds(1))
        .pollInterval(Duration.ofMillis(10))
        .until(
            () -> {
              Set<String> seen = new HashSet<>();
              for (int i = 0; i < 10; i++) {
                Reply reply = post(gateway.port(), "/follow/call", "{}");
                if (reply.status() != 200) {
                  return false;
                }
                seen.add(reply.json().getString("instance"));
              }
              return seen.equals(expected);
            });
  }

  @Test
  void balancesAcrossInstances() throws Exception {
    List<Backend> three = List.of(backend("spread-1"), backend("spread-2"), backend("spread-3"));
    for (Backend b : three) {
      register(consul(), "spread", b.name, b.port(), "passing");
    }
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () -> {
              post(gateway.port(), "/spread/call", "{}");
              return gateway.routedInstances() >= 3 && routedTo("spread").size() == 3;
            });
    three.forEach(b -> b.hits.set(0));
    for (int i = 0; i < 30; i++) {
      assertThat(post(gateway.port(), "/spread/call", "{}").status()).isEqualTo(200);
    }
    assertThat(three).allSatisfy(b -> assertThat(b.hits.get()).isBetween(5, 15));
  }

  private static Set<String> routedTo(String service) {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 12; i++) {
      Reply reply = post(gateway.port(), "/" + service + "/call", "{}");
      if (reply.status() == 200) {
        seen.add(reply.json().getString("instance"));
      }
    }
    return seen;
  }

  @Test
  void connectionFailureIsRetriedOnceAndTheDeadInstanceEjected() throws Exception {
    Backend live = backend("retry-live");
    int deadPort;
    try (ServerSocket socket =
        new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      deadPort = socket.getLocalPort(); // closed again: connections are refused
    }
    register(consul(), "retry", "retry-dead", deadPort, "passing");
    register(consul(), "retry", "retry-live", live.port(), "passing");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () -> {
              post(gateway.port(), "/retry/call", "{}");
              return metric("gateway_routing_service_instances", "upstream=\"retry\"") == 2;
            });
    for (int i = 0; i < 20; i++) {
      Reply reply = post(gateway.port(), "/retry/call", "{}");
      assertThat(reply.status()).as(reply.body()).isEqualTo(200);
      assertThat(reply.json().getString("instance")).isEqualTo("retry-live");
    }
    assertThat(metric("gateway_retries_total", "upstream=\"retry\"")).isGreaterThanOrEqualTo(3);
    assertThat(metric("gateway_ejections_total", "upstream=\"retry\"")).isEqualTo(1);
    assertThat(metric("gateway_upstream_errors_total", "kind=\"connect\"", "upstream=\"retry\""))
        .isEqualTo(3);

    // The only instance unreachable: no other to retry on, so 502 (naming the service only).
    deregister(consul(), "retry-live");
    await()
        .atMost(Duration.ofSeconds(1))
        .pollInterval(Duration.ofMillis(10))
        .until(() -> metric("gateway_routing_service_instances", "upstream=\"retry\"") == 1);
    assertError(post(gateway.port(), "/retry/call", "{}"), 502, "upstream retry unreachable");
  }

  @Test
  void healthAndMetricsOnTheAdminPortOnly() throws Exception {
    Backend b = backend("metered");
    register(consul(), "metered", "metered-1", b.port(), "passing");
    awaitRouted("/metered/call");
    assertThat(call(gateway.adminPort(), HttpMethod.GET, "/health/live", null, Map.of()).status())
        .isEqualTo(200);
    assertThat(call(gateway.adminPort(), HttpMethod.GET, "/health/ready", null, Map.of()).status())
        .isEqualTo(200);
    String metrics = call(gateway.adminPort(), HttpMethod.GET, "/metrics", null, Map.of()).body();
    assertThat(metrics)
        .containsPattern(
            "gateway_requests_seconds_count\\{code=\"200\",service=\"gateway\",upstream=\"metered\"} [1-9]")
        .contains(
            "gateway_requests_seconds_bucket{code=\"200\",service=\"gateway\",upstream=\"metered\",le=\"0.001\"}")
        .contains("gateway_routing_instances")
        .contains("gateway_routing_services")
        .contains("gateway_routing_service_instances{service=\"gateway\",upstream=\"metered\"} 1.0")
        .contains("gateway_consul_errors_total");

    // The public port (the one the Ingress routes to) has no such endpoints, whatever the method.
    assertThat(gateway.adminPort()).isNotEqualTo(gateway.port());
    for (String path : List.of("/metrics", "/health/ready", "/health/live")) {
      for (HttpMethod method : List.of(HttpMethod.GET, HttpMethod.POST)) {
        Reply reply =
            call(
                gateway.port(),
                method,
                path,
                method == HttpMethod.POST ? "{}" : null,
                Map.of("content-type", "application/json"));
        assertError(reply, 404, "service not found");
        assertThat(reply.body()).doesNotContain("gateway_", "READY", "UP");
      }
    }
  }

  @Test
  void stopDrainsProxiedCallsInFlight() throws Exception {
    Backend slow = backend("draining");
    register(consul(), "draining", "draining-1", slow.port(), "passing");
    Vertx own = Vertx.vertx();
    try {
      Gateway stopping =
          GatewayTestSupport.startGateway(own, consul().agents().get(0).httpAddress(), Map.of());
      await().atMost(Duration.ofSeconds(10)).until(() -> stopping.server().isReady());
      await()
          .atMost(Duration.ofSeconds(5))
          .pollInterval(Duration.ofMillis(10))
          .until(() -> post(stopping.port(), "/draining/call", "{}").status() == 200);
      // The count drops when the server's write completes, which can be just after the client has
      // the reply.
      await()
          .atMost(Duration.ofSeconds(1))
          .pollInterval(Duration.ofMillis(5))
          .until(() -> stopping.server().inFlight() == 0);
      // Proxied calls are timed once, by gateway_requests_seconds; the common timer sees only the
      // gateway's own endpoints (none called yet: this scrape is recorded once it is answered).
      assertThat(call(stopping.adminPort(), HttpMethod.GET, "/metrics", null, Map.of()).body())
          .containsPattern(
              "gateway_requests_seconds_count\\{code=\"200\",service=\"gateway\",upstream=\"draining\"} [1-9]")
          .doesNotContain("rpc_server_requests_seconds_count");
      slow.delayMillis = 700;
      java.util.concurrent.CompletableFuture<Reply> held =
          java.util.concurrent.CompletableFuture.supplyAsync(
              () -> post(stopping.port(), "/draining/call", "{}"));
      await().atMost(Duration.ofSeconds(5)).until(() -> stopping.server().inFlight() == 1);
      Future<Void> stopped = stopping.stop();
      Reply reply = held.get(10, TimeUnit.SECONDS);
      assertThat(reply.status()).isEqualTo(200); // answered, not cut
      stopped.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(stopping.server().inFlight()).isZero();
    } finally {
      slow.delayMillis = 0;
      own.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void notReadyUntilConsulAnswers() throws Exception {
    Vertx other = Vertx.vertx();
    try {
      int port;
      try (ServerSocket socket =
          new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
        port = socket.getLocalPort();
      }
      Gateway lonely = GatewayTestSupport.startGateway(other, "127.0.0.1:" + port, Map.of());
      assertThat(call(lonely.adminPort(), HttpMethod.GET, "/health/live", null, Map.of()).status())
          .isEqualTo(200);
      assertThat(call(lonely.adminPort(), HttpMethod.GET, "/health/ready", null, Map.of()).status())
          .isEqualTo(503);
      assertError(post(lonely.port(), "/echo/ping", "{}"), 503, "Consul has not answered");
      lonely.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } finally {
      other.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /**
   * The value of the sample {@code name{...}} carrying every one of {@code labels} ({@code
   * key="value"}); -1 if none.
   */
  static double metric(String name, String... labels) {
    String text = call(gateway.adminPort(), HttpMethod.GET, "/metrics", null, Map.of()).body();
    for (String line : text.split("\n")) {
      if (line.startsWith(name + "{") && java.util.Arrays.stream(labels).allMatch(line::contains)) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return -1;
  }

  static void assertError(Reply reply, int code, String... detailParts) {
    assertThat(reply.status()).as(reply.body()).isEqualTo(code);
    assertThat(reply.headers().get("content-type")).isEqualTo("application/json");
    JsonObject error = reply.json();
    assertThat(error.getString("id")).isEqualTo("go.micro.api");
    assertThat(error.getInteger("code")).isEqualTo(code);
    assertThat(error.getString("status")).isNotBlank();
    assertThat(error.getString("detail")).contains(detailParts);
  }
}
