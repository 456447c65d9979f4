package dev.bellhop.services.geo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bellhop.services.common.server.ServiceConfig;
import dev.bellhop.services.common.server.ServiceServer;
import dev.bellhop.services.common.testing.RpcCalls;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class NearbyHandlerTest {
  static Vertx vertx;
  static ServiceServer server;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    server =
        GeoMain.start(vertx, ServiceConfig.from("geo", 0, Map.of("BIND_ADDR", "127.0.0.1")))
            .toCompletionStage()
            .toCompletableFuture()
            .get();
  }

  @AfterAll
  static void stop() {
    vertx.close();
  }

  static HttpResponse<String> nearby(String body) throws Exception {
    return RpcCalls.post(server.port(), "Geo.Nearby", body);
  }

  static JsonArray ids(String body) throws Exception {
    HttpResponse<String> response = nearby(body);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return new JsonObject(response.body()).getJsonArray("hotelIds");
  }

  static void assertError(String body, String detail) throws Exception {
    HttpResponse<String> response = nearby(body);
    assertThat(response.statusCode()).isEqualTo(400);
    JsonObject error = new JsonObject(response.body());
    assertThat(error.getString("id")).isEqualTo("go.micro.srv.geo");
    assertThat(error.getString("status")).isEqualTo("Bad Request");
    assertThat(error.getString("detail")).contains(detail);
  }

  @Test
  void returnsTheNearestFiveByDefault() throws Exception {
    JsonArray ids = ids("{\"lat\":37.7867,\"lon\":-122.4112}");
    assertThat(ids).hasSize(5);
    assertThat(ids("{\"lat\":37.7867,\"lon\":-122.4112}")).isEqualTo(ids); // deterministic
    assertThat(ids("{\"lat\":37.7867,\"lon\":-122.4112,\"limit\":1}").getString(0))
        .isEqualTo(ids.getString(0));
    assertThat(ids("{\"lat\":37.7867,\"lon\":-122.4112,\"limit\":100,\"radiusKm\":100}"))
        .hasSize(100);
  }

  @Test
  void honoursTheRadius() throws Exception {
    assertThat(ids("{\"lat\":40.7128,\"lon\":-74.0060}"))
        .isEmpty(); // New York: nothing within 10 km
    assertThat(ids("{\"lat\":37.7867,\"lon\":-122.4112,\"radiusKm\":0.001}")).isEmpty();
  }

  @Test
  void rejectsBadInput() throws Exception {
    assertError("{\"lat\":91,\"lon\":0}", "lat must be within");
    assertError("{\"lat\":0,\"lon\":-180.5}", "lon must be within");
    assertError("{\"lat\":\"37.7\",\"lon\":-122.4}", "lat must be a number");
    assertError("{\"lon\":-122.4}", "lat is required");
    assertError("{\"lat\":37.7,\"lon\":-122.4,\"limit\":0}", "limit must be within");
    assertError("{\"lat\":37.7,\"lon\":-122.4,\"limit\":101}", "limit must be within");
    assertError("{\"lat\":37.7,\"lon\":-122.4,\"limit\":2.5}", "limit must be an integer");
    assertError("{\"lat\":37.7,\"lon\":-122.4,\"radiusKm\":0}", "radiusKm must be within");
    assertError("{\"lat\":37.7,\"lon\":-122.4,\"radiusKm\":1000}", "radiusKm must be within");
    assertError("{\"lat\":1e400,\"lon\":-122.4}", "lat");
  }
}
