package dev.bellhop.services.it;

import static dev.bellhop.services.it.Services.assertError;
import static dev.bellhop.services.it.Services.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bellhop.services.common.server.ServiceServer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Hotel.Rates across all five services on loopback, upstreams as static addresses. */
class HotelRatesStaticIT {
  static final String STAY = "{\"inDate\":\"2026-12-10\",\"outDate\":\"2026-12-12\"}";
  static Services services;
  static ServiceServer hotel;
  static String bearer;

  @BeforeAll
  static void start() {
    services = Services.startBackends();
    hotel = services.hotel(Map.of());
    bearer = "Bearer " + services.login();
  }

  @AfterAll
  static void stop() {
    services.close();
  }

  static HttpResponse<String> rates(ServiceServer target, String body, String authorization) {
    return post(target.port(), "Hotel.Rates", body, authorization);
  }

  @Test
  void returnsNearbyHotelsWithTheirRates() {
    HttpResponse<String> response = rates(hotel, STAY, bearer);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonObject body = new JsonObject(response.body());
    JsonArray hotels = body.getJsonArray("hotels");
    JsonArray nearby =
        new JsonObject(
                post(services.geo.port(), "Geo.Nearby", "{\"lat\":37.7867,\"lon\":-122.4112}", null)
                    .body())
            .getJsonArray("hotelIds");
    assertThat(hotels.stream().map(h -> ((JsonObject) h).getString("id")).toList())
        .isEqualTo(nearby.getList());
    assertThat(hotels).hasSize(5);
    JsonArray plans = body.getJsonArray("ratePlans");
    assertThat(plans).isNotEmpty();
    Set<String> hotelIds = new HashSet<>(nearby.getList());
    for (Object p : plans) {
      JsonObject plan = (JsonObject) p;
      assertThat(hotelIds).contains(plan.getString("hotelId"));
      assertThat(plan.getInteger("nights")).isEqualTo(2);
      assertThat(plan.getJsonObject("roomType").getString("currency")).isEqualTo("USD");
    }
  }

  @Test
  void searchesAroundTheGivenPoint() {
    String wharf =
        "{\"inDate\":\"2026-12-10\",\"outDate\":\"2026-12-11\",\"lat\":37.8080,\"lon\":-122.4177}";
    JsonObject body = new JsonObject(rates(hotel, wharf, bearer).body());
    assertThat(
            body.getJsonArray("hotels")
                .getJsonObject(0)
                .getJsonObject("address")
                .getString("postalCode"))
        .isEqualTo("94133");
    String ocean = "{\"inDate\":\"2026-12-10\",\"outDate\":\"2026-12-11\",\"lat\":0,\"lon\":0}";
    assertThat(new JsonObject(rates(hotel, ocean, bearer).body()))
        .isEqualTo(
            new JsonObject().put("hotels", new JsonArray()).put("ratePlans", new JsonArray()));
  }

  @Test
  void needsABearerToken() {
    assertError(rates(hotel, STAY, null), 403, "Bearer");
    assertError(rates(hotel, STAY, "Basic ZGVtbzpiZWxsaG9w"), 403, "malformed Authorization");
    assertError(rates(hotel, STAY, "Bearer "), 403, "malformed Authorization");
    assertError(rates(hotel, STAY, "Bearer a b"), 403, "malformed Authorization");
    assertError(rates(hotel, STAY, "Bearer not-a-jwt"), 401, "invalid token");
    assertThat(rates(hotel, STAY, bearer.replace("Bearer", "bearer")).statusCode()).isEqualTo(200);
  }

  @Test
  void verifiesTheTokenBeforeTheDates() {
    assertError(
        rates(hotel, "{\"inDate\":\"2026-12-12\",\"outDate\":\"2026-12-10\"}", "Bearer not-a-jwt"),
        401,
        "invalid token");
  }

