package dev.bellhop.services.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bellhop.services.auth.AuthMain;
import dev.bellhop.services.common.server.ServiceConfig;
import dev.bellhop.services.common.server.ServiceServer;
import dev.bellhop.services.geo.GeoMain;
import dev.bellhop.services.hotel.HotelMain;
import dev.bellhop.services.profile.ProfileMain;
import dev.bellhop.services.rate.RateMain;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;

/** The services started in-process on loopback, plus the HTTP calls tests make. */
final class Services implements AutoCloseable {
  static final String JWT_KEY = "integration-test-key-0123456789abcdef";
  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  final Vertx vertx = Vertx.vertx();
  ServiceServer auth;
  ServiceServer geo;
  ServiceServer profile;
  ServiceServer rate;

  /** auth, geo, profile and rate, each on a free port. */
  static Services startBackends() {
    Services services = new Services();
    services.auth = services.start(AuthMain::start, "auth", Map.of("AUTH_JWT_KEY", JWT_KEY));
    services.geo = services.start(GeoMain::start, "geo", Map.of());
    services.profile = services.start(ProfileMain::start, "profile", Map.of());
    services.rate = services.start(RateMain::start, "rate", Map.of());
    return services;
  }

  ServiceServer start(
      BiFunction<Vertx, ServiceConfig, Future<ServiceServer>> starter,
      String name,
      Map<String, String> env) {
    Map<String, String> all = new HashMap<>(env);
    all.put("BIND_ADDR", "127.0.0.1");
    return join(starter.apply(vertx, ServiceConfig.from(name, 0, all)));
  }

  /** A hotel API with static addresses of these backends, overridden by {@code env}. */
  ServiceServer hotel(Map<String, String> env) {
    Map<String, String> all = new HashMap<>(staticAddresses());
    // Generous budgets: these tests share a loaded 2-core machine; timeouts are tested explicitly.
    all.put("UPSTREAM_TIMEOUT_MS", "10000");
    all.put("REQUEST_TIMEOUT_MS", "20000");
    all.putAll(env);
    return start(HotelMain::start, "hotel", all);
  }

  Map<String, String> staticAddresses() {
    return Map.of(
        "AUTH_ADDR", "static:127.0.0.1:" + auth.port(),
        "GEO_ADDR", "static:127.0.0.1:" + geo.port(),
        "PROFILE_ADDR", "static:127.0.0.1:" + profile.port(),
        "RATE_ADDR", "static:127.0.0.1:" + rate.port());
  }

  String login() {
    HttpResponse<String> response =
        post(
            auth.port(),
            "Auth.Login",
            "{\"username\":\"demo\",\"password\":\"bellhop-demo\"}",
            null);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return new JsonObject(response.body()).getString("token");
  }

  static HttpResponse<String> post(int port, String method, String body, String authorization) {
    try {
      return postAsync(port, method, body, authorization).get();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static CompletableFuture<HttpResponse<String>> postAsync(
      int port, String method, String body, String authorization) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/" + method))
            .timeout(Duration.ofSeconds(60))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) {
      request.header("authorization", authorization);
    }
    return HTTP.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonObject assertError(HttpResponse<String> response, int code, String detail) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(code);
    JsonObject error = new JsonObject(response.body());
    assertThat(error.getInteger("code")).isEqualTo(code);
    assertThat(error.getString("detail")).contains(detail);
    return error;
  }

  /** A port nothing listens on (bound, then released). */
  /** The sockets that hold the dead ports, for the life of the test JVM. */
  private static final List<Socket> DEAD = new CopyOnWriteArrayList<>();

  /**
   * A port that refuses connections and that no server can take: held by a socket bound to it but
   * never listening. A port merely closed again was free for the next bind(0): CI once saw the
   * hotel started right after take one, and answer a call meant for a dead geo (502 instead of a
   * retry).
   */
  static int deadPort() {
    try {
      Socket socket = new Socket();
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      DEAD.add(socket);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static <T> T join(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    join(vertx.close());
  }
}
