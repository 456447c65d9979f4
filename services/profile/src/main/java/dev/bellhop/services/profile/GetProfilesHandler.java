package dev.bellhop.services.profile;

import dev.bellhop.services.common.rpc.Fields;
import dev.bellhop.services.common.rpc.RpcHandler;
import dev.bellhop.services.common.rpc.RpcRequest;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * {@code Profile.GetProfiles {hotelIds, locale = "en"}} → {@code {hotels}} in request order,
 * unknown ids left out.
 */
final class GetProfilesHandler implements RpcHandler {
  static final int MAX_IDS = 1000;

  private final Profiles profiles;

  GetProfilesHandler(Profiles profiles) {
    this.profiles = profiles;
  }

  @Override
  public Future<JsonObject> handle(RpcRequest request) {
    List<String> ids = Fields.stringList(request.body(), "hotelIds", MAX_IDS);
    String locale = Fields.optionalString(request.body(), "locale", Profiles.DEFAULT_LOCALE);
    JsonArray hotels = new JsonArray();
    for (String id : ids) {
      JsonObject hotel = profiles.get(id, locale);
      if (hotel != null) {
        hotels.add(hotel);
      }
    }
    return Future.succeededFuture(new JsonObject().put("hotels", hotels));
  }
}
