package dev.bellhop.localcluster.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.APIGroupBuilder;
import io.fabric8.kubernetes.api.model.APIGroupListBuilder;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceBuilder;
import io.fabric8.kubernetes.api.model.APIResourceListBuilder;
import io.fabric8.kubernetes.api.model.APIVersionsBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The kinds the local API server serves, and the discovery documents ({@code /api}, {@code /apis},
 * {@code /apis/<group>/<version>}) that list them for kubectl: the built-in kinds the local cluster
 * runs, and each CustomResourceDefinition from the moment it is stored. The front also reads here
 * whether a resource has a status subresource and which kind it holds.
 */
public final class Discovery {
  private static final List<String> VERBS =
      List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

  /**
   * The built-in resources in the category {@code all} ({@code kubectl get all}), as kube-apiserver
   * lists them (of those the local cluster serves).
   */
  private static final Set<String> ALL =
      Set.of(
          "v1 pods",
          "v1 services",
          "apps/v1 daemonsets",
          "apps/v1 deployments",
          "apps/v1 replicasets",
          "apps/v1 statefulsets",
          "batch/v1 jobs");

  /** The built-in resources with a scale subresource, at the workloads' paths. */
  private static final Set<String> SCALED =
      Set.of("apps/v1 deployments", "apps/v1 replicasets", "apps/v1 statefulsets");

  /**
   * One served resource. {@code status}: it has a status subresource (writes to it change only
   * status); {@code scale}: where its scale subresource reads and writes, or null; {@code
   * categories}: the names that list it with others ({@code kubectl get all}).
   */
  public record Resource(
      String groupVersion,
      String plural,
      String kind,
      boolean namespaced,
      boolean status,
      ScalePaths scale,
      List<String> shortNames,
      List<String> categories) {
    public String group() {
      return groupVersion.contains("/") ? groupVersion.substring(0, groupVersion.indexOf('/')) : "";
    }

    /** A built-in kind (strategic merge patch applies), not a custom resource. */
    public boolean builtIn() {
      return !group().contains(".") || group().endsWith(".k8s.io");
    }
  }

  /**
   * A scale subresource's JSON pointers (a CRD's {@code .spec.replicas} becomes {@code
   * /spec/replicas}).
   */
  public record ScalePaths(String specReplicas, String statusReplicas, String labelSelector) {
    static final ScalePaths WORKLOADS = new ScalePaths("/spec/replicas", "/status/replicas", null);

    static ScalePaths of(
        io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceSubresourceScale scale) {
      return new ScalePaths(
          pointer(scale.getSpecReplicasPath()),
          pointer(scale.getStatusReplicasPath()),
          scale.getLabelSelectorPath() == null ? null : pointer(scale.getLabelSelectorPath()));
    }

    private static String pointer(String path) {
      return path.replace('.', '/');
    }
  }

  /** "group/version" ("v1" for the core group) to its resources by plural. */
  private final Map<String, Map<String, Resource>> groups = new LinkedHashMap<>();

  /** CRD name to the "groupVersion plural" entries it added, so that its deletion removes them. */
  private final Map<String, List<String>> crds = new LinkedHashMap<>();

  public Discovery() {
    add("v1", "pods", "Pod", true, true, "po");
    add("v1", "services", "Service", true, true, "svc");
    add("v1", "endpoints", "Endpoints", true, false, "ep");
    add("v1", "configmaps", "ConfigMap", true, false, "cm");
    add("v1", "secrets", "Secret", true, false);
    add("v1", "events", "Event", true, false, "ev");
    add("v1", "serviceaccounts", "ServiceAccount", true, false, "sa");
    add("v1", "persistentvolumeclaims", "PersistentVolumeClaim", true, true, "pvc");
    add("v1", "namespaces", "Namespace", false, true, "ns");
    add("v1", "nodes", "Node", false, true, "no");
    add("apps/v1", "deployments", "Deployment", true, true, "deploy");
    add("apps/v1", "statefulsets", "StatefulSet", true, true, "sts");
    add("apps/v1", "daemonsets", "DaemonSet", true, true, "ds");
    add("apps/v1", "replicasets", "ReplicaSet", true, true, "rs");
    add("batch/v1", "jobs", "Job", true, true);
    add("networking.k8s.io/v1", "ingresses", "Ingress", true, true, "ing");
    // Stored and served (the chart makes them), not enforced: pods share the host's network here.
    add("networking.k8s.io/v1", "networkpolicies", "NetworkPolicy", true, false, "netpol");
    add("coordination.k8s.io/v1", "leases", "Lease", true, false);
    add("policy/v1", "poddisruptionbudgets", "PodDisruptionBudget", true, true, "pdb");
    add("rbac.authorization.k8s.io/v1", "roles", "Role", true, false);
    add("rbac.authorization.k8s.io/v1", "rolebindings", "RoleBinding", true, false);
    add("rbac.authorization.k8s.io/v1", "clusterroles", "ClusterRole", false, false);
    add("rbac.authorization.k8s.io/v1", "clusterrolebindings", "ClusterRoleBinding", false, false);
    // Until authorization serves them, the store answers rules reviews as the mock always did
    // (everything allowed).
    add(
        "authorization.k8s.io/v1",
        "selfsubjectrulesreviews",
        "SelfSubjectRulesReview",
        false,
        false);
    add(
        "authorization.k8s.io/v1",
        "selfsubjectaccessreviews",
        "SelfSubjectAccessReview",
        false,
        false);
    add("authorization.k8s.io/v1", "subjectaccessreviews", "SubjectAccessReview", false, false);
    add(
        "apiextensions.k8s.io/v1",
        "customresourcedefinitions",
        "CustomResourceDefinition",
        false,
        true,
        "crd");
  }

