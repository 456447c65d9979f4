package dev.bellhop.services.hotel;

import dev.bellhop.services.common.client.RpcClient;
import dev.bellhop.services.common.client.UpstreamErrorException;
import dev.bellhop.services.common.client.UpstreamTimeoutException;
import dev.bellhop.services.common.rpc.Fields;
import dev.bellhop.services.common.rpc.RpcException;
import dev.bellhop.services.common.rpc.RpcHandler;
import dev.bellhop.services.common.rpc.RpcRequest;
import dev.bellhop.services.common.rpc.StayDates;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * {@code Hotel.Rates {inDate, outDate, lat?, lon?}} with {@code Authorization: Bearer <token>}. In
 * the original's order: verify the token, validate the dates, find nearby hotels, then fetch their
 * profiles and rates concurrently. Each upstream call gets the per-call timeout, cut to what is
 * left of the request's budget, so the whole request stays bounded.
 */
final class RatesHandler implements RpcHandler {
  /** The original's default search point (downtown San Francisco). */
  static final double DEFAULT_LAT = 37.7867;

  static final double DEFAULT_LON = -122.4112;

  private final Upstreams upstreams;

  RatesHandler(Upstreams upstreams) {
    this.upstreams = upstreams;
  }

  @Override
  public Future<JsonObject> handle(RpcRequest request) {
    String token = bearerToken(request.headers().get("authorization"));
    long deadline = System.nanoTime() + upstreams.requestTimeout().toNanos();
    JsonObject body = request.body();
    return call(
            upstreams.auth(),
            "Auth.VerifyToken",
            new JsonObject().put("authToken", token),
            deadline)
        .compose(
            customer -> {
              StayDates stay = StayDates.from(body);
              Double lat = Fields.optionalDouble(body, "lat", null);
              Double lon = Fields.optionalDouble(body, "lon", null);
              if ((lat == null) != (lon == null)) {
                throw RpcException.badRequest("lat and lon go together: give both or neither");
              }
              if (lat != null && (lat < -90 || lat > 90 || lon < -180 || lon > 180)) {
                throw RpcException.badRequest(
                    "lat must be within [-90, 90] and lon within [-180, 180]");
              }
              JsonObject nearby =
                  new JsonObject()
                      .put("lat", lat == null ? DEFAULT_LAT : lat)
                      .put("lon", lon == null ? DEFAULT_LON : lon);
              return call(upstreams.geo(), "Geo.Nearby", nearby, deadline)
                  .compose(
                      found -> {
                        JsonArray ids = found.getJsonArray("hotelIds", new JsonArray());
                        if (ids.isEmpty()) {
                          return Future.succeededFuture(
                              new JsonObject()
                                  .put("hotels", new JsonArray())
                                  .put("ratePlans", new JsonArray()));
                        }
                        Future<JsonObject> profiles =
                            call(
                                upstreams.profile(),
                                "Profile.GetProfiles",
                                new JsonObject().put("hotelIds", ids).put("locale", "en"),
                                deadline);
                        Future<JsonObject> rates =
                            call(
                                upstreams.rate(),
                                "Rate.GetRates",
                                new JsonObject()
                                    .put("hotelIds", ids)
                                    .put("inDate", stay.inDate().toString())
                                    .put("outDate", stay.outDate().toString()),
                                deadline);
                        return Future.all(profiles, rates)
                            .map(
                                both ->
                                    new JsonObject()
                                        .put(
                                            "hotels",
                                            profiles
                                                .result()
                                                .getJsonArray("hotels", new JsonArray()))
                                        .put(
                                            "ratePlans",
                                            rates
                                                .result()
                                                .getJsonArray("ratePlans", new JsonArray())));
                      });
            });
  }

  /** 403 for a missing or malformed header: without a credential there is nothing to verify. */
  static String bearerToken(String header) {
    if (header == null) {
      throw RpcException.forbidden("Authorization: Bearer <token> required");
    }
    String value = header.trim();
    if (value.length() < 8
        || !value.regionMatches(true, 0, "Bearer ", 0, 7)
        || value.substring(7).isBlank()
        || value.substring(7).trim().contains(" ")) {
      throw RpcException.forbidden("malformed Authorization header: expected Bearer <token>");
    }
    return value.substring(7).trim();
  }

  /** One upstream call, its failure turned into the status the caller sees. */
  private Future<JsonObject> call(RpcClient client, String method, JsonObject body, long deadline) {
    long remainingMs = (deadline - System.nanoTime()) / 1_000_000L;
    if (remainingMs <= 0) {
      return Future.failedFuture(
          new RpcException(
              504,
              "request budget of "
                  + upstreams.requestTimeout().toMillis()
                  + " ms used up before calling "
                  + client.upstream()));
    }
    long timeout = Math.min(upstreams.callTimeout().toMillis(), remainingMs);
    return client
        .call(method, body, timeout)
        .recover(e -> Future.failedFuture(translate(client.upstream(), method, e)));
  }

  static RpcException translate(String upstream, String method, Throwable e) {
    if (e instanceof UpstreamErrorException error) {
      if (upstream.equals("auth") && error.code() == 401) {
        return RpcException.unauthorized(error.detail());
      }
      return new RpcException(
          502,
          "upstream "
              + upstream
              + " failed "
              + method
              + ": "
              + error.code()
              + " "
              + error.detail());
    }
    if (e instanceof UpstreamTimeoutException) {
      return new RpcException(504, "upstream " + upstream + " timed out: " + e.getMessage());
    }
    return new RpcException(502, "upstream " + upstream + " unavailable: " + e.getMessage());
  }
}
