package dev.bellhop.localcluster.apiserver.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Structural pruning, kube-apiserver's first step on a custom resource: a field its schema does not
 * declare is dropped (kept under {@code x-kubernetes-preserve-unknown-fields}), and reported, so
 * that {@code fieldValidation=Strict} can refuse it and {@code Warn} can say so.
 */
final class Pruning {
  /**
   * Kept on every object that is a resource: the root and {@code x-kubernetes-embedded-resource}.
   */
  private static final Set<String> RESOURCE_FIELDS = Set.of("apiVersion", "kind", "metadata");

  private Pruning() {}

  /**
   * Prunes {@code object} in place; returns the dropped fields' paths ("spec.foo",
   * "spec.env[0].x").
   */
  static List<String> prune(ObjectNode object, Schema root) {
    List<String> dropped = new ArrayList<>();
    prune(object, root, "", true, dropped);
    return dropped;
  }

  private static void prune(
      JsonNode value, Schema schema, String path, boolean resource, List<String> dropped) {
    if (schema == null) {
      return;
    }
    if (value instanceof ObjectNode object) {
      var names = new ArrayList<String>();
      object.fieldNames().forEachRemaining(names::add);
      for (String name : names) {
        String at = FieldErrors.child(path, name);
        Schema property = schema.property(name);
        if (resource && RESOURCE_FIELDS.contains(name) && !schema.properties.containsKey(name)) {
          continue; // ObjectMeta, apiVersion and kind are decoded, not pruned
        }
        if (property != null) {
          prune(object.get(name), property, at, property.embeddedResource, dropped);
        } else if (!schema.preserveUnknownFields) {
          object.remove(name);
          dropped.add(at);
        }
      }
    } else if (value instanceof ArrayNode array) {
      for (int i = 0; i < array.size(); i++) {
        prune(
            array.get(i),
            schema.items,
            FieldErrors.index(path, i),
            schema.items != null && schema.items.embeddedResource,
            dropped);
      }
    }
  }
}