  /** Serves a CRD's kind, as the API server does once it is established. */
  public synchronized void add(CustomResourceDefinition crd) {
    remove(crd.getMetadata().getName());
    var names = crd.getSpec().getNames();
    List<String> added = new ArrayList<>();
    for (var version : crd.getSpec().getVersions()) {
      if (Boolean.FALSE.equals(version.getServed())) {
        continue;
      }
      String gv = crd.getSpec().getGroup() + "/" + version.getName();
      var subresources = version.getSubresources();
      boolean status = subresources != null && subresources.getStatus() != null;
      ScalePaths scale =
          subresources != null && subresources.getScale() != null
              ? ScalePaths.of(subresources.getScale())
              : null;
      put(
          new Resource(
              gv,
              names.getPlural(),
              names.getKind(),
              "Namespaced".equals(crd.getSpec().getScope()),
              status,
              scale,
              names.getShortNames() == null ? List.of() : List.copyOf(names.getShortNames()),
              names.getCategories() == null ? List.of() : List.copyOf(names.getCategories())));
      added.add(gv + " " + names.getPlural());
    }
    crds.put(crd.getMetadata().getName(), added);
  }

  /** Stops serving a deleted CRD's kind. */
  public synchronized void remove(String crdName) {
    for (String entry : crds.getOrDefault(crdName, List.of())) {
      String[] gvPlural = entry.split(" ");
      Map<String, Resource> resources = groups.get(gvPlural[0]);
      if (resources != null) {
        resources.remove(gvPlural[1]);
        if (resources.isEmpty()) {
          groups.remove(gvPlural[0]);
        }
      }
    }
    crds.remove(crdName);
  }

  /** Every resource served now, by group version in the order added. */
  public synchronized List<Resource> resources() {
    List<Resource> all = new ArrayList<>();
    groups.values().forEach(g -> all.addAll(g.values()));
    return all;
  }

  public synchronized Optional<Resource> resource(String groupVersion, String plural) {
    return Optional.ofNullable(groups.getOrDefault(groupVersion, Map.of()).get(plural));
  }

  /** A built-in kind, with the category and scale subresource kube-apiserver gives it. */
  private void add(
      String groupVersion,
      String plural,
      String kind,
      boolean namespaced,
      boolean status,
      String... shortNames) {
    String key = groupVersion + " " + plural;
    put(
        new Resource(
            groupVersion,
            plural,
            kind,
            namespaced,
            status,
            SCALED.contains(key) ? ScalePaths.WORKLOADS : null,
            List.of(shortNames),
            ALL.contains(key) ? List.of("all") : List.of()));
  }

  private void put(Resource resource) {
    groups
        .computeIfAbsent(resource.groupVersion(), k -> new LinkedHashMap<>())
        .put(resource.plural(), resource);
  }

  /** The discovery document at this path, if it is one. */
  public synchronized Optional<JsonNode> document(String path) {
    String p =
        path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
    Object document = null;
    if (p.equals("/api")) {
      document = new APIVersionsBuilder().withVersions("v1").build();
    } else if (p.equals("/apis")) {
      var list = new APIGroupListBuilder();
      groups.keySet().stream()
          .filter(gv -> gv.contains("/"))
          .forEach(
              gv -> {
                String group = gv.substring(0, gv.indexOf('/'));
                String version = gv.substring(group.length() + 1);
                list.addToGroups(
                    new APIGroupBuilder()
                        .withName(group)
                        .addNewVersion()
                        .withGroupVersion(gv)
                        .withVersion(version)
                        .endVersion()
                        .withNewPreferredVersion()
                        .withGroupVersion(gv)
                        .withVersion(version)
                        .endPreferredVersion()
                        .build());
              });
      document = list.build();
    } else if (p.startsWith("/api/") || p.startsWith("/apis/")) {
      String gv = p.substring(p.indexOf('/', 1) + 1);
      Map<String, Resource> resources = groups.get(gv);
      if (resources != null) {
        document =
            new APIResourceListBuilder()
                .withGroupVersion(gv)
                .withResources(apiResources(resources))
                .build();
      }
    }
    return Optional.ofNullable(document).map(d -> Storage.JSON.valueToTree(d));
  }

  private static List<APIResource> apiResources(Map<String, Resource> resources) {
    List<APIResource> list = new ArrayList<>();
    for (Resource r : resources.values()) {
      list.add(
          new APIResourceBuilder()
              .withName(r.plural())
              .withSingularName(r.kind().toLowerCase())
              .withKind(r.kind())
              .withNamespaced(r.namespaced())
              .withVerbs(VERBS)
              .withShortNames(r.shortNames())
              .withCategories(r.categories())
              .build());
      if (r.status()) {
        list.add(
            new APIResourceBuilder()
                .withName(r.plural() + "/status")
                .withSingularName("")
                .withKind(r.kind())
                .withNamespaced(r.namespaced())
                .withVerbs("get", "patch", "update")
                .build());
      }
      if (r.scale() != null) {
        list.add(
            new APIResourceBuilder()
                .withName(r.plural() + "/scale")
                .withSingularName("")
                .withGroup("autoscaling")
                .withVersion("v1")
                .withKind("Scale")
                .withNamespaced(r.namespaced())
                .withVerbs("get", "patch", "update")
                .build());
      }
    }
    return list;
  }
}
