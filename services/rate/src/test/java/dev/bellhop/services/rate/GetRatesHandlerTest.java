package dev.bellhop.services.rate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bellhop.services.common.server.ServiceConfig;
import dev.bellhop.services.common.server.ServiceServer;
import dev.bellhop.services.common.testing.RpcCalls;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GetRatesHandlerTest {
  // Two hotels, four nights from 2026-04-01; room "B" of hotel 1 is sold out on the third night.
  static final String RATES =
      """
      {"currency": "USD", "firstNight": "2026-04-01", "nights": 4, "hotels": [
        {"hotelId": "1", "roomTypes": [
          {"code": "A", "description": "Room A", "bookable": [100,110,120,130], "total": [114,125.4,136.8,148.2], "inclusive": [116,127.6,139.2,150.8]},
          {"code": "B", "description": "Room B", "bookable": [200,200,null,200], "total": [228,228,null,228], "inclusive": [230,230,null,230]}]},
        {"hotelId": "2", "roomTypes": [
          {"code": "A", "description": "Room A", "bookable": [90.5,90.5,90.5,90.5], "total": [103.17,103.17,103.17,103.17], "inclusive": [103.17,103.17,103.17,103.17]}]}
      ]}
      """;
  static Vertx vertx;
  static ServiceServer server;
  static ServiceServer real;

  @BeforeAll
  static void start(@TempDir Path dir) throws Exception {
    vertx = Vertx.vertx();
    Path file = dir.resolve("rates.json");
    Files.writeString(file, RATES);
    server =
        RateMain.start(
                vertx,
                ServiceConfig.from(
                    "rate", 0, Map.of("BIND_ADDR", "127.0.0.1", "RATES_FILE", file.toString())))
            .toCompletionStage()
            .toCompletableFuture()
            .get();
    real =
        RateMain.start(vertx, ServiceConfig.from("rate", 0, Map.of("BIND_ADDR", "127.0.0.1")))
            .toCompletionStage()
            .toCompletableFuture()
            .get();
  }

  @AfterAll
  static void stop() {
    vertx.close();
  }

  static HttpResponse<String> call(ServiceServer target, String body) throws Exception {
    return RpcCalls.post(target.port(), "Rate.GetRates", body);
  }

  static JsonArray plans(ServiceServer target, String ids, String in, String out) throws Exception {
    HttpResponse<String> response =
        call(
            target,
            "{\"hotelIds\":" + ids + ",\"inDate\":\"" + in + "\",\"outDate\":\"" + out + "\"}");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return new JsonObject(response.body()).getJsonArray("ratePlans");
  }

  @Test
  void sumsTheStayForEveryBookableRoomType() throws Exception {
    JsonArray plans = plans(server, "[\"2\",\"1\",\"9\"]", "2026-04-01", "2026-04-03");
    assertThat(plans).hasSize(3);
    JsonObject first = plans.getJsonObject(0);
    assertThat(first.getString("hotelId")).isEqualTo("2");
    assertThat(first.getInteger("nights")).isEqualTo(2);
    assertThat(first.getString("inDate")).isEqualTo("2026-04-01");
    assertThat(first.getString("outDate")).isEqualTo("2026-04-03");
    JsonObject room = first.getJsonObject("roomType");
    assertThat(room.getString("currency")).isEqualTo("USD");
    assertThat(new BigDecimal(room.getValue("bookableRate").toString()))
        .isEqualByComparingTo("181");
    assertThat(new BigDecimal(room.getValue("totalRate").toString()))
        .isEqualByComparingTo("206.34");
    JsonObject a = plans.getJsonObject(1).getJsonObject("roomType");
    assertThat(plans.getJsonObject(1).getString("code")).isEqualTo("A");
    assertThat(new BigDecimal(a.getValue("bookableRate").toString())).isEqualByComparingTo("210");
    assertThat(new BigDecimal(a.getValue("totalRate").toString())).isEqualByComparingTo("239.4");
    assertThat(new BigDecimal(a.getValue("totalRateInclusive").toString()))
        .isEqualByComparingTo("243.6");
    assertThat(plans.getJsonObject(2).getString("code")).isEqualTo("B");
  }

  @Test
  void leavesOutRoomsSoldOutOnAnyNight() throws Exception {
    JsonArray plans = plans(server, "[\"1\"]", "2026-04-02", "2026-04-04");
    assertThat(plans.stream().map(p -> ((JsonObject) p).getString("code"))).containsExactly("A");
    // the night of outDate is not stayed: B is bookable for 04-01..04-02
    assertThat(plans(server, "[\"1\"]", "2026-04-01", "2026-04-03")).hasSize(2);
  }

  @Test
  void nightsOutsideTheDataAreNotBookable() throws Exception {
    assertThat(plans(server, "[\"1\"]", "2026-03-31", "2026-04-02")).isEmpty();
    assertThat(plans(server, "[\"1\"]", "2026-04-04", "2026-04-06")).isEmpty();
    assertThat(plans(server, "[\"1\"]", "2026-04-04", "2026-04-05")).hasSize(2);
  }

  @Test
  void theRealDataCoversAFullYear() throws Exception {
    assertThat(plans(real, "[\"1\",\"50\",\"122\"]", "2026-01-01", "2026-01-31")).isNotEmpty();
    assertThat(plans(real, "[\"1\",\"50\",\"122\"]", "2027-12-01", "2027-12-31")).isNotEmpty();
  }

  @Test
  void rejectsBadInput() throws Exception {
    for (String[] bad :
        new String[][] {
          {
            "{\"hotelIds\":[\"1\"],\"inDate\":\"2026-04-02\",\"outDate\":\"2026-04-02\"}",
            "outDate must be after inDate"
          },
          {
            "{\"hotelIds\":[\"1\"],\"inDate\":\"2026-04-03\",\"outDate\":\"2026-04-02\"}",
            "outDate must be after inDate"
          },
          {
            "{\"hotelIds\":[\"1\"],\"inDate\":\"2026-04-01\",\"outDate\":\"2026-05-02\"}",
            "at most 30 nights"
          },
          {
            "{\"hotelIds\":[\"1\"],\"inDate\":\"04/01/2026\",\"outDate\":\"2026-05-02\"}",
            "ISO-8601"
          },
          {"{\"hotelIds\":[\"1\"],\"outDate\":\"2026-05-02\"}", "inDate is required"},
          {"{\"inDate\":\"2026-04-01\",\"outDate\":\"2026-04-02\"}", "hotelIds is required"},
          {
            "{\"hotelIds\":[null],\"inDate\":\"2026-04-01\",\"outDate\":\"2026-04-02\"}",
            "hotelIds must be an array of strings"
          }
        }) {
      HttpResponse<String> response = call(server, bad[0]);
      assertThat(response.statusCode()).as(bad[0]).isEqualTo(400);
      assertThat(new JsonObject(response.body()).getString("detail")).contains(bad[1]);
    }
    assertThat(plans(server, "[\"1\"]", "2026-04-01", "2026-05-01"))
        .isEmpty(); // 30 nights is allowed
  }

  @Test
  void parsesAmountsAsCents() {
    RateTable table = RateTable.parse(Buffer.buffer(RATES));
    assertThat(table.forHotel("2").get(0).bookable()).containsExactly(9050, 9050, 9050, 9050);
    assertThat(table.forHotel("1").get(1).bookable()[2]).isEqualTo(RateTable.SOLD_OUT);
  }
}
