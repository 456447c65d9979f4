package dev.bellhop.localcluster.apiserver.validation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bellhop.localcluster.apiserver.ApiError.Cause;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The OpenAPI value validations kube-apiserver runs on a custom resource (kube-openapi's {@code
 * validate} package), keyword by keyword in its order for each node: type (a wrong type stops
 * there), string length and pattern, format, number bounds, list sizes and items, enum, object
 * sizes, required and properties, then allOf/anyOf/oneOf/not. Messages are go-openapi's
 * ("spec.replicas in body should be less than or equal to 7"), turned into field causes the way
 * apiextensions-apiserver's {@code kubeOpenAPIResultToFieldErrors} does.
 */
final class ValueValidation {
  private static final BigInteger INT32_MIN = BigInteger.valueOf(Integer.MIN_VALUE);
  private static final BigInteger INT32_MAX = BigInteger.valueOf(Integer.MAX_VALUE);
  private static final BigInteger INT64_MIN = BigInteger.valueOf(Long.MIN_VALUE);
  private static final BigInteger INT64_MAX = BigInteger.valueOf(Long.MAX_VALUE);
  private static final Pattern UUID =
      Pattern.compile("(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$");
  private static final Pattern IPV4 =
      Pattern.compile(
          "^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$");
  private static final Pattern HOSTNAME =
      Pattern.compile(
          "^([a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?)(\\.[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?)*\\.?$");
  private static final Pattern DATE = Pattern.compile("^\\d{4}-\\d{2}-\\d{2}$");

  private ValueValidation() {}

  static void validate(JsonNode value, Schema s, String path, List<Cause> out) {
    if (s == null) {
      return;
    }
    String field = path.isEmpty() ? FieldErrors.NO_PATH : path;
    String name = path.isEmpty() ? "." : path;
    if (value.isNull()) {
      if (!s.nullable && (s.type != null || s.intOrString)) {
        out.add(
            FieldErrors.typeInvalid(
                field,
                "\"null\"",
                name + " in body must be of type " + expected(s) + ": \"null\""));
      }
      return;
    }
    if (!typeMatches(value, s)) {
      out.add(
          FieldErrors.typeInvalid(
              field,
              FieldErrors.quote(typeOf(value)),
              name
                  + " in body must be of type "
                  + expected(s)
                  + ": "
                  + FieldErrors.quote(typeOf(value))));
      return;
    }
    if (value.isTextual()) {
      strings(value.textValue(), s, field, name, out);
    }
    if (value.isNumber()) {
      numbers(value, s, field, name, out);
    }
    if (value.isArray()) {
      atLeast(value, s.minItems, "items", field, name, out);
      if (s.maxItems != null && value.size() > s.maxItems) {
        out.add(FieldErrors.tooMany(field, value.size(), s.maxItems));
      }
      for (int i = 0; i < value.size(); i++) {
        validate(value.get(i), s.items, FieldErrors.index(path, i), out);
      }
    }
    if (!s.enumValues.isEmpty() && s.enumValues.stream().noneMatch(e -> same(e, value))) {
      List<String> supported = new ArrayList<>();
      s.enumValues.forEach(e -> supported.add(e.isTextual() ? e.textValue() : e.toString()));
      out.add(FieldErrors.notSupported(field, FieldErrors.render(value), supported));
    }
    if (value.isObject()) {
      objects(value, s, path, field, name, out);
    }
    combinators(value, s, path, field, name, out);
  }

  private static void strings(String text, Schema s, String field, String name, List<Cause> out) {
    long length = text.codePointCount(0, text.length());
    if (s.maxLength != null && length > s.maxLength) {
      out.add(FieldErrors.tooLong(field, s.maxLength));
    }
    if (s.minLength != null && length < s.minLength) {
      out.add(
          FieldErrors.invalid(
              field,
              FieldErrors.quote(text),
              name + " in body should be at least " + s.minLength + " chars long"));
    }
    if (s.pattern != null && !s.pattern.matcher(text).find()) {
      out.add(
          FieldErrors.invalid(
              field,
              FieldErrors.quote(text),
              name + " in body should match '" + s.patternSource + "'"));
    }
    if (s.format != null && !s.intOrString && !formatMatches(s.format, text)) {
      out.add(
          FieldErrors.typeInvalid(
              field,
              FieldErrors.quote(text),
              name + " in body must be of type " + s.format + ": " + FieldErrors.quote(text)));
    }
  }

