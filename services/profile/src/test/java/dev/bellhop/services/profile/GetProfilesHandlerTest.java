package dev.bellhop.services.profile;

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

class GetProfilesHandlerTest {
  static Vertx vertx;
  static ServiceServer server;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    server =
        ProfileMain.start(vertx, ServiceConfig.from("profile", 0, Map.of("BIND_ADDR", "127.0.0.1")))
            .toCompletionStage()
            .toCompletableFuture()
            .get();
  }

  @AfterAll
  static void stop() {
    vertx.close();
  }

  static HttpResponse<String> call(String body) throws Exception {
    return RpcCalls.post(server.port(), "Profile.GetProfiles", body);
  }

  static JsonArray hotels(String body) throws Exception {
    HttpResponse<String> response = call(body);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return new JsonObject(response.body()).getJsonArray("hotels");
  }

  @Test
  void returnsProfilesInRequestOrderSkippingUnknownIds() throws Exception {
    JsonArray hotels = hotels("{\"hotelIds\":[\"12\",\"nope\",\"3\",\"100\"]}");
    assertThat(hotels.stream().map(h -> ((JsonObject) h).getString("id")))
        .containsExactly("12", "3", "100");
    JsonObject hotel = hotels.getJsonObject(0);
    assertThat(hotel.fieldNames())
        .contains("name", "phoneNumber", "description", "address", "images");
    assertThat(hotel.getString("description")).contains(hotel.getString("name")).contains(" is a ");
    assertThat(hotel.getJsonObject("address").getString("city")).isEqualTo("San Francisco");
    assertThat(hotel.getJsonArray("images").getJsonObject(0).getBoolean("default")).isTrue();
    assertThat(hotels("{\"hotelIds\":[]}")).isEmpty();
  }

  @Test
  void picksTheLocale() throws Exception {
    String en =
        hotels("{\"hotelIds\":[\"1\"],\"locale\":\"en\"}")
            .getJsonObject(0)
            .getString("description");
    String es =
        hotels("{\"hotelIds\":[\"1\"],\"locale\":\"es\"}")
            .getJsonObject(0)
            .getString("description");
    assertThat(es).isNotEqualTo(en).contains(" es un hotel ");
    assertThat(
            hotels("{\"hotelIds\":[\"1\"],\"locale\":\"es-MX\"}")
                .getJsonObject(0)
                .getString("description"))
        .isEqualTo(es);
    assertThat(
            hotels("{\"hotelIds\":[\"1\"],\"locale\":\"fr\"}")
                .getJsonObject(0)
                .getString("description"))
        .isEqualTo(en);
    assertThat(hotels("{\"hotelIds\":[\"1\"]}").getJsonObject(0).getString("description"))
        .isEqualTo(en);
  }

  @Test
  void rejectsBadInput() throws Exception {
    for (String[] bad :
        new String[][] {
          {"{}", "hotelIds is required"},
          {"{\"hotelIds\":\"1\"}", "hotelIds must be an array of strings"},
          {"{\"hotelIds\":[1,2]}", "hotelIds must be an array of strings"},
          {"{\"hotelIds\":[\"1\"],\"locale\":5}", "locale must be a string"},
          {"{\"hotelIds\":[" + "\"1\",".repeat(1000) + "\"1\"]}", "at most 1000"}
        }) {
      HttpResponse<String> response = call(bad[0]);
      assertThat(response.statusCode()).isEqualTo(400);
      assertThat(new JsonObject(response.body()).getString("detail")).contains(bad[1]);
    }
  }
}
