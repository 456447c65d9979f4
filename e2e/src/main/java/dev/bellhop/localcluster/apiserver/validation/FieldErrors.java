package dev.bellhop.localcluster.apiserver.validation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bellhop.localcluster.apiserver.ApiError.Cause;
import java.util.List;
import java.util.stream.Collectors;

/**
 * kube's field errors (apimachinery {@code util/validation/field}) as Status causes: the reason is
 * the ErrorType, the message is {@code ErrorBody()} ("Invalid value: 3: detail"), so that {@link
 * dev.bellhop.localcluster.apiserver.ApiError#invalid} prints them as kubectl shows them.
 */
final class FieldErrors {
  /** The field of an error with no path: Go prints a nil {@code *field.Path} so. */
  static final String NO_PATH = "<nil>";

  private FieldErrors() {}

  static Cause required(String path, String detail) {
    return new Cause("FieldValueRequired", path, withDetail("Required value", detail));
  }

  static Cause forbidden(String path, String detail) {
    return new Cause("FieldValueForbidden", path, withDetail("Forbidden", detail));
  }

  static Cause invalid(String path, String renderedValue, String detail) {
    return new Cause(
        "FieldValueInvalid", path, withDetail("Invalid value: " + renderedValue, detail));
  }

  static Cause typeInvalid(String path, String renderedValue, String detail) {
    return new Cause(
        "FieldValueTypeInvalid", path, withDetail("Invalid value: " + renderedValue, detail));
  }

  static Cause notSupported(String path, String renderedValue, List<String> supported) {
    String detail =
        supported.isEmpty()
            ? ""
            : "supported values: "
                + supported.stream().map(FieldErrors::quote).collect(Collectors.joining(", "));
    return new Cause(
        "FieldValueNotSupported", path, withDetail("Unsupported value: " + renderedValue, detail));
  }

  /** kube leaves the too-long value out of the message. */
  static Cause tooLong(String path, long max) {
    return new Cause("FieldValueTooLong", path, "Too long: may not be longer than " + max);
  }

  static Cause tooMany(String path, long actual, long max) {
    return new Cause(
        "FieldValueTooMany", path, "Too many: " + actual + ": must have at most " + max + " items");
  }

  static Cause duplicate(String path, String renderedValue) {
    return new Cause("FieldValueDuplicate", path, "Duplicate value: " + renderedValue);
  }

  private static String withDetail(String body, String detail) {
    return detail == null || detail.isEmpty() ? body : body + ": " + detail;
  }

  /**
   * A value as Go's {@code %v} prints it in a field error: strings quoted, numbers bare, null as
   * "null".
   */
  static String render(JsonNode value) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      return "null";
    }
    if (value.isTextual()) {
      return quote(value.textValue());
    }
    if (value.isIntegralNumber()) {
      return value.bigIntegerValue().toString();
    }
    if (value.isNumber()) {
      return goFloat(value.doubleValue());
    }
    // Go prints maps and slices as map[...] / []interface{}{...}; JSON says the same and can be
    // read.
    return value.toString();
  }

  /**
   * Go's {@code %v} of a float64: shortest representation, exponent only for very large or small
   * values.
   */
  static String goFloat(double d) {
    if (d == Math.rint(d) && Math.abs(d) < 1e21) {
      return Long.toString((long) d);
    }
    return Double.toString(d).replace("E", "e+").replace("e+-", "e-");
  }

  /** Go's {@code %q}. */
  static String quote(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\t' -> out.append("\\t");
        case '\r' -> out.append("\\r");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\x%02x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }

  /** kube's field path: {@code spec.consul} then {@code .tags}, {@code [2]}. */
  static String child(String path, String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  static String index(String path, int i) {
    return path + "[" + i + "]";
  }
}
