package dev.bellhop.services.rate;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * rates.json: per hotel and room type, parallel arrays of nightly amounts from {@code firstNight}
 * ({@code null} = sold out). Held as cents, so stay totals add up exactly.
 */
public final class RateTable {
  static final int SOLD_OUT = -1;

  /** One room type's nightly amounts in cents; {@link #SOLD_OUT} where it cannot be booked. */
  public record RoomRates(
      String code, String description, int[] bookable, int[] total, int[] inclusive) {}

  private final String currency;
  private final LocalDate firstNight;
  private final int nights;
  private final Map<String, List<RoomRates>> byHotel;

  private RateTable(
      String currency, LocalDate firstNight, int nights, Map<String, List<RoomRates>> byHotel) {
    this.currency = currency;
    this.firstNight = firstNight;
    this.nights = nights;
    this.byHotel = byHotel;
  }

  public static RateTable parse(Buffer json) {
    JsonObject root = new JsonObject(json);
    int nights = root.getInteger("nights");
    Map<String, List<RoomRates>> byHotel = new HashMap<>();
    for (Object h : root.getJsonArray("hotels")) {
      JsonObject hotel = (JsonObject) h;
      List<RoomRates> rooms = new ArrayList<>();
      for (Object r : hotel.getJsonArray("roomTypes")) {
        JsonObject room = (JsonObject) r;
        rooms.add(
            new RoomRates(
                room.getString("code"),
                room.getString("description"),
                cents(room.getJsonArray("bookable"), nights),
                cents(room.getJsonArray("total"), nights),
                cents(room.getJsonArray("inclusive"), nights)));
      }
      byHotel.put(hotel.getString("hotelId"), List.copyOf(rooms));
    }
    return new RateTable(
        root.getString("currency"),
        LocalDate.parse(root.getString("firstNight")),
        nights,
        Map.copyOf(byHotel));
  }

  private static int[] cents(JsonArray amounts, int nights) {
    if (amounts.size() != nights) {
      throw new IllegalArgumentException(
          "expected " + nights + " nightly amounts, got " + amounts.size());
    }
    int[] out = new int[nights];
    for (int i = 0; i < nights; i++) {
      Object value = amounts.getValue(i);
      out[i] = value == null ? SOLD_OUT : (int) Math.round(((Number) value).doubleValue() * 100);
    }
    return out;
  }

  public String currency() {
    return currency;
  }

  public LocalDate firstNight() {
    return firstNight;
  }

  public int nights() {
    return nights;
  }

  public List<RoomRates> forHotel(String hotelId) {
    return byHotel.getOrDefault(hotelId, List.of());
  }
}
