package dev.bellhop.localcluster.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * The scale subresource ({@code kubectl scale}): an {@code autoscaling/v1} Scale read from and
 * written into the object at its paths (spec.replicas, status.replicas for workloads; a CRD's own).
 */
final class Scales {
  /** The Scale kind as a resource, for the patch types it takes (built-in: strategic merge too). */
  static final Discovery.Resource RESOURCE =
      new Discovery.Resource(
          "autoscaling/v1", "scale", "Scale", true, false, null, List.of(), List.of());

  private Scales() {}

  static ObjectNode of(JsonNode object, Discovery.ScalePaths paths) {
    ObjectNode scale =
        Storage.JSON.createObjectNode().put("apiVersion", "autoscaling/v1").put("kind", "Scale");
    ObjectNode meta = scale.putObject("metadata");
    for (String field :
        List.of("name", "namespace", "uid", "resourceVersion", "creationTimestamp")) {
      JsonNode value = object.path("metadata").get(field);
      if (value != null) {
        meta.set(field, value);
      }
    }
    scale.putObject("spec").put("replicas", object.at(paths.specReplicas()).asInt(0));
    ObjectNode status =
        scale.putObject("status").put("replicas", object.at(paths.statusReplicas()).asInt(0));
    String selector =
        paths.labelSelector() != null
            ? object.at(paths.labelSelector()).asText("")
            : selector(object.at("/spec/selector"));
    if (!selector.isEmpty()) {
      status.put("selector", selector);
    }
    return scale;
  }

  static void setReplicas(ObjectNode object, Discovery.ScalePaths paths, int replicas) {
    String[] fields = paths.specReplicas().substring(1).split("/");
    ObjectNode node = object;
    for (int i = 0; i < fields.length - 1; i++) {
      JsonNode child = node.get(fields[i]);
      node = child instanceof ObjectNode o ? o : node.putObject(fields[i]);
    }
    node.put(fields[fields.length - 1], replicas);
  }

  /** A workload's label selector as kube prints it in a Scale: {@code app=web,tier in (a,b)}. */
  private static String selector(JsonNode selector) {
    StringBuilder text = new StringBuilder();
    for (Map.Entry<String, JsonNode> label :
        (Iterable<Map.Entry<String, JsonNode>>) () -> selector.path("matchLabels").fields()) {
      text.append(text.isEmpty() ? "" : ",")
          .append(label.getKey())
          .append('=')
          .append(label.getValue().asText());
    }
    for (JsonNode expression : selector.path("matchExpressions")) {
      List<String> values = new java.util.ArrayList<>();
      expression.path("values").forEach(v -> values.add(v.asText()));
      String key = expression.path("key").asText();
      String term =
          switch (expression.path("operator").asText()) {
            case "In" -> key + " in (" + String.join(",", values) + ")";
            case "NotIn" -> key + " notin (" + String.join(",", values) + ")";
            case "Exists" -> key;
            case "DoesNotExist" -> "!" + key;
            default -> "";
          };
      text.append(text.isEmpty() || term.isEmpty() ? "" : ",").append(term);
    }
    return text.toString();
  }
}
