package dev.bellhop.services.common.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bellhop.services.common.rpc.Fields;
import dev.bellhop.services.common.rpc.StayDates;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ServiceServerTest {
  static Vertx vertx;
  static ServiceServer server;
  static HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    ServiceConfig config =
        ServiceConfig.from(
            "test",
            0,
            Map.of("BIND_ADDR", "127.0.0.1", "MAX_BODY_BYTES", "4096", "EVENT_LOOPS", "2"));
    server =
        ServiceServer.create(vertx, config)
            .method(
                "Test.Echo",
                req ->
                    Future.succeededFuture(
                        new JsonObject()
                            .put("name", Fields.requiredString(req.body(), "name"))
                            .put("count", Fields.optionalInt(req.body(), "count", 1))
                            .put(
                                "nights",
                                req.body().containsKey("inDate")
                                    ? StayDates.from(req.body()).nights()
                                    : 0)))
            .method(
                "Test.Boom",
                req -> {
                  throw new IllegalStateException("bug");
                });
    server.start().toCompletionStage().toCompletableFuture().get();
    assertThat(get("/health/ready").statusCode()).isEqualTo(503);
    assertThat(post("/Test.Echo", "{\"name\":\"x\"}").statusCode()).isEqualTo(503);
    server.ready();
  }

  @AfterAll
  static void stop() {
    vertx.close();
  }

  static HttpResponse<String> post(String path, String body) throws Exception {
    return post(path, body, "application/json");
  }

  static HttpResponse<String> post(String path, String body, String type) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .header("content-type", type)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static void assertError(HttpResponse<String> response, int code, String detailPart) {
    assertThat(response.statusCode()).isEqualTo(code);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    JsonObject body = new JsonObject(response.body());
    assertThat(body.getString("id")).isEqualTo("go.micro.srv.test");
    assertThat(body.getInteger("code")).isEqualTo(code);
    assertThat(body.getString("status")).isNotBlank();
    assertThat(body.getString("detail")).contains(detailPart);
  }

  @Test
  void dispatchesMethods() throws Exception {
    var response = post("/Test.Echo", "{\"name\":\"bellhop\",\"count\":3}");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(response.body()))
        .isEqualTo(new JsonObject("{\"name\":\"bellhop\",\"count\":3,\"nights\":0}"));
    assertThat(
            post("/Test.Echo", "{\"name\":\"a\"}", "application/json; charset=utf-8").statusCode())
        .isEqualTo(200);
  }

  @Test
  void rejectsBadRequestsWithJsonErrors() throws Exception {
    assertError(post("/Test.Echo", "{\"name\":"), 400, "malformed JSON");
    assertError(post("/Test.Echo", "[1,2]"), 400, "JSON object");
    assertError(post("/Test.Echo", ""), 400, "JSON object");
    assertError(post("/Test.Echo", "\"text\""), 400, "JSON object");
    assertError(post("/Test.Echo", "{\"name\":5}"), 400, "name must be a string");
    assertError(post("/Test.Echo", "{}"), 400, "name is required");
    assertError(
        post("/Test.Echo", "{\"name\":\"a\",\"count\":1.5}"), 400, "count must be an integer");
    assertError(
        post("/Test.Echo", "{\"name\":\"a\",\"count\":\"2\"}"), 400, "count must be an integer");
    assertError(post("/Test.Echo", "{\"name\":\"a\"}", "text/plain"), 415, "application/json");
    assertError(
        post("/Test.Echo", "{\"name\":\"" + "x".repeat(5000) + "\"}"), 413, "larger than 4096");
    assertError(post("/Test.Nope", "{}"), 404, "Test.Nope");
    assertError(post("/not-rpc", "{}"), 404, "no such method");
    HttpResponse<String> notPost = get("/Test.Echo");
    assertError(notPost, 405, "POST");
    assertThat(notPost.headers().firstValue("allow")).hasValue("POST");
    assertError(post("/Test.Boom", "{}"), 500, "internal error");
  }

  @Test
  void validatesStayDates() throws Exception {
    assertThat(
            new JsonObject(
                    post(
                            "/Test.Echo",
                            "{\"name\":\"a\",\"inDate\":\"2026-04-09\",\"outDate\":\"2026-04-10\"}")
                        .body())
                .getInteger("nights"))
        .isEqualTo(1);
    assertError(
        post("/Test.Echo", "{\"name\":\"a\",\"inDate\":\"2026-04-09\",\"outDate\":\"2026-04-09\"}"),
        400,
        "after inDate");
    assertError(
        post("/Test.Echo", "{\"name\":\"a\",\"inDate\":\"2026-04-09\",\"outDate\":\"2026-05-10\"}"),
        400,
        "at most 30");
    assertError(
        post("/Test.Echo", "{\"name\":\"a\",\"inDate\":\"2026-02-30\",\"outDate\":\"2026-03-02\"}"),
        400,
        "ISO-8601");
    assertError(
        post("/Test.Echo", "{\"name\":\"a\",\"inDate\":20260409,\"outDate\":\"2026-03-02\"}"),
        400,
        "inDate must be a string");
  }

  @Test
  void servesHealthAndMetrics() throws Exception {
    assertThat(get("/health/live").statusCode()).isEqualTo(200);
    assertThat(get("/health/ready").statusCode()).isEqualTo(200);
    post("/Test.Echo", "{\"name\":\"m\"}");
    var metrics = get("/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body())
        .contains(
            "rpc_server_requests_seconds_count{code=\"200\",method=\"Test.Echo\",service=\"test\"}")
        .contains("rpc_server_requests_seconds_bucket");
  }

  @Test
  void gracefulStopFinishesRequestsInFlight() throws Exception {
    Vertx own = Vertx.vertx();
    try {
      ServiceServer slow =
          ServiceServer.create(own, ServiceConfig.from("slow", 0, Map.of("BIND_ADDR", "127.0.0.1")))
              .method(
                  "Slow.Call",
                  req -> {
                    Promise<JsonObject> done = Promise.promise();
                    own.setTimer(500, id -> done.complete(new JsonObject().put("ok", true)));
                    return done.future();
                  });
      slow.start().toCompletionStage().toCompletableFuture().get();
      slow.ready();
      URI uri = URI.create("http://127.0.0.1:" + slow.port() + "/Slow.Call");
      HttpRequest request =
          HttpRequest.newBuilder(uri)
              .header("content-type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString("{}"))
              .build();
      CompletableFuture<HttpResponse<String>> first =
          http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
      CompletableFuture<HttpResponse<String>> second =
          http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
      await().atMost(Duration.ofSeconds(5)).until(() -> slow.inFlight() == 2);
      Future<Void> stopped = slow.stop();
      assertThat(slow.isReady()).isFalse();
      assertThat(first.get().statusCode()).isEqualTo(200);
      assertThat(second.get().statusCode()).isEqualTo(200);
      stopped.toCompletionStage().toCompletableFuture().get();
      assertThat(
              CompletableFuture.supplyAsync(
                      () -> {
                        try {
                          return http.send(request, HttpResponse.BodyHandlers.ofString())
                              .statusCode();
                        } catch (Exception e) {
                          return -1;
                        }
                      })
                  .get())
          .isEqualTo(-1);
    } finally {
      own.close();
    }
  }
}
