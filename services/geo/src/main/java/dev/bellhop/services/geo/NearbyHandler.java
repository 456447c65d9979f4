package dev.bellhop.services.geo;

import dev.bellhop.services.common.rpc.Fields;
import dev.bellhop.services.common.rpc.RpcException;
import dev.bellhop.services.common.rpc.RpcHandler;
import dev.bellhop.services.common.rpc.RpcRequest;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** {@code Geo.Nearby {lat, lon, radiusKm = 10, limit = 5}} → {@code {hotelIds}}, nearest first. */
final class NearbyHandler implements RpcHandler {
  static final double DEFAULT_RADIUS_KM = 10;
  static final double MAX_RADIUS_KM = 100;
  static final int DEFAULT_LIMIT = 5;
  static final int MAX_LIMIT = 100;

  private final GeoIndex index;

  NearbyHandler(GeoIndex index) {
    this.index = index;
  }

  @Override
  public Future<JsonObject> handle(RpcRequest request) {
    JsonObject body = request.body();
    double lat = Fields.requiredDouble(body, "lat");
    double lon = Fields.requiredDouble(body, "lon");
    double radiusKm = Fields.optionalDouble(body, "radiusKm", DEFAULT_RADIUS_KM);
    int limit = Fields.optionalInt(body, "limit", DEFAULT_LIMIT);
    if (lat < -90 || lat > 90) {
      throw RpcException.badRequest("lat must be within [-90, 90], got " + lat);
    }
    if (lon < -180 || lon > 180) {
      throw RpcException.badRequest("lon must be within [-180, 180], got " + lon);
    }
    if (!(radiusKm > 0) || radiusKm > MAX_RADIUS_KM) {
      throw RpcException.badRequest(
          "radiusKm must be within (0, " + (int) MAX_RADIUS_KM + "], got " + radiusKm);
    }
    if (limit < 1 || limit > MAX_LIMIT) {
      throw RpcException.badRequest("limit must be within [1, " + MAX_LIMIT + "], got " + limit);
    }
    return Future.succeededFuture(
        new JsonObject().put("hotelIds", new JsonArray(index.nearby(lat, lon, radiusKm, limit))));
  }
}