  @Test
  void rejectsBadDatesAndCoordinates() {
    assertError(
        rates(hotel, "{\"inDate\":\"2026-12-12\",\"outDate\":\"2026-12-10\"}", bearer),
        400,
        "outDate must be after inDate");
    assertError(
        rates(hotel, "{\"inDate\":\"2026-12-01\",\"outDate\":\"2027-01-10\"}", bearer),
        400,
        "at most 30 nights");
    assertError(
        rates(hotel, "{\"inDate\":\"tomorrow\",\"outDate\":\"2027-01-10\"}", bearer),
        400,
        "ISO-8601");
    assertError(rates(hotel, "{\"outDate\":\"2027-01-10\"}", bearer), 400, "inDate is required");
    assertError(
        rates(hotel, "{\"inDate\":\"2026-12-10\",\"outDate\":\"2026-12-11\",\"lat\":37.8}", bearer),
        400,
        "lat and lon");
    assertError(
        rates(
            hotel,
            "{\"inDate\":\"2026-12-10\",\"outDate\":\"2026-12-11\",\"lat\":97,\"lon\":1}",
            bearer),
        400,
        "lat must be within");
    assertError(
        rates(
            hotel,
            "{\"inDate\":\"2026-12-10\",\"outDate\":\"2026-12-11\",\"lat\":\"x\",\"lon\":1}",
            bearer),
        400,
        "lat must be a number");
    assertError(rates(hotel, "{\"inDate\":", bearer), 400, "malformed JSON");
  }

  @Test
  void namesTheUpstreamThatIsDown() {
    int dead = Services.deadPort();
    ServiceServer noRate = services.hotel(Map.of("RATE_ADDR", "static:127.0.0.1:" + dead));
    assertError(rates(noRate, STAY, bearer), 502, "upstream rate unavailable");
    ServiceServer noAuth = services.hotel(Map.of("AUTH_ADDR", "static:127.0.0.1:" + dead));
    assertError(rates(noAuth, STAY, bearer), 502, "upstream auth unavailable");
  }

  @Test
  void retriesAnotherInstanceWhenAConnectionFails() {
    int dead = Services.deadPort();
    ServiceServer halfDead =
        services.hotel(
            Map.of(
                "GEO_ADDR",
                "static:127.0.0.1:"
                    + dead
                    + ",127.0.0.1:"
                    + services.geo.port()
                    + ",127.0.0.1:"
                    + Services.deadPort()));
    for (int i = 0; i < 9; i++) {
      assertThat(rates(halfDead, STAY, bearer).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void mapsUpstreamErrorsAndTimeouts() {
    // A profile that fails, and a geo that never answers.
    ServiceServer failing =
        services.start(
            (vertx, config) ->
                Future.succeededFuture(
                        ServiceServer.create(vertx, config)
                            .method(
                                "Profile.GetProfiles",
                                req -> {
                                  throw new IllegalStateException("boom");
                                }))
                    .compose(s -> s.start())
                    .map(
                        s -> {
                          s.ready();
                          return s;
                        }),
            "profile-broken",
            Map.of());
    ServiceServer hanging =
        services.start(
            (vertx, config) -> {
              ServiceServer s =
                  ServiceServer.create(vertx, config)
                      .method("Geo.Nearby", req -> Promise.<JsonObject>promise().future());
              return s.start()
                  .map(
                      x -> {
                        s.ready();
                        return s;
                      });
            },
            "geo-hanging",
            Map.of());

    ServiceServer badProfile =
        services.hotel(Map.of("PROFILE_ADDR", "static:127.0.0.1:" + failing.port()));
    assertError(
        rates(badProfile, STAY, bearer), 502, "upstream profile failed Profile.GetProfiles: 500");

    // On a loaded machine auth itself may miss a tight budget (then the 504 names auth); the
    // property under test is that a hanging geo yields a bounded 504 naming geo, so retry.
    ServiceServer slowGeo =
        services.hotel(
            Map.of(
                "GEO_ADDR",
                "static:127.0.0.1:" + hanging.port(),
                "UPSTREAM_TIMEOUT_MS",
                "300",
                "REQUEST_TIMEOUT_MS",
                "20000"));
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              long start = System.nanoTime();
              assertError(rates(slowGeo, STAY, bearer), 504, "upstream geo timed out");
              assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(5000);
            });

    // The request budget bounds the whole call even when per-call timeouts are longer.
    ServiceServer bounded =
        services.hotel(
            Map.of(
                "GEO_ADDR",
                "static:127.0.0.1:" + hanging.port(),
                "UPSTREAM_TIMEOUT_MS",
                "5000",
                "REQUEST_TIMEOUT_MS",
                "400"));
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              long start = System.nanoTime();
              assertError(rates(bounded, STAY, bearer), 504, "upstream geo timed out");
              assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(5000);
            });
  }

  @Test
  void exposesHealthAndMetrics() {
    rates(hotel, STAY, bearer);
    var metrics =
        Services.HTTP
            .sendAsync(
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + hotel.port() + "/metrics"))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .join();
    assertThat(metrics.body())
        .contains(
            "rpc_server_requests_seconds_count{code=\"200\",method=\"Hotel.Rates\",service=\"hotel\"}");
  }
}
