package dev.bellhop.localcluster.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code fieldSelector} ({@code metadata.name=x,spec.nodeName!=y}), matched by the front on lists
 * and watch events: the store honours none but {@code metadata.name}, and kubectl asks for others
 * ({@code involvedObject.name} for describe's events, {@code spec.nodeName}, {@code status.phase}).
 * Any field path is accepted; a missing field reads as "".
 */
record FieldSelector(List<Requirement> requirements) {
  record Requirement(String[] path, String value, boolean equal) {
    boolean matches(JsonNode object) {
      JsonNode node = object;
      for (String field : path) {
        node = node.path(field);
      }
      String actual = node.isValueNode() ? node.asText() : "";
      return equal == actual.equals(value);
    }
  }

  static FieldSelector parse(String selector) {
    List<Requirement> requirements = new ArrayList<>();
    if (selector != null) {
      for (String term : selector.split(",")) {
        if (term.isBlank()) {
          continue;
        }
        int ne = term.indexOf("!=");
        int eq = term.indexOf('=');
        if (ne < 0 && eq < 0) {
          throw Errors.badRequest(
              "invalid selector: '" + selector + "'; can't understand '" + term + "'");
        }
        boolean equal = ne < 0;
        String field = term.substring(0, equal ? eq : ne).trim();
        String value =
            term.substring(equal ? (term.startsWith("==", eq) ? eq + 2 : eq + 1) : ne + 2).trim();
        requirements.add(new Requirement(field.split("\\."), value, equal));
      }
    }
    return new FieldSelector(List.copyOf(requirements));
  }

  boolean isEmpty() {
    return requirements.isEmpty();
  }

  boolean matches(JsonNode object) {
    return requirements.stream().allMatch(r -> r.matches(object));
  }
}
