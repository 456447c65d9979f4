package dev.bellhop.localcluster.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * kube's apiequality.Semantic.DeepEqual on JSON: a null, an empty list and an empty map equal a
 * missing field (Go's nil and empty compare equal there), so a client that omits an empty field
 * does not "change" it.
 */
final class JsonCompare {
  private JsonCompare() {}

  static boolean semanticallyEqual(JsonNode a, JsonNode b) {
    return normalized(a).equals(normalized(b));
  }

  static JsonNode normalized(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return JsonNodeFactory.instance.missingNode();
    }
    if (node.isObject()) {
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      for (Map.Entry<String, JsonNode> field : node.properties()) {
        JsonNode value = normalized(field.getValue());
        if (!value.isMissingNode()) {
          out.set(field.getKey(), value);
        }
      }
      return out.isEmpty() ? JsonNodeFactory.instance.missingNode() : out;
    }
    if (node.isArray()) {
      ArrayNode out = JsonNodeFactory.instance.arrayNode();
      node.forEach(
          item -> {
            JsonNode value = normalized(item);
            out.add(value.isMissingNode() ? JsonNodeFactory.instance.objectNode() : value);
          });
      return out.isEmpty() ? JsonNodeFactory.instance.missingNode() : out;
    }
    return node;
  }
}
