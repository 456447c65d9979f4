package dev.bellhop.localcluster.apiserver.patch;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The lists of built-in kinds that strategic merge patch merges (their {@code
 * patchStrategy:"merge"} in Kubernetes' types.go) and each one's merge key; every other list is
 * replaced whole. Keyed by the list's field name, which is unambiguous in the kinds the local
 * cluster serves except {@code ports}: a container's merge on {@code containerPort}, a Service's on
 * {@code port}.
 */
final class MergeKeys {
  private static final Map<String, String> BY_FIELD =
      Map.ofEntries(
          Map.entry("containers", "name"),
          Map.entry("initContainers", "name"),
          Map.entry("ephemeralContainers", "name"),
          Map.entry("volumes", "name"),
          Map.entry("imagePullSecrets", "name"),
          Map.entry("env", "name"),
          Map.entry("resourceClaims", "name"),
          Map.entry("schedulingGates", "name"),
          Map.entry("volumeMounts", "mountPath"),
          Map.entry("volumeDevices", "devicePath"),
          Map.entry("hostAliases", "ip"),
          Map.entry("podIPs", "ip"),
          Map.entry("hostIPs", "ip"),
          Map.entry("topologySpreadConstraints", "topologyKey"),
          Map.entry("conditions", "type"),
          Map.entry("addresses", "type"),
          Map.entry("ownerReferences", "uid"),
          // A list of strings merged as a set: "" for "no key".
          Map.entry("finalizers", ""));
  private static final Set<String> CONTAINER_LISTS =
      Set.of("containers", "initContainers", "ephemeralContainers");

  private MergeKeys() {}

  /**
   * The merge key of the list at this path of field names (no indices); "" for a merged list of
   * scalars; empty for a list that a patch replaces.
   */
  static Optional<String> of(List<String> path) {
    if (path.isEmpty()) {
      return Optional.empty();
    }
    String field = path.get(path.size() - 1);
    if (field.equals("ports")) {
      boolean inContainer = path.size() >= 2 && CONTAINER_LISTS.contains(path.get(path.size() - 2));
      return Optional.of(inContainer ? "containerPort" : "port");
    }
    // "secrets" merges by name only on a ServiceAccount (its one top-level list).
    if (field.equals("secrets") && path.size() == 1) {
      return Optional.of("name");
    }
    return Optional.ofNullable(BY_FIELD.get(field));
  }
}
