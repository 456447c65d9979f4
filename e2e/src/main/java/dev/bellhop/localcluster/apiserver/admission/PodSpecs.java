package dev.bellhop.localcluster.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where a kind keeps its pod spec, and the containers in it: the one place the plugins look this
 * up.
 */
final class PodSpecs {
  /** A pod spec found in an object, with the field path kube reports errors under. */
  record Found(String path, JsonNode spec) {}

  /** A container with its path ("spec.containers[0]") and its kind of list. */
  record Container(String path, JsonNode container, boolean init) {
    String name() {
      return container.path("name").asText("");
    }
  }

  private static final Map<String, String> TEMPLATE_PATHS =
      Map.of(
          "Pod", "spec",
          "Deployment", "spec.template.spec",
          "StatefulSet", "spec.template.spec",
          "DaemonSet", "spec.template.spec",
          "ReplicaSet", "spec.template.spec",
          "Job", "spec.template.spec",
          "CronJob", "spec.jobTemplate.spec.template.spec");

  private PodSpecs() {}

  static java.util.Optional<Found> of(String kind, JsonNode object) {
    String path = TEMPLATE_PATHS.get(kind);
    if (path == null) {
      return java.util.Optional.empty();
    }
    JsonNode node = object;
    for (String part : path.split("\\.")) {
      node = node.path(part);
    }
    return node.isObject()
        ? java.util.Optional.of(new Found(path, node))
        : java.util.Optional.empty();
  }

  /** Init containers first, then containers, as kube's pod-security checks walk them. */
  static List<Container> containers(Found pod) {
    List<Container> all = new ArrayList<>();
    for (String list : List.of("initContainers", "containers", "ephemeralContainers")) {
      JsonNode items = pod.spec().path(list);
      for (int i = 0; i < items.size(); i++) {
        all.add(
            new Container(
                pod.path() + "." + list + "[" + i + "]", items.get(i), !list.equals("containers")));
      }
    }
    return all;
  }
}
