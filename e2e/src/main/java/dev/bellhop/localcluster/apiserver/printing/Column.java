package dev.bellhop.localcluster.apiserver.printing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One column of a Table (meta.k8s.io/v1 TableColumnDefinition). Priority 0 columns are what {@code
 * kubectl get} shows; priority 1 columns appear with {@code -o wide}.
 *
 * @param type "string", "integer", "number", "boolean" or "date"
 * @param format "name" for the name column, otherwise usually empty
 */
public record Column(String name, String type, String format, String description, int priority) {
  static Column nameColumn() {
    return new Column(
        "Name", "string", "name", "Name must be unique within a namespace. Cannot be updated.", 0);
  }

  static Column of(String name, String type, String description) {
    return new Column(name, type, "", description, 0);
  }

  static Column wide(String name, String type, String description) {
    return new Column(name, type, "", description, 1);
  }

  static Column age() {
    return of(
        "Age",
        "string",
        "CreationTimestamp is a timestamp representing the server time when this object was "
            + "created.");
  }

  JsonNode toJson() {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("name", name)
        .put("type", type)
        .put("format", format)
        .put("description", description)
        .put("priority", priority);
    return node;
  }
}
