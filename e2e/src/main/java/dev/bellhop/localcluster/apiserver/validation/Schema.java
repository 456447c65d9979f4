package dev.bellhop.localcluster.apiserver.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One node of a CRD's structural {@code openAPIV3Schema}, parsed once per CRD version: the keywords
 * kube-apiserver acts on (value validations, pruning and defaulting extensions, list types, {@code
 * x-kubernetes-validations}) and nothing else ({@code description}, {@code example} are ignored, as
 * kube does at request time).
 */
final class Schema {
  final String type;
  final String format;
  final boolean nullable;
  final boolean preserveUnknownFields;
  final boolean intOrString;
  final boolean embeddedResource;
  final Map<String, Schema> properties;
  final Schema additionalProperties;
  final Schema items;
  final List<String> required;
  final List<JsonNode> enumValues;
  final BigDecimal maximum;
  final boolean exclusiveMaximum;
  final BigDecimal minimum;
  final boolean exclusiveMinimum;
  final BigDecimal multipleOf;
  final Long maxLength;
  final Long minLength;
  final Long maxItems;
  final Long minItems;
  final Long maxProperties;
  final Long minProperties;
  final String patternSource;
  final Pattern pattern;
  final JsonNode defaultValue;
  final String listType;
  final List<String> listMapKeys;
  final List<Schema> allOf;
  final List<Schema> anyOf;
  final List<Schema> oneOf;
  final Schema not;
  final List<CelRules.Rule> rules;

  private Schema(JsonNode n, CelRules cel) {
    type = text(n, "type");
    format = text(n, "format");
    nullable = n.path("nullable").asBoolean(false);
    preserveUnknownFields = n.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
    intOrString = n.path("x-kubernetes-int-or-string").asBoolean(false);
    embeddedResource = n.path("x-kubernetes-embedded-resource").asBoolean(false);
    Map<String, Schema> props = new LinkedHashMap<>();
    n.path("properties")
        .fields()
        .forEachRemaining(e -> props.put(e.getKey(), new Schema(e.getValue(), cel)));
    properties = Collections.unmodifiableMap(props);
    additionalProperties =
        n.path("additionalProperties").isObject()
            ? new Schema(n.get("additionalProperties"), cel)
            : null;
    items = n.path("items").isObject() ? new Schema(n.get("items"), cel) : null;
    required = strings(n.path("required"));
    List<JsonNode> enums = new ArrayList<>();
    n.path("enum").forEach(enums::add);
    enumValues = List.copyOf(enums);
    maximum = decimal(n, "maximum");
    exclusiveMaximum = n.path("exclusiveMaximum").asBoolean(false);
    minimum = decimal(n, "minimum");
    exclusiveMinimum = n.path("exclusiveMinimum").asBoolean(false);
    multipleOf = decimal(n, "multipleOf");
    maxLength = integer(n, "maxLength");
    minLength = integer(n, "minLength");
    maxItems = integer(n, "maxItems");
    minItems = integer(n, "minItems");
    maxProperties = integer(n, "maxProperties");
    minProperties = integer(n, "minProperties");
    patternSource = text(n, "pattern");
    pattern = compile(patternSource);
    defaultValue = n.has("default") ? n.get("default") : null;
    listType = text(n, "x-kubernetes-list-type");
    listMapKeys = strings(n.path("x-kubernetes-list-map-keys"));
    allOf = list(n.path("allOf"), cel);
    anyOf = list(n.path("anyOf"), cel);
    oneOf = list(n.path("oneOf"), cel);
    not = n.path("not").isObject() ? new Schema(n.get("not"), cel) : null;
    rules = cel.compile(n.path("x-kubernetes-validations"));
  }

  /** Parses a version's {@code openAPIV3Schema}, compiling its CEL rules with {@code cel}. */
  static Schema parse(JsonNode openApiV3Schema, CelRules cel) {
    return new Schema(
        openApiV3Schema == null
            ? com.fasterxml.jackson.databind.node.MissingNode.getInstance()
            : openApiV3Schema,
        cel);
  }

  /** The schema of a property, or of any key when only {@code additionalProperties} is given. */
  Schema property(String name) {
    Schema s = properties.get(name);
    return s != null ? s : additionalProperties;
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static BigDecimal decimal(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || !v.isNumber() ? null : v.decimalValue();
  }

  private static Long integer(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || !v.isNumber() ? null : v.longValue();
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(v -> out.add(v.asText()));
    return List.copyOf(out);
  }

  private static List<Schema> list(JsonNode array, CelRules cel) {
    List<Schema> out = new ArrayList<>();
    array.forEach(v -> out.add(new Schema(v, cel)));
    return List.copyOf(out);
  }

  /**
   * kube matches {@code pattern} with Go's RE2 (unanchored, like {@code find}); Java's regex agrees
   * on the syntax CRDs use. A pattern Java cannot compile matches nothing, so the field is refused
   * rather than let through.
   */
  private static Pattern compile(String source) {
    if (source == null) {
      return null;
    }
    try {
      return Pattern.compile(source);
    } catch (PatternSyntaxException e) {
      return Pattern.compile("(?!)");
    }
  }
}
