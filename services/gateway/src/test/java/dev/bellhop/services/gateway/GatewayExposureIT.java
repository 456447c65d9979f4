package dev.bellhop.services.gateway;

import static dev.bellhop.services.gateway.GatewayRoutingIT.assertError;
import static dev.bellhop.services.gateway.GatewayTestSupport.bellhopMeta;
import static dev.bellhop.services.gateway.GatewayTestSupport.call;
import static dev.bellhop.services.gateway.GatewayTestSupport.post;
import static dev.bellhop.services.gateway.GatewayTestSupport.register;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bellhop.services.gateway.GatewayTestSupport.Reply;
import dev.bellhop.testkit.consul.ConsulClusterExtension;
import dev.bellhop.testkit.consul.TestConsulCluster;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the gateway publishes and how it faces its callers (issue 16): only Bellhop's instances of
 * its own namespace, the same 404 for everything else.
 */
class GatewayExposureIT {
  @RegisterExtension
  static final ConsulClusterExtension CONSUL =
      new ConsulClusterExtension(TestConsulCluster.builder().servers(1));

  static GatewayFixture fixture;
  static Vertx vertx;
  static Gateway gateway;

  @BeforeAll
  static void start() throws Exception {
    fixture = GatewayFixture.start(CONSUL.cluster().httpAddress(), Map.of());
    vertx = fixture.vertx;
    gateway = fixture.gateway;
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
   * Waits until Consul's catalog lists {@code service} and the gateway's copy of the catalog has as
   * many names (so a 404 is the gateway's choice, not a lagging watch).
   */
  static void awaitInCatalog(String service) {
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              JsonObject catalog = new JsonObject(consul().httpGet("/v1/catalog/services"));
              return catalog.containsKey(service) && gateway.knownServices() == catalog.size();
            });
  }

  /** The 404 of a name nobody registered, with {@code service} in place of that name. */
  static void assertSameAsUnknown(Reply reply, String service) {
    Reply unknown = post(gateway.port(), "/never-registered/call", "{}");
    assertError(reply, 404, "service not found: " + service);
    assertThat(reply.body().replace(service, "never-registered")).isEqualTo(unknown.body());
  }

  @Test
  void consulItselfIsNotPublished() {
    awaitInCatalog("consul");
    // Its watch answers, then the answer stays the same: repeat past the first load.
    for (int i = 0; i < 3; i++) {
      assertSameAsUnknown(post(gateway.port(), "/consul/catalog", "{}"), "consul");
      assertSameAsUnknown(
          post(
              gateway.port(),
              "/rpc",
              "{\"service\":\"consul\",\"method\":\"Catalog.Services\",\"request\":{}}"),
          "consul");
    }
  }

  /**
   * A GET is refused either way, but a 405 for a service Consul lists, before its watch has
   * answered, would tell that it exists: the first GET of it is the unknown name's 404 too.
   */
  @Test
  void aGetOfAnUnpublishedServiceIsTheUnknownNames404FromTheFirst() throws Exception {
    Backend foreign = backend("foreign-get");
    register(consul(), "foreign-get", "foreign-get-1", foreign.port(), "passing", new JsonObject());
    awaitInCatalog("foreign-get");
    Reply unknown = call(gateway.port(), HttpMethod.GET, "/never-registered/call", null, Map.of());
    for (int i = 0; i < 3; i++) {
      Reply reply = call(gateway.port(), HttpMethod.GET, "/foreign-get/call", null, Map.of());
      assertError(reply, 404, "service not found: foreign-get");
      assertThat(reply.body().replace("foreign-get", "never-registered")).isEqualTo(unknown.body());
    }
  }

  @Test
  void aServiceNotRegisteredByBellhopIsNotPublished() throws Exception {
    Backend foreign = backend("foreign");
    register(consul(), "foreign", "foreign-1", foreign.port(), "passing", new JsonObject());
    awaitInCatalog("foreign");
    for (int i = 0; i < 3; i++) {
      assertSameAsUnknown(post(gateway.port(), "/foreign/call", "{}"), "foreign");
    }
    // Claiming to be Bellhop's takes its meta; without the namespace it is still someone else's.
    register(
        consul(),
        "foreign",
        "foreign-1",
        foreign.port(),
        "passing",
        new JsonObject().put("managed-by", "bellhop"));
    assertSameAsUnknown(post(gateway.port(), "/foreign/call", "{}"), "foreign");
    assertThat(foreign.hits.get()).isZero();
  }

