package dev.bellhop.services.common.rpc;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Typed access to request fields. Every wrong type or missing required field becomes a 400 with a
 * detail naming the field, instead of a ClassCastException and a 500.
 */
public final class Fields {
  private Fields() {}

  public static String requiredString(JsonObject body, String name) {
    String value = optionalString(body, name, null);
    if (value == null || value.isEmpty()) {
      throw RpcException.badRequest(name + " is required");
    }
    return value;
  }

  public static String optionalString(JsonObject body, String name, String fallback) {
    String value = typed(body, name, String.class, "a string");
    return value == null ? fallback : value;
  }

  public static Double optionalDouble(JsonObject body, String name, Double fallback) {
    Number n = typed(body, name, Number.class, "a number");
    if (n == null) {
      return fallback;
    }
    double d = n.doubleValue();
    if (!Double.isFinite(d)) {
      throw RpcException.badRequest(name + " must be a finite number");
    }
    return d;
  }

  public static double requiredDouble(JsonObject body, String name) {
    Double value = optionalDouble(body, name, null);
    if (value == null) {
      throw RpcException.badRequest(name + " is required");
    }
    return value;
  }

  public static Integer optionalInt(JsonObject body, String name, Integer fallback) {
    Number n = typed(body, name, Number.class, "an integer");
    if (n == null) {
      return fallback;
    }
    if (n.doubleValue() != Math.rint(n.doubleValue())
        || Math.abs(n.doubleValue()) > Integer.MAX_VALUE) {
      throw RpcException.badRequest(name + " must be an integer");
    }
    return n.intValue();
  }

  /** A required array of strings, at most {@code max} long. */
  public static List<String> stringList(JsonObject body, String name, int max) {
    Object value = body.getValue(name);
    if (value == null) {
      throw RpcException.badRequest(name + " is required");
    }
    if (!(value instanceof JsonArray array)) {
      throw RpcException.badRequest(name + " must be an array of strings");
    }
    if (array.size() > max) {
      throw RpcException.badRequest(
          name + " has " + array.size() + " entries, at most " + max + " allowed");
    }
    List<String> out = new ArrayList<>(array.size());
    for (Object item : array) {
      if (!(item instanceof String s)) {
        throw RpcException.badRequest(name + " must be an array of strings");
      }
      out.add(s);
    }
    return out;
  }

  /** A required ISO-8601 calendar date (yyyy-MM-dd). */
  public static LocalDate requiredDate(JsonObject body, String name) {
    String value = requiredString(body, name);
    try {
      return LocalDate.parse(value);
    } catch (DateTimeParseException e) {
      throw RpcException.badRequest(
          name + " must be an ISO-8601 date (yyyy-MM-dd), got \"" + value + "\"");
    }
  }

  /**
   * The field as a {@code type}, or null when absent; a 400 "{@code <name> must be <what>}" when it
   * is another type.
   */
  private static <T> T typed(JsonObject body, String name, Class<T> type, String what) {
    Object value = body.getValue(name);
    if (value == null) {
      return null;
    }
    if (!type.isInstance(value)) {
      throw RpcException.badRequest(name + " must be " + what);
    }
    return type.cast(value);
  }
}
