package dev.bellhop.localcluster.apiserver.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Strategic merge patch ({@code application/strategic-merge-patch+json}) for built-in kinds, as
 * apimachinery's strategicpatch applies what kubectl (apply, edit, scale, rollout restart) and Helm
 * 3 (upgrade's three-way patch) send: maps merge and {@code null} removes; lists named in {@link
 * MergeKeys} merge element by element on their key, every other list is replaced; and the
 * directives {@code $patch} (merge, replace, delete; in a map or as a list element), {@code
 * $retainKeys}, {@code $deleteFromPrimitiveList/<list>} and {@code $setElementOrder/<list>}.
 */
public final class StrategicMergePatch {
  private static final String PATCH = "$patch";
  private static final String RETAIN_KEYS = "$retainKeys";
  private static final String DELETE_FROM = "$deleteFromPrimitiveList/";
  private static final String ORDER = "$setElementOrder/";

  private StrategicMergePatch() {}

  /**
   * The patched object; {@code target} is not changed. Throws IllegalArgumentException on a
   * malformed patch.
   */
  public static ObjectNode apply(ObjectNode target, ObjectNode patch) {
    JsonNode result = mergeMap(target.deepCopy(), patch, List.of());
    return result == null ? JsonNodeFactory.instance.objectNode() : (ObjectNode) result;
  }

