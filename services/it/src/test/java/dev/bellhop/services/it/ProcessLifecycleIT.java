package dev.bellhop.services.it;

import static dev.bellhop.services.it.Services.post;
import static dev.bellhop.services.it.Services.postAsync;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bellhop.services.common.server.ServiceServer;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Services as real {@code java -jar} processes: killed upstreams and SIGTERM with requests in
 * flight.
 */
class ProcessLifecycleIT {
  static final String STAY = "{\"inDate\":\"2026-12-10\",\"outDate\":\"2026-12-12\"}";
  static Services services;
  static String bearer;

  @BeforeAll
  static void start() {
    services = Services.startBackends();
    bearer = "Bearer " + services.login();
  }

  @AfterAll
  static void stop() {
    services.close();
  }

  @Test
  void survivesAGeoInstanceKilledMidTestAndNamesGeoWhenAllAreGone() throws Exception {
    try (JarProcess geoA = JarProcess.start("geo", Map.of());
        JarProcess geoB = JarProcess.start("geo", Map.of())) {
      ServiceServer hotel =
          services.hotel(
              Map.of("GEO_ADDR", "static:127.0.0.1:" + geoA.port + ",127.0.0.1:" + geoB.port));
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicInteger ok = new AtomicInteger();
      Map<Integer, String> failures = new ConcurrentHashMap<>();
      List<CompletableFuture<Void>> clients = new ArrayList<>();
      for (int c = 0; c < 4; c++) {
        clients.add(
            CompletableFuture.runAsync(
                () -> {
                  while (running.get()) {
                    HttpResponse<String> response = post(hotel.port(), "Hotel.Rates", STAY, bearer);
                    if (response.statusCode() == 200) {
                      ok.incrementAndGet();
                    } else {
                      failures.put(response.statusCode(), response.body());
                    }
                  }
                }));
      }
      await().atMost(Duration.ofSeconds(90)).until(() -> ok.get() >= 40);
      geoA.kill();
      int afterKill = ok.get();
      await().atMost(Duration.ofSeconds(90)).until(() -> ok.get() >= afterKill + 80);
      running.set(false);
      CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)).get(90, TimeUnit.SECONDS);
      assertThat(failures).as("requests that failed while geo-a died").isEmpty();

      geoB.kill();
      HttpResponse<String> response = post(hotel.port(), "Hotel.Rates", STAY, bearer);
      assertThat(response.statusCode()).isEqualTo(502);
      assertThat(new JsonObject(response.body()).getString("detail"))
          .contains("upstream geo unavailable");
    }
  }

  @Test
  void sigtermLetsRequestsInFlightFinish() throws Exception {
    // A geo that holds each request until released, so requests are provably in flight at SIGTERM.
    AtomicInteger held = new AtomicInteger();
    List<Promise<JsonObject>> pending = new java.util.concurrent.CopyOnWriteArrayList<>();
    ServiceServer slowGeo =
        services.start(
            (vertx, config) -> {
              ServiceServer s =
                  ServiceServer.create(vertx, config)
                      .method(
                          "Geo.Nearby",
                          req -> {
                            Promise<JsonObject> promise = Promise.promise();
                            pending.add(promise);
                            held.incrementAndGet();
                            return promise.future();
                          });
              return s.start()
                  .map(
                      x -> {
                        s.ready();
                        return s;
                      });
            },
            "geo-slow",
            Map.of());
    Map<String, String> env = new HashMap<>(services.staticAddresses());
    env.put("GEO_ADDR", "static:127.0.0.1:" + slowGeo.port());
    env.put("UPSTREAM_TIMEOUT_MS", "20000");
    env.put("REQUEST_TIMEOUT_MS", "30000");
    try (JarProcess hotel = JarProcess.start("hotel", env)) {
      int inFlight = 8;
      List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
      for (int i = 0; i < inFlight; i++) {
        responses.add(postAsync(hotel.port, "Hotel.Rates", STAY, bearer));
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> held.get() == inFlight);
      hotel.terminate();
      // Readiness drops at once while the requests are still held.
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> hotel.output().contains("stopping: draining"));
      services.vertx.runOnContext(
          v ->
              pending.forEach(
                  p ->
                      p.complete(
                          new JsonObject().put("hotelIds", new JsonArray().add("1").add("2")))));
      for (CompletableFuture<HttpResponse<String>> response : responses) {
        HttpResponse<String> r = response.get(60, TimeUnit.SECONDS);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(new JsonObject(r.body()).getJsonArray("hotels")).hasSize(2);
      }
      assertThat(hotel.process.waitFor(60, TimeUnit.SECONDS)).as("exited after draining").isTrue();
      assertThat(hotel.output()).contains("msg=\"stopped\" inFlight=\"0\"");
    }
  }
}
