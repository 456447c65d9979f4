package dev.bellhop.localcluster.apiserver.printing;

import com.fasterxml.jackson.databind.JsonNode;
import com.jayway.jsonpath.Configuration;
import com.jayway.jsonpath.InvalidPathException;
import com.jayway.jsonpath.JsonPath;
import com.jayway.jsonpath.Option;
import com.jayway.jsonpath.spi.json.JacksonJsonNodeJsonProvider;
import com.jayway.jsonpath.spi.mapper.JacksonMappingProvider;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * A CustomResourceDefinition version's {@code additionalPrinterColumns}, evaluated as
 * apiextensions-apiserver's table convertor does: Name first, then each column's JSONPath; the
 * first result a column, typed by the column ({@code date} becomes an age), missing values null.
 * Without printer columns kube shows Name and Age.
 */
public final class CustomResourcePrinter implements Printer {
  private static final Configuration JSON =
      Configuration.builder()
          .jsonProvider(new JacksonJsonNodeJsonProvider())
          .mappingProvider(new JacksonMappingProvider())
          .options(Option.SUPPRESS_EXCEPTIONS, Option.ALWAYS_RETURN_LIST)
          .build();

  private final List<Column> columns = new ArrayList<>();
  private final List<JsonPath> paths = new ArrayList<>();

  private CustomResourcePrinter() {
    columns.add(Column.nameColumn());
  }

  /**
   * The printer of one served version of a CRD (its JSON), or null when the CRD has no such
   * version.
   */
  public static CustomResourcePrinter of(JsonNode crd, String version) {
    for (JsonNode v : crd.path("spec").path("versions")) {
      if (v.path("name").asText().equals(version)) {
        CustomResourcePrinter printer = new CustomResourcePrinter();
        JsonNode declared = v.path("additionalPrinterColumns");
        if (declared.isEmpty()) {
          printer.add(
              new Column(
                  "Age",
                  "date",
                  "",
                  "CreationTimestamp is a timestamp representing the server time "
                      + "when this object was created.",
                  0),
              ".metadata.creationTimestamp");
        }
        for (JsonNode c : declared) {
          String path = c.path("jsonPath").asText();
          String description = c.path("description").asText("");
          printer.add(
              new Column(
                  c.path("name").asText(),
                  c.path("type").asText("string"),
                  c.path("format").asText(""),
                  description.isEmpty()
                      ? "Custom resource definition column (in JSONPath format): " + path
                      : description,
                  c.path("priority").asInt()),
              path);
        }
        return printer;
      }
    }
    return null;
  }

  private void add(Column column, String kubePath) {
    columns.add(column);
    JsonPath path;
    try {
      // kube's JSONPath has no root marker: ".status.x" is "$.status.x".
      path =
          JsonPath.compile(
              "$" + (kubePath.startsWith("[") || kubePath.startsWith(".") ? "" : ".") + kubePath);
    } catch (InvalidPathException e) {
      path = null; // apiextensions rejects such a CRD; a cell of null here
    }
    paths.add(path);
  }

  @Override
  public List<Column> columns() {
    return columns;
  }

  @Override
  public List<Object> cells(JsonNode object, Instant now) {
    List<Object> cells = new ArrayList<>();
    cells.add(BuiltinPrinters.name(object));
    for (int i = 0; i < paths.size(); i++) {
      JsonNode found = paths.get(i) == null ? null : first(paths.get(i).read(object, JSON));
      cells.add(found == null ? null : cell(columns.get(i + 1).type(), found, now));
    }
    return cells;
  }

  private static JsonNode first(Object result) {
    if (result instanceof JsonNode list
        && list.isArray()
        && !list.isEmpty()
        && !list.get(0).isNull()) {
      return list.get(0);
    }
    return null;
  }

  private static Object cell(String type, JsonNode value, Instant now) {
    return switch (type) {
      case "integer" -> value.isNumber() ? (Object) value.asLong() : null;
      case "number" -> value.isNumber() ? (Object) value.asDouble() : null;
      case "boolean" -> value.isBoolean() ? (Object) value.asBoolean() : null;
      case "date" -> {
        try {
          yield value.isTextual()
              ? Age.human(java.time.Duration.between(Instant.parse(value.asText()), now))
              : null;
        } catch (DateTimeParseException e) {
          yield "<invalid>";
        }
      }
      // kube prints any value of a string column (numbers, objects) as text.
      default -> value.isValueNode() ? value.asText() : value.toString();
    };
  }
}
