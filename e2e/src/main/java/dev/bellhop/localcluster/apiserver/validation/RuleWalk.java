package dev.bellhop.localcluster.apiserver.validation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bellhop.localcluster.apiserver.ApiError.Cause;
import java.util.List;

/**
 * Walks an object and its stored version together, running each node's CEL rules with the old value
 * that correlates with it, as kube does: object properties and map entries by name, items of a
 * {@code map} list by their keys and of a {@code set} by value; items of an atomic list have no old
 * value (their transition rules do not run).
 */
final class RuleWalk {
  private final CelRules cel;

  RuleWalk(CelRules cel) {
    this.cel = cel;
  }

  void walk(JsonNode value, JsonNode old, Schema s, String path, boolean root, List<Cause> out) {
    if (s == null || value == null || value.isNull()) {
      return;
    }
    cel.evaluate(s, path, value, old, root, out);
    if (value.isObject()) {
      value
          .fields()
          .forEachRemaining(
              e ->
                  walk(
                      e.getValue(),
                      old == null ? null : old.get(e.getKey()),
                      s.property(e.getKey()),
                      FieldErrors.child(path, e.getKey()),
                      false,
                      out));
    } else if (value.isArray()) {
      for (int i = 0; i < value.size(); i++) {
        walk(
            value.get(i),
            correlate(value.get(i), old, s),
            s.items,
            FieldErrors.index(path, i),
            false,
            out);
      }
    }
  }

  private static JsonNode correlate(JsonNode item, JsonNode old, Schema list) {
    if (old == null || !old.isArray() || list.items == null) {
      return null;
    }
    for (JsonNode candidate : old) {
      if ("set".equals(list.listType) && ValueValidation.same(candidate, item)) {
        return candidate;
      }
      if ("map".equals(list.listType)
          && !list.listMapKeys.isEmpty()
          && list.listMapKeys.stream().allMatch(k -> item.path(k).equals(candidate.path(k)))) {
        return candidate;
      }
    }
    return null;
  }
}