  /**
   * Merges {@code patch} into {@code original} (changed in place); null when the map is to be
   * deleted.
   */
  private static ObjectNode mergeMap(ObjectNode original, ObjectNode patch, List<String> path) {
    String directive = patch.path(PATCH).asText("merge");
    switch (directive) {
      case "delete":
        return null;
      case "replace":
        {
          ObjectNode replaced = patch.deepCopy();
          replaced.remove(PATCH);
          return stripDirectives(replaced);
        }
      case "merge":
        break;
      default:
        throw new IllegalArgumentException("unknown patch type: " + directive + " in map: " + path);
    }
    ObjectNode result = original == null ? JsonNodeFactory.instance.objectNode() : original;
    // Deletions from primitive lists first: a list may be both trimmed and merged by one patch.
    applyListDirectives(
        result, patch, DELETE_FROM, (list, current, remove) -> without(current, remove));
    for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String key = field.getKey();
      JsonNode value = field.getValue();
      if (key.startsWith("$")) {
        continue;
      }
      List<String> childPath = append(path, key);
      if (value.isNull()) {
        result.remove(key);
      } else if (value.isObject()) {
        JsonNode current = result.get(key);
        ObjectNode merged =
            mergeMap(
                current != null && current.isObject() ? (ObjectNode) current : null,
                (ObjectNode) value,
                childPath);
        if (merged == null) {
          result.remove(key);
        } else {
          result.set(key, merged);
        }
      } else if (value.isArray()) {
        JsonNode current = result.get(key);
        result.set(
            key,
            mergeList(
                current != null && current.isArray() ? (ArrayNode) current : null,
                (ArrayNode) value,
                childPath));
      } else {
        result.set(key, value.deepCopy());
      }
    }
    applyListDirectives(
        result,
        patch,
        ORDER,
        (list, current, wanted) ->
            order(current, (ArrayNode) wanted, MergeKeys.of(append(path, list)).orElse("")));
    JsonNode retain = patch.get(RETAIN_KEYS);
    if (retain != null && retain.isArray()) {
      Set<String> keep = new HashSet<>();
      retain.forEach(k -> keep.add(k.asText()));
      List<String> drop = new ArrayList<>();
      result
          .fieldNames()
          .forEachRemaining(
              k -> {
                if (!keep.contains(k)) {
                  drop.add(k);
                }
              });
      result.remove(drop);
    }
    return result;
  }

  private static ArrayNode mergeList(ArrayNode original, ArrayNode patch, List<String> path) {
    Optional<String> mergeKey = MergeKeys.of(path);
    if (mergeKey.isEmpty()) {
      return stripDirectives(patch.deepCopy());
    }
    // A {"$patch": "replace"} element: the list becomes the patch's other elements.
    for (JsonNode element : patch) {
      if (element.isObject() && element.size() == 1 && element.has(PATCH)) {
        String directive = element.get(PATCH).asText();
        if (directive.equals("replace")) {
          ArrayNode replaced = JsonNodeFactory.instance.arrayNode();
          patch.forEach(
              e -> {
                if (!(e.isObject() && e.has(PATCH) && e.size() == 1)) {
                  replaced.add(stripDirectives(e.deepCopy()));
                }
              });
          return replaced;
        }
      }
    }
    ArrayNode result = original == null ? JsonNodeFactory.instance.arrayNode() : original;
    String key = mergeKey.get();
    if (key.isEmpty()) {
      // A list of scalars with the merge strategy (finalizers): union, in order.
      Set<JsonNode> present = new HashSet<>();
      result.forEach(present::add);
      for (JsonNode element : patch) {
        if (present.add(element)) {
          result.add(element.deepCopy());
        }
      }
      return result;
    }
    for (JsonNode element : patch) {
      if (!element.isObject() || !element.has(key)) {
        throw new IllegalArgumentException(
            "map: " + element + " does not contain declared merge key: " + key);
      }
      int index = indexOf(result, key, element.get(key));
      String directive = element.path(PATCH).asText("merge");
      if (directive.equals("delete")) {
        if (index >= 0) {
          result.remove(index);
        }
      } else if (directive.equals("replace")) {
        ObjectNode replaced = ((ObjectNode) element).deepCopy();
        replaced.remove(PATCH);
        if (index >= 0) {
          result.set(index, replaced);
        } else {
          result.add(replaced);
        }
      } else if (index >= 0) {
        JsonNode current = result.get(index);
        result.set(
            index,
            mergeMap(current.isObject() ? (ObjectNode) current : null, (ObjectNode) element, path));
      } else {
        result.add(mergeMap(null, (ObjectNode) element, path));
      }
    }
    return result;
  }

  /**
   * {@code $setElementOrder}: the elements it names first, in its order; the server's other
   * elements after them, in their order (apimachinery interleaves those by their old neighbours;
   * nothing the clients send depends on the difference).
   */
  /** What a {@code $deleteFromPrimitiveList/<list>} or {@code $setElementOrder/<list>} makes. */
  private interface ListDirective {
    ArrayNode apply(String list, ArrayNode current, JsonNode argument);
  }

  /** Applies each directive with this prefix to the list it names, when the result has it. */
  private static void applyListDirectives(
      ObjectNode result, ObjectNode patch, String prefix, ListDirective directive) {
    for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (field.getKey().startsWith(prefix)) {
        String list = field.getKey().substring(prefix.length());
        JsonNode current = result.get(list);
        if (current != null && current.isArray()) {
          result.set(list, directive.apply(list, (ArrayNode) current, field.getValue()));
        }
      }
    }
  }

  private static ArrayNode without(ArrayNode current, JsonNode remove) {
    Set<JsonNode> removed = new HashSet<>();
    remove.forEach(removed::add);
    ArrayNode kept = JsonNodeFactory.instance.arrayNode();
    current.forEach(
        v -> {
          if (!removed.contains(v)) {
            kept.add(v);
          }
        });
    return kept;
  }

  private static ArrayNode order(ArrayNode current, ArrayNode order, String key) {
    Map<JsonNode, JsonNode> byKey = new LinkedHashMap<>();
    for (JsonNode element : current) {
      byKey.put(key.isEmpty() ? element : element.path(key), element);
    }
    ArrayNode result = JsonNodeFactory.instance.arrayNode();
    for (JsonNode wanted : order) {
      JsonNode element = byKey.remove(key.isEmpty() ? wanted : wanted.path(key));
      if (element != null) {
        result.add(element);
      }
    }
    byKey.values().forEach(result::add);
    return result;
  }

  private static int indexOf(ArrayNode list, String key, JsonNode value) {
    for (int i = 0; i < list.size(); i++) {
      if (value.equals(list.get(i).get(key))) {
        return i;
      }
    }
    return -1;
  }

  /** A replaced value is stored as sent, without directives a client nested in it. */
  private static <T extends JsonNode> T stripDirectives(T node) {
    if (node.isObject()) {
      ObjectNode object = (ObjectNode) node;
      List<String> directives = new ArrayList<>();
      object
          .fieldNames()
          .forEachRemaining(
              k -> {
                if (k.startsWith("$")) {
                  directives.add(k);
                }
              });
      object.remove(directives);
      object.forEach(StrategicMergePatch::stripDirectives);
    } else if (node.isArray()) {
      node.forEach(StrategicMergePatch::stripDirectives);
    }
    return node;
  }

  private static List<String> append(List<String> path, String key) {
    List<String> result = new ArrayList<>(path);
    result.add(key);
    return result;
  }
}