  /**
   * Bounds. A value outside its format's range (int32, int64) is refused as kube-openapi refuses
   * it; kube reports that one without a field ("&lt;nil&gt;"), this names the field.
   */
  private static void numbers(
      JsonNode value, Schema s, String field, String name, List<Cause> out) {
    BigDecimal v = value.decimalValue();
    boolean integral = value.isIntegralNumber() || v.stripTrailingZeros().scale() <= 0;
    if ("integer".equals(s.type) || s.intOrString) {
      BigInteger i = v.toBigInteger();
      boolean int32 = "int32".equals(s.format);
      BigInteger min = int32 ? INT32_MIN : INT64_MIN;
      BigInteger max = int32 ? INT32_MAX : INT64_MAX;
      if (i.compareTo(min) < 0 || i.compareTo(max) > 0) {
        out.add(
            FieldErrors.invalid(
                field,
                FieldErrors.render(value),
                "Checked value must be of type integer with format "
                    + (int32 ? "int32" : "int64")
                    + " in "
                    + name));
      }
    } else if ("number".equals(s.type)
        && ("float".equals(s.format) || "float32".equals(s.format))
        && Math.abs(v.doubleValue()) > Float.MAX_VALUE) {
      out.add(
          FieldErrors.invalid(
              field,
              FieldErrors.render(value),
              "Checked value must be of type number with format " + s.format + " in " + name));
    }
    if (s.multipleOf != null
        && s.multipleOf.signum() > 0
        && v.remainder(s.multipleOf).compareTo(BigDecimal.ZERO) != 0) {
      out.add(
          FieldErrors.invalid(
              field,
              FieldErrors.render(value),
              name + " in body should be a multiple of " + bound(s.multipleOf, integral)));
    }
    if (s.maximum != null) {
      int c = v.compareTo(s.maximum);
      if (c > 0 || (s.exclusiveMaximum && c == 0)) {
        out.add(
            FieldErrors.invalid(
                field,
                FieldErrors.render(value),
                name
                    + " in body should be less than "
                    + (s.exclusiveMaximum ? "" : "or equal to ")
                    + bound(s.maximum, integral)));
      }
    }
    if (s.minimum != null) {
      int c = v.compareTo(s.minimum);
      if (c < 0 || (s.exclusiveMinimum && c == 0)) {
        out.add(
            FieldErrors.invalid(
                field,
                FieldErrors.render(value),
                name
                    + " in body should be greater than "
                    + (s.exclusiveMinimum ? "" : "or equal to ")
                    + bound(s.minimum, integral)));
      }
    }
  }

  /** go-openapi compares an integer with the bound cast to int64, and prints it so. */
  private static String bound(BigDecimal b, boolean integral) {
    return integral ? b.toBigInteger().toString() : FieldErrors.goFloat(b.doubleValue());
  }

  private static void objects(
      JsonNode value, Schema s, String path, String field, String name, List<Cause> out) {
    if (s.maxProperties != null && value.size() > s.maxProperties) {
      out.add(FieldErrors.tooMany(field, value.size(), s.maxProperties));
    }
    atLeast(value, s.minProperties, "properties", field, name, out);
    for (String required : s.required) {
      if (!value.has(required)) {
        out.add(FieldErrors.required(FieldErrors.child(path, required), ""));
      }
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      validate(e.getValue(), s.property(e.getKey()), FieldErrors.child(path, e.getKey()), out);
    }
  }

  /** minItems and minProperties, worded alike by go-openapi. */
  private static void atLeast(
      JsonNode value, Long min, String what, String field, String name, List<Cause> out) {
    if (min != null && value.size() < min) {
      out.add(
          FieldErrors.invalid(
              field,
              Integer.toString(value.size()),
              name + " in body should have at least " + min + " " + what));
    }
  }

  private static void combinators(
      JsonNode value, Schema s, String path, String field, String name, List<Cause> out) {
    for (Schema all : s.allOf) {
      validate(value, all, path, out);
    }
    if (!s.anyOf.isEmpty() && s.anyOf.stream().noneMatch(b -> passes(value, b, path))) {
      out.add(
          FieldErrors.invalid(
              field, "\"\"", name + " in body must validate at least one schema (anyOf)"));
    }
    if (!s.oneOf.isEmpty() && s.oneOf.stream().filter(b -> passes(value, b, path)).count() != 1) {
      out.add(
          FieldErrors.invalid(
              field, "\"\"", name + " in body must validate one and only one schema (oneOf)"));
    }
    if (s.not != null && passes(value, s.not, path)) {
      out.add(
          FieldErrors.invalid(field, "\"\"", name + " in body must not validate the schema (not)"));
    }
  }

