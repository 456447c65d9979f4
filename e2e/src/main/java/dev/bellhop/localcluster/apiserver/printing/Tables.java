package dev.bellhop.localcluster.apiserver.printing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Server-side printing: a list or an object turned into a meta.k8s.io Table, as kube-apiserver
 * answers {@code Accept: application/json;as=Table;v=v1;g=meta.k8s.io} (what {@code kubectl get}
 * sends). Each row carries the object as {@code includeObject} asks: its metadata by default
 * (PartialObjectMetadata, enough for {@code -A} and {@code --show-labels}), whole, or none.
 */
public final class Tables {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private Tables() {}

  /**
   * The Table version an Accept header asks for ("v1" or "v1beta1"), if it asks for a Table at all.
   * kubectl lists the Table forms first and plain JSON last: the first Table form wins.
   */
  public static Optional<String> requested(String accept) {
    if (accept == null) {
      return Optional.empty();
    }
    for (String range : accept.split(",")) {
      String group = null;
      String version = null;
      boolean table = false;
      for (String parameter : range.split(";")) {
        String p = parameter.trim();
        if (p.equals("as=Table")) {
          table = true;
        } else if (p.startsWith("g=")) {
          group = p.substring(2);
        } else if (p.startsWith("v=")) {
          version = p.substring(2);
        }
      }
      if (table
          && "meta.k8s.io".equals(group)
          && ("v1".equals(version) || "v1beta1".equals(version))) {
        return Optional.of(version);
      }
    }
    return Optional.empty();
  }

  /**
   * @param body a list (with items) or one object, as the storage answered it
   * @param includeObject "None", "Metadata" (kube's default when empty) or "Object"
   */
  public static ObjectNode convert(
      Printer printer, JsonNode body, String version, String includeObject, Instant now) {
    ObjectNode table = JSON.objectNode();
    table.put("kind", "Table").put("apiVersion", "meta.k8s.io/" + version);
    ObjectNode metadata = table.putObject("metadata");
    copy(body.path("metadata"), metadata, "resourceVersion", "continue", "remainingItemCount");
    ArrayNode columns = table.putArray("columnDefinitions");
    printer.columns().forEach(c -> columns.add(c.toJson()));
    ArrayNode rows = table.putArray("rows");
    if (body.has("items")) {
      for (JsonNode item : body.path("items")) {
        rows.add(row(printer, item, body, includeObject, version, now));
      }
    } else {
      rows.add(row(printer, body, body, includeObject, version, now));
    }
    return table;
  }

  private static ObjectNode row(
      Printer printer,
      JsonNode object,
      JsonNode body,
      String includeObject,
      String version,
      Instant now) {
    ObjectNode row = JSON.objectNode();
    ArrayNode cells = row.putArray("cells");
    List<Object> values = printer.cells(object, now);
    for (Object value : values) {
      if (value == null) {
        cells.addNull();
      } else if (value instanceof Long l) {
        cells.add(l);
      } else if (value instanceof Double d) {
        cells.add(d);
      } else if (value instanceof Boolean b) {
        cells.add(b);
      } else {
        cells.add(value.toString());
      }
    }
    String include = includeObject == null || includeObject.isEmpty() ? "Metadata" : includeObject;
    if (include.equals("Object")) {
      ObjectNode whole = object.deepCopy();
      // Items of a list may omit kind and apiVersion; kubectl decodes the row's object by them.
      if (!whole.has("kind") && body.path("kind").asText("").endsWith("List")) {
        String kind = body.path("kind").asText();
        whole.put("kind", kind.substring(0, kind.length() - 4));
        whole.put("apiVersion", body.path("apiVersion").asText());
      }
      row.set("object", whole);
    } else if (include.equals("Metadata")) {
      ObjectNode partial = row.putObject("object");
      partial.put("kind", "PartialObjectMetadata").put("apiVersion", "meta.k8s.io/" + version);
      partial.set("metadata", object.path("metadata").deepCopy());
    }
    return row;
  }

  private static void copy(JsonNode from, ObjectNode to, String... fields) {
    for (String f : fields) {
      if (from.has(f) && !from.get(f).isNull()) {
        to.set(f, from.get(f));
      }
    }
  }
}
