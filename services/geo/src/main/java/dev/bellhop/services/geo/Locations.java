package dev.bellhop.services.geo;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** locations.json: {@code [{"hotelId","lat","lon"}]}. */
public final class Locations {
  public record Point(String id, double lat, double lon) {}

  private Locations() {}

  public static List<Point> parse(Buffer json) {
    List<Point> points = new ArrayList<>();
    for (Object row : new JsonArray(json)) {
      JsonObject object = (JsonObject) row;
      points.add(
          new Point(object.getString("hotelId"), object.getDouble("lat"), object.getDouble("lon")));
    }
    return points;
  }
}
