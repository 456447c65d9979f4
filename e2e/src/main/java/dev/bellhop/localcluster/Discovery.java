package dev.bellhop.localcluster;

import io.fabric8.kubernetes.api.model.APIGroupBuilder;
import io.fabric8.kubernetes.api.model.APIGroupListBuilder;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceBuilder;
import io.fabric8.kubernetes.api.model.APIResourceListBuilder;
import io.fabric8.kubernetes.api.model.APIVersionsBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.internal.SimpleRequest;
import io.fabric8.mockwebserver.internal.SimpleResponse;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;

/**
 * The API discovery documents ({@code /api}, {@code /apis}, {@code /apis/<group>/<version>}) that
 * the mock does not serve and {@code kubectl} needs: the kinds the local cluster runs, and each
 * CustomResourceDefinition once it is applied.
 */
final class Discovery {
  private static final List<String> VERBS = List.of("create", "delete", "get", "list", "patch", "update", "watch");

  /** The mock's expectations, answered before its CRUD store; replaced whole when a document changes. */
  private final Map<ServerRequest, Queue<ServerResponse>> expectations;
  /** "group/version" ("v1" for the core group) to its resources. */
  private final Map<String, List<APIResource>> groups = new LinkedHashMap<>();

  Discovery(Map<ServerRequest, Queue<ServerResponse>> expectations) {
    this.expectations = expectations;
    add("v1", "pods", "Pod", true, "po");
    add("v1", "services", "Service", true, "svc");
    add("v1", "endpoints", "Endpoints", true, "ep");
    add("v1", "configmaps", "ConfigMap", true, "cm");
    add("v1", "secrets", "Secret", true);
    add("v1", "events", "Event", true, "ev");
    add("v1", "serviceaccounts", "ServiceAccount", true, "sa");
    add("v1", "persistentvolumeclaims", "PersistentVolumeClaim", true, "pvc");
    add("v1", "namespaces", "Namespace", false, "ns");
    add("v1", "nodes", "Node", false, "no");
    add("apps/v1", "deployments", "Deployment", true, "deploy");
    add("apps/v1", "statefulsets", "StatefulSet", true, "sts");
    add("apps/v1", "daemonsets", "DaemonSet", true, "ds");
    add("networking.k8s.io/v1", "ingresses", "Ingress", true, "ing");
    add("coordination.k8s.io/v1", "leases", "Lease", true);
    add("policy/v1", "poddisruptionbudgets", "PodDisruptionBudget", true, "pdb");
    add("rbac.authorization.k8s.io/v1", "roles", "Role", true);
    add("rbac.authorization.k8s.io/v1", "rolebindings", "RoleBinding", true);
    add("rbac.authorization.k8s.io/v1", "clusterroles", "ClusterRole", false);
    add("rbac.authorization.k8s.io/v1", "clusterrolebindings", "ClusterRoleBinding", false);
    add("apiextensions.k8s.io/v1", "customresourcedefinitions", "CustomResourceDefinition", false, "crd");
    publish();
  }

  /** Serves a CRD's kind in discovery, as the API server does once it is established. */
  synchronized void add(CustomResourceDefinition crd) {
    var names = crd.getSpec().getNames();
    for (var version : crd.getSpec().getVersions()) {
      add(crd.getSpec().getGroup() + "/" + version.getName(), names.getPlural(), names.getKind(),
          "Namespaced".equals(crd.getSpec().getScope()),
          names.getShortNames() == null ? new String[0] : names.getShortNames().toArray(String[]::new));
    }
    publish();
  }

  private void add(String groupVersion, String plural, String kind, boolean namespaced, String... shortNames) {
    List<APIResource> resources = groups.computeIfAbsent(groupVersion, k -> new ArrayList<>());
    resources.removeIf(r -> r.getName().equals(plural));
    resources.add(new APIResourceBuilder().withName(plural).withSingularName(kind.toLowerCase()).withKind(kind)
        .withNamespaced(namespaced).withVerbs(VERBS).withShortNames(shortNames).build());
    if (!plural.endsWith("/status")) {
      resources.add(new APIResourceBuilder().withName(plural + "/status").withSingularName("").withKind(kind)
          .withNamespaced(namespaced).withVerbs("get", "patch", "update").build());
    }
  }

  private void publish() {
    serve("/api", new APIVersionsBuilder().withVersions("v1").build());
    var list = new APIGroupListBuilder();
    groups.keySet().stream().filter(gv -> gv.contains("/")).forEach(gv -> {
      String group = gv.substring(0, gv.indexOf('/'));
      list.addToGroups(new APIGroupBuilder().withName(group)
          .addNewVersion().withGroupVersion(gv).withVersion(gv.substring(group.length() + 1)).endVersion()
          .withNewPreferredVersion().withGroupVersion(gv).withVersion(gv.substring(group.length() + 1))
          .endPreferredVersion().build());
    });
    serve("/apis", list.build());
    groups.forEach((gv, resources) -> serve(gv.contains("/") ? "/apis/" + gv : "/api/" + gv,
        new APIResourceListBuilder().withGroupVersion(gv).withResources(resources).build()));
  }

  /** Answered with and without kubectl's {@code ?timeout=32s}: the mock matches the whole path. */
  private void serve(String path, Object document) {
    String json = Serialization.asJson(document);
    for (String p : List.of(path, path + "?timeout=32s")) {
      expectations.put(new SimpleRequest(HttpMethod.GET, p), new ArrayDeque<>(List.of(new SimpleResponse(true, 200, json, null))));
    }
  }
}
