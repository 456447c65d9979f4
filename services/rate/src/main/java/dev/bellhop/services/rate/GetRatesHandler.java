package dev.bellhop.services.rate;

import dev.bellhop.services.common.rpc.Fields;
import dev.bellhop.services.common.rpc.RpcHandler;
import dev.bellhop.services.common.rpc.RpcRequest;
import dev.bellhop.services.common.rpc.StayDates;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * {@code Rate.GetRates {hotelIds, inDate, outDate}} → {@code {ratePlans}}: one plan per hotel and
 * room type bookable on every night of the stay, with the stay's totals. Nights outside the data's
 * range count as not bookable.
 */
final class GetRatesHandler implements RpcHandler {
  static final int MAX_IDS = 1000;

  private final RateTable rates;

  GetRatesHandler(RateTable rates) {
    this.rates = rates;
  }

  @Override
  public Future<JsonObject> handle(RpcRequest request) {
    List<String> ids = Fields.stringList(request.body(), "hotelIds", MAX_IDS);
    StayDates stay = StayDates.from(request.body());
    int from = (int) ChronoUnit.DAYS.between(rates.firstNight(), stay.inDate());
    int to = from + stay.nights(); // exclusive: the night of outDate is not stayed
    JsonArray plans = new JsonArray();
    if (from >= 0 && to <= rates.nights()) {
      for (String hotelId : new LinkedHashSet<>(ids)) {
        for (RateTable.RoomRates room : rates.forHotel(hotelId)) {
          long bookable = sum(room.bookable(), from, to);
          if (bookable < 0) {
            continue;
          }
          plans.add(
              new JsonObject()
                  .put("hotelId", hotelId)
                  .put("code", room.code())
                  .put("inDate", stay.inDate().toString())
                  .put("outDate", stay.outDate().toString())
                  .put("nights", stay.nights())
                  .put(
                      "roomType",
                      new JsonObject()
                          .put("code", room.code())
                          .put("description", room.description())
                          .put("currency", rates.currency())
                          .put("bookableRate", money(bookable))
                          .put("totalRate", money(sum(room.total(), from, to)))
                          .put("totalRateInclusive", money(sum(room.inclusive(), from, to)))));
        }
      }
    }
    return Future.succeededFuture(new JsonObject().put("ratePlans", plans));
  }

  /** The stay's total in cents, or -1 when any night is sold out. */
  private static long sum(int[] nightly, int from, int to) {
    long total = 0;
    for (int i = from; i < to; i++) {
      if (nightly[i] == RateTable.SOLD_OUT) {
        return -1;
      }
      total += nightly[i];
    }
    return total;
  }

  private static BigDecimal money(long cents) {
    return BigDecimal.valueOf(cents, 2);
  }
}
