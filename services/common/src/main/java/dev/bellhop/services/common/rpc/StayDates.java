package dev.bellhop.services.common.rpc;

import io.vertx.core.json.JsonObject;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;

/**
 * A validated stay: {@code outDate} after {@code inDate}, at most {@link #MAX_NIGHTS} nights.
 * Shared by Rate.GetRates and Hotel.Rates so both reject the same requests the same way.
 */
public record StayDates(LocalDate inDate, LocalDate outDate) {
  public static final int MAX_NIGHTS = 30;

  public static StayDates from(JsonObject body) {
    LocalDate in = Fields.requiredDate(body, "inDate");
    LocalDate out = Fields.requiredDate(body, "outDate");
    long nights = ChronoUnit.DAYS.between(in, out);
    if (nights < 1) {
      throw RpcException.badRequest("outDate must be after inDate");
    }
    if (nights > MAX_NIGHTS) {
      throw RpcException.badRequest("a stay is at most " + MAX_NIGHTS + " nights, got " + nights);
    }
    return new StayDates(in, out);
  }

  public int nights() {
    return (int) ChronoUnit.DAYS.between(inDate, outDate);
  }
}