  private static boolean passes(JsonNode value, Schema branch, String path) {
    List<Cause> errors = new ArrayList<>();
    validate(value, branch, path, errors);
    return errors.isEmpty();
  }

  private static boolean typeMatches(JsonNode v, Schema s) {
    if (s.intOrString) {
      return v.isTextual() || integral(v);
    }
    if (s.type == null || s.type.isEmpty()) {
      return true;
    }
    return switch (s.type) {
      case "object" -> v.isObject();
      case "array" -> v.isArray();
      case "string" -> v.isTextual();
      case "boolean" -> v.isBoolean();
      case "number" -> v.isNumber();
      case "integer" -> integral(v);
      default -> true;
    };
  }

  private static boolean integral(JsonNode v) {
    return v.isIntegralNumber()
        || (v.isNumber() && v.decimalValue().stripTrailingZeros().scale() <= 0);
  }

  private static String expected(Schema s) {
    return s.intOrString ? "integer,string" : s.type;
  }

  private static String typeOf(JsonNode v) {
    if (v.isNull()) {
      return "null";
    }
    if (v.isTextual()) {
      return "string";
    }
    if (v.isBoolean()) {
      return "boolean";
    }
    if (v.isNumber()) {
      return integral(v) ? "integer" : "number";
    }
    return v.isArray() ? "array" : "object";
  }

  /** JSON equality where 1 and 1.0 are the same number (enum, sets). */
  static boolean same(JsonNode a, JsonNode b) {
    if (a.isNumber() && b.isNumber()) {
      return a.decimalValue().compareTo(b.decimalValue()) == 0;
    }
    return a.equals(b);
  }

  /**
   * The string formats kube-apiserver checks that CRDs here use; others pass, as unknown formats do
   * in kube.
   */
  private static boolean formatMatches(String format, String text) {
    try {
      return switch (format) {
        case "date-time", "datetime" -> {
          java.time.OffsetDateTime.parse(text);
          yield true;
        }
        case "date" -> DATE.matcher(text).matches() && java.time.LocalDate.parse(text) != null;
        case "byte" -> {
          Base64.getDecoder().decode(text);
          yield true;
        }
        case "uuid" -> UUID.matcher(text).matches();
        case "ipv4" -> IPV4.matcher(text).matches();
        case "hostname" -> text.length() <= 255 && HOSTNAME.matcher(text).matches();
        default -> true;
      };
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * {@code x-kubernetes-list-type} invariants, checked after the value validations as kube's {@code
   * structurallisttype} does: no two equal items in a set, no two items with the same keys in a map
   * list.
   */
  static void listTypes(JsonNode value, Schema s, String path, List<Cause> out) {
    if (s == null || value == null) {
      return;
    }
    if (value.isArray()) {
      if ("set".equals(s.listType)) {
        List<JsonNode> seen = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
          JsonNode item = value.get(i);
          if (seen.stream().anyMatch(x -> same(x, item))) {
            out.add(FieldErrors.duplicate(FieldErrors.index(path, i), FieldErrors.render(item)));
          }
          seen.add(item);
        }
      } else if ("map".equals(s.listType)) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < value.size(); i++) {
          var keys = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
          for (String k : s.listMapKeys) {
            JsonNode kv = value.get(i).get(k);
            keys.set(
                k,
                kv == null && s.items != null && s.items.property(k) != null
                    ? s.items.property(k).defaultValue
                    : kv);
          }
          if (!seen.add(keys.toString())) {
            out.add(FieldErrors.duplicate(FieldErrors.index(path, i), keys.toString()));
          }
        }
      }
      for (int i = 0; i < value.size(); i++) {
        listTypes(value.get(i), s.items, FieldErrors.index(path, i), out);
      }
    } else if (value.isObject()) {
      value
          .fields()
          .forEachRemaining(
              e ->
                  listTypes(
                      e.getValue(),
                      s.property(e.getKey()),
                      FieldErrors.child(path, e.getKey()),
                      out));
    }
  }
}
