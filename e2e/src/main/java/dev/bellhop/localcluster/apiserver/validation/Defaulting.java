package dev.bellhop.localcluster.apiserver.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Map;

/**
 * Structural defaulting, after pruning and before validation, top-down as kube-apiserver does it: a
 * missing property with a {@code default} gets a copy of it (and the defaults inside it), and a
 * {@code null} where the schema is not {@code nullable} is dropped, or defaulted when it has one.
 */
final class Defaulting {
  private Defaulting() {}

  static void apply(JsonNode value, Schema schema) {
    if (schema == null) {
      return;
    }
    if (value instanceof ObjectNode object) {
      for (Map.Entry<String, Schema> p : schema.properties.entrySet()) {
        JsonNode present = object.get(p.getKey());
        Schema ps = p.getValue();
        if (present == null || (present.isNull() && !ps.nullable)) {
          if (ps.defaultValue != null) {
            object.set(p.getKey(), ps.defaultValue.deepCopy());
          } else if (present != null) {
            object.remove(p.getKey());
          }
        }
      }
      var names = new ArrayList<String>();
      object.fieldNames().forEachRemaining(names::add);
      for (String name : names) {
        apply(object.get(name), schema.property(name));
      }
    } else if (value instanceof ArrayNode array && schema.items != null) {
      for (int i = 0; i < array.size(); i++) {
        if (array.get(i).isNull() && !schema.items.nullable && schema.items.defaultValue != null) {
          array.set(i, schema.items.defaultValue.deepCopy());
        }
        apply(array.get(i), schema.items);
      }
    }
  }
}