  @Test
  void anotherNamespacesServiceIsNotPublished() throws Exception {
    Backend shop = backend("shop-cart");
    register(consul(), "cart", "cart-1", shop.port(), "passing", bellhopMeta("shop"));
    awaitInCatalog("cart");
    for (int i = 0; i < 3; i++) {
      assertSameAsUnknown(post(gateway.port(), "/cart/checkout", "{}"), "cart");
    }
    assertThat(shop.hits.get()).isZero();

    // The same instance moved into the gateway's namespace (its meta rewritten) is routed.
    register(consul(), "cart", "cart-1", shop.port(), "passing", bellhopMeta("hotel"));
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> post(gateway.port(), "/cart/checkout", "{}").status() == 200);
    assertThat(shop.hits.get()).isPositive();
  }

  @Test
  void aServiceThatDidNotOptInIsNotPublished() throws Exception {
    Backend geo = backend("geo-internal");
    JsonObject internal = bellhopMeta("hotel");
    internal.remove("gateway-expose");
    register(consul(), "internal", "internal-1", geo.port(), "passing", internal);
    awaitInCatalog("internal");
    for (int i = 0; i < 3; i++) {
      assertSameAsUnknown(post(gateway.port(), "/internal/nearby", "{}"), "internal");
    }
    assertThat(geo.hits.get()).isZero();

    // The HotelService sets spec.expose: the operator adds the meta, and the gateway routes.
    register(consul(), "internal", "internal-1", geo.port(), "passing", bellhopMeta("hotel"));
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> post(gateway.port(), "/internal/nearby", "{}").status() == 200);
    assertThat(geo.hits.get()).isPositive();
  }

  @Test
  void aFakeInstanceNextToBellhopsGetsNoTraffic() throws Exception {
    Backend real = backend("auth-real");
    Backend fake = backend("auth-fake");
    register(consul(), "auth", "auth-real", real.port(), "passing");
    // Someone who can write to Consul adds an instance of the same name, passing, to collect
    // passwords: no managed-by meta, or Bellhop's meta of another namespace.
    register(consul(), "auth", "auth-fake", fake.port(), "passing", new JsonObject());
    register(consul(), "auth", "auth-fake-2", fake.port(), "passing", bellhopMeta("shop"));
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> post(gateway.port(), "/auth/login", "{}").status() == 200);
    for (int i = 0; i < 20; i++) {
      assertThat(post(gateway.port(), "/auth/login", "{}").json().getString("instance"))
          .isEqualTo("auth-real");
    }
    assertThat(fake.hits.get()).isZero();
  }

  @Test
  void aPublishedInstanceWithoutAPassingCheckOfItsOwnGetsNoTraffic() throws Exception {
    Backend unchecked = backend("unchecked");
    // Consul's ?passing would list it (no check fails): the gateway does not route to it.
    register(consul(), "unchecked", "unchecked-1", unchecked.port(), null, bellhopMeta("hotel"));
    awaitInCatalog("unchecked");
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> post(gateway.port(), "/unchecked/call", "{}").status() != 404);
    assertError(
        post(gateway.port(), "/unchecked/call", "{}"), 503, "no healthy instance of unchecked");
    assertThat(unchecked.hits.get()).isZero();
  }

  @Test
  void errorBodiesNameTheServiceButNoInstanceNodeOrAddress() throws Exception {
    int deadPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      deadPort = socket.getLocalPort(); // closed again: connections are refused
    }
    register(consul(), "gone", "gone-pod-7f9c", deadPort, "passing");
    awaitInCatalog("gone");
    Reply unreachable = post(gateway.port(), "/gone/call", "{}");
    assertError(unreachable, 502, "upstream gone unreachable");
    register(consul(), "gone", "gone-pod-7f9c", deadPort, "critical");
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> post(gateway.port(), "/gone/call", "{}").status() == 503);
    Reply none = post(gateway.port(), "/gone/call", "{}");
    assertError(none, 503, "no healthy instance of gone");
    for (Reply reply : List.of(unreachable, none)) {
      assertThat(reply.body())
          .doesNotContain("gone-pod-7f9c")
          .doesNotContain(GatewayTestSupport.NODE)
          .doesNotContain("127.0.0.1")
          .doesNotContain(Integer.toString(deadPort));
    }
  }

  @Test
  void xForwardedForIsThePeerUnlessATrustedProxySaysOtherwise() throws Exception {
    Backend echo = backend("xff");
    register(consul(), "xff", "xff-1", echo.port(), "passing");
    Map<String, String> spoofing =
        Map.of(
            "content-type", "application/json",
            "x-forwarded-for", "6.6.6.6, 203.0.113.7",
            "forwarded", "for=6.6.6.6",
            "x-real-ip", "6.6.6.6");
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> post(gateway.port(), "/xff/call", "{}").status() == 200);
    JsonObject seen =
        call(gateway.port(), HttpMethod.POST, "/xff/call", "{}", spoofing)
            .json()
            .getJsonObject("headers");
    assertThat(seen.getString("x-forwarded-for")).isEqualTo("127.0.0.1");
    assertThat(seen.containsKey("forwarded")).isFalse();
    assertThat(seen.containsKey("x-real-ip")).isFalse();

    // Loopback as the Ingress controller's network: the address it appended is the caller.
    Gateway behindIngress =
        GatewayTestSupport.startGateway(
            fixture.gatewayVertx,
            consul().httpAddress(),
            Map.of("GATEWAY_TRUSTED_PROXIES", "127.0.0.0/8"));
    try {
      await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> post(behindIngress.port(), "/xff/call", "{}").status() == 200);
      JsonObject forwarded =
          call(behindIngress.port(), HttpMethod.POST, "/xff/call", "{}", spoofing)
              .json()
              .getJsonObject("headers");
      assertThat(forwarded.getString("x-forwarded-for")).isEqualTo("203.0.113.7");
    } finally {
      behindIngress.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /**
   * Connects to {@code port}, writes {@code head} at once, then {@code trickle} a byte every 100 ms
   * until the gateway cuts the connection; the milliseconds from connect until it did (-1: not
   * within 10 s).
   */
  static long cutOffAfter(int port, String head, String trickle) throws Exception {
    try (Socket socket = new Socket(InetAddress.getByName("127.0.0.1"), port)) {
      long start = System.nanoTime();
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      Thread writer =
          new Thread(
              () -> {
                try {
                  for (byte b : trickle.repeat(100).getBytes(StandardCharsets.US_ASCII)) {
                    Thread.sleep(100);
                    out.write(b);
                    out.flush();
                  }
                } catch (Exception e) {
                  // cut off: what the test waits for
                }
              },
              "trickle");
      writer.setDaemon(true);
      writer.start();
      InputStream in = socket.getInputStream();
      try {
        while (in.read() >= 0) {
          // a response (there should be none before the cut) is read and dropped
        }
      } catch (SocketTimeoutException e) {
        return -1;
      } catch (IOException e) {
        // reset: cut off too
      }
      return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }
  }

  @Test
  void aCallerThatSendsItsRequestSlowlyIsCutOffAndAnIdleConnectionClosed() throws Exception {
    Backend slow = backend("slowread");
    register(consul(), "slowread", "slowread-1", slow.port(), "passing");
    Gateway strict =
        GatewayTestSupport.startGateway(
            fixture.gatewayVertx,
            consul().httpAddress(),
            Map.of(
                "GATEWAY_REQUEST_READ_TIMEOUT_MS", "1000",
                "GATEWAY_IDLE_TIMEOUT_MS", "2000"));
    try {
      await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> post(strict.port(), "/slowread/call", "{}").status() == 200);
      int hits = slow.hits.get();

      // Headers a byte at a time (each byte resets any idle timer): cut at the read deadline.
      assertThat(cutOffAfter(strict.port(), "POST /slowread/call HTTP/1.1\r\n", "X"))
          .isBetween(900L, 3_000L);
      // A complete head, then the body a byte at a time.
      assertThat(
              cutOffAfter(
                  strict.port(),
                  "POST /slowread/call HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\n"
                      + "Content-Length: 1000\r\n\r\n{",
                  " "))
          .isBetween(900L, 3_000L);
      assertThat(slow.hits.get()).isEqualTo(hits);

      // A kept-alive connection: answered, then closed after the idle bound; the deadline bounds
      // reading the request, not the call (the instance takes longer than the read deadline).
      slow.delayMillis = 1_500;
      try (Socket socket = new Socket(InetAddress.getByName("127.0.0.1"), strict.port())) {
        socket.setSoTimeout(10_000);
        socket
            .getOutputStream()
            .write(
                ("POST /slowread/call HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 2\r\n\r\n{}")
                    .getBytes(StandardCharsets.US_ASCII));
        BufferedReader in =
            new BufferedReader(
                new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        assertThat(in.readLine()).isEqualTo("HTTP/1.1 200 OK");
        long answered = System.nanoTime();
        while (in.read() >= 0) {
          // the rest of the answer, then the end of the stream when the gateway closes
        }
        long idle = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - answered);
        assertThat(idle).isBetween(1_800L, 4_000L);
      } finally {
        slow.delayMillis = 0;
      }
    } finally {
      strict.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
