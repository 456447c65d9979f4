package dev.bellhop.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bellhop.localcluster.apiserver.ApiError;
import dev.bellhop.localcluster.apiserver.RequestInfo;
import dev.bellhop.localcluster.apiserver.UserInfo;
import dev.bellhop.localcluster.apiserver.authorization.RbacAuthorizer;
import dev.bellhop.localcluster.apiserver.authorization.StaticRbacSource;
import dev.bellhop.operator.BellhopOperator;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The chart grants the operator exactly what it uses, judged by the local API server's RBAC
 * authorizer (the rules kube-apiserver applies) rather than a list kept by hand: the operator runs
 * the install simulation with its rules reviews answered from the chart's rendered roles; every
 * request it made must be allowed to its ServiceAccount, and every right the chart grants must have
 * been used by a request, or be needed in another way that this test shows by taking the right
 * away.
 */
class RbacTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Rights used only on paths that need a running Consul, which the mock API server has not
   * (HotelSystemE2EIT runs them against a real one). Each names the code that uses it.
   */
  static final Map<Rbac.Grant, String> NEEDS_A_RUNNING_CONSUL =
      Map.of(
          new Rbac.Grant("", "secrets", "patch"),
          "ConsulAcls: the bootstrap token written into its Secret (edit)",
          new Rbac.Grant("", "secrets", "update"),
          "ConsulAcls: the operator's token Secret replaced (createOr)",
          new Rbac.Grant("", "secrets", "get"),
          "ConsulAcls: the bootstrap token's Secret read before it is edited; PodSecrets: a gossip or TLS"
              + " Secret the user names",
          new Rbac.Grant("", "pods", "delete"),
          "ServerRoller: a rollout restarts a server by deleting its pod, once"
              + " autopilot calls the others healthy",
          new Rbac.Grant("batch", "jobs", "create"),
          "ClusterBackup, ConsulRestoreReconciler: a snapshot or restore Job, once Consul has a"
              + " leader",
          new Rbac.Grant("batch", "jobs", "delete"),
          "ClusterBackup: a finished snapshot Job, once status records its snapshot");

  @Test
  void theChartGrantsExactlyWhatTheOperatorUses() throws Exception {
    List<HasMetadata> chart = Charts.objects(Charts.template(Map.of()));
    // Watching every namespace: one ClusterRole, bound cluster-wide, as before the namespaced mode.
    assertThat(Charts.ofType(chart, ClusterRoleBinding.class))
        .singleElement()
        .satisfies(b -> assertThat(b.getRoleRef().getName()).isEqualTo("bellhop-operator"));
    assertThat(Charts.ofType(chart, Role.class))
        .extracting(r -> r.getMetadata().getNamespace() + "/" + r.getMetadata().getName())
        .containsExactly("bellhop/bellhop-operator-leader-election");
    assertGrantsExactlyWhatTheOperatorUses(chart);
  }

  /**
   * {@code helm install -n a --set operator.watchNamespaces={a,b}} (helm-java's set takes no list
   * syntax: the same by index): the operator may do in {@code a} and {@code b} what it does in
   * {@code a} (the install simulation's namespace), and none of it in {@code c}.
   */
  @Test
  void watchingSomeNamespacesGrantsNothingOutsideThem() throws Exception {
    List<HasMetadata> chart =
        Charts.objects(
            Charts.template(
                "a",
                Map.of("operator.watchNamespaces[0]", "a", "operator.watchNamespaces[1]", "b")));
    assertThat(Charts.ofType(chart, ClusterRole.class)).isEmpty();
    assertThat(Charts.ofType(chart, ClusterRoleBinding.class)).isEmpty();
    UserInfo operator = Rbac.operatorUser(chart);
    List<Rbac.Access> requests = assertGrantsExactlyWhatTheOperatorUses(chart);

    // Its informers list and watch in each watched namespace, and nowhere else.
    assertThat(
            requests.stream()
                .filter(r -> r.info().resourceRequest() && !selfReview(r.info()))
                .filter(r -> !Set.of("a", "b").contains(r.info().namespace()))
                .map(Rbac.Access::request))
        .as("requests outside the watched namespaces (a cluster-wide list or watch has none)")
        .isEmpty();
    for (String ns : List.of("a", "b")) {
      assertThat(requests)
          .as("the operator watches HotelServices, pods and Secrets in " + ns)
          .anySatisfy(r -> assertWatches(r.info(), ns, "hotelservices"))
          .anySatisfy(r -> assertWatches(r.info(), ns, "pods"))
          .anySatisfy(r -> assertWatches(r.info(), ns, "secrets"));
    }

    // What it did in a (leader election aside, which is the release namespace's alone), moved.
    Set<RequestInfo> inA = new java.util.LinkedHashSet<>();
    requests.stream()
        .map(Rbac.Access::info)
        .filter(i -> "a".equals(i.namespace()) && !i.resource().equals("leases"))
        .forEach(i -> inA.add(moved(i, "a", "a")));
    assertThat(inA).as("the operator's requests in a").isNotEmpty();
    RbacAuthorizer rbac = new RbacAuthorizer(new StaticRbacSource(chart));
    assertThat(inA.stream().map(i -> moved(i, "a", "b")))
        .as("allowed in b, the other watched namespace")
        .allSatisfy(i -> assertThat(rbac.authorize(operator, i).allowed()).as(i.path()).isTrue());
    List<RequestInfo> inC = new ArrayList<>(inA.stream().map(i -> moved(i, "a", "c")).toList());
    inC.add(RequestInfo.parse("GET", "/api/v1/namespaces/c/secrets/consul-acl-bootstrap"));
    inC.add(RequestInfo.parse("POST", "/api/v1/namespaces/c/pods"));
    inC.add(RequestInfo.parse("GET", "/api/v1/secrets"));
    inC.add(RequestInfo.parse("GET", "/api/v1/pods?watch=true"));
    assertThat(inC)
        .as("refused in c, a namespace it does not watch, and cluster-wide")
        .allSatisfy(i -> assertThat(rbac.authorize(operator, i).allowed()).as(i.path()).isFalse());
    // The assertion above can fail: with the default rendering's ClusterRole bound, the same
    // requests (but creating pods, which no rendering grants) are allowed.
    List<HasMetadata> everywhere = Charts.objects(Charts.template("a", Map.of()));
    RbacAuthorizer clusterWide = new RbacAuthorizer(new StaticRbacSource(everywhere));
    assertThat(
            inC.stream().filter(i -> !(i.resource().equals("pods") && i.verb().equals("create"))))
        .allSatisfy(
            i -> assertThat(clusterWide.authorize(operator, i).allowed()).as(i.path()).isTrue());
  }

  private static boolean selfReview(RequestInfo info) {
    return info.apiGroup().equals("authorization.k8s.io");
  }

  private static void assertWatches(RequestInfo info, String namespace, String resource) {
    assertThat(info.namespace()).isEqualTo(namespace);
    assertThat(info.resource()).isEqualTo(resource);
    assertThat(info.verb()).isIn("list", "watch");
  }

  /** The request as if made in {@code to} instead of {@code from}. */
  private static RequestInfo moved(RequestInfo i, String from, String to) {
    return new RequestInfo(
        i.verb(),
        i.path().replace("/namespaces/" + from + "/", "/namespaces/" + to + "/"),
        i.resourceRequest(),
        i.apiGroup(),
        i.apiVersion(),
        to,
        i.resource(),
        i.subresource(),
        i.name(),
        Map.of());
  }

  /**
   * Runs the install simulation under a rendering's RBAC: every request the operator made must be
   * allowed, and every right granted must have been used (or be needed to start, or be named in
   * {@link #NEEDS_A_RUNNING_CONSUL}). Returns the operator's requests.
   */
  private static List<Rbac.Access> assertGrantsExactlyWhatTheOperatorUses(List<HasMetadata> chart)
      throws Exception {
    UserInfo operator = Rbac.operatorUser(chart);
    RbacAuthorizer rbac = new RbacAuthorizer(new StaticRbacSource(chart));
    List<Rbac.Access> requests;
    List<RequestInfo> ownerFinalizers;
    try (var cluster = new RecordingCluster(chart, operator)) {
      requests = InstallSimulation.run(cluster, chart);
      ownerFinalizers = ownerFinalizerUpdates(cluster.client(), requests);
    }
    assertThat(requests).as("the operator's requests").isNotEmpty();

    List<String> refused = new ArrayList<>();
    Set<Rbac.Grant> used = new TreeSet<>();
    Map<RequestInfo, String> needs = new java.util.LinkedHashMap<>();
    requests.forEach(r -> needs.put(r.info(), r.request()));
    ownerFinalizers.forEach(
        need ->
            needs.put(
                need,
                "an owner reference blocking the deletion of "
                    + need.resource()
                    + " "
                    + need.name()));
    needs.forEach(
        (need, request) -> {
          if (!rbac.authorize(operator, need).allowed()) {
            refused.add(request + ": " + ApiError.forbidden(operator, need, "").getMessage());
          } else if (need.resourceRequest()) {
            used.add(Rbac.Grant.of(need));
          }
        });
    assertThat(refused).as("requests the chart's RBAC refuses").isEmpty();

    // Every role of the operator's: the ClusterRole or the watched namespaces' Roles, and the
    // leader election's.
    Set<Rbac.Grant> granted = new TreeSet<>();
    Charts.ofType(chart, ClusterRole.class).forEach(r -> granted.addAll(Rbac.grants(r.getRules())));
    Charts.ofType(chart, Role.class).forEach(r -> granted.addAll(Rbac.grants(r.getRules())));
    Set<Rbac.Grant> unused = new TreeSet<>(granted);
    unused.removeAll(used);
    unused.removeAll(NEEDS_A_RUNNING_CONSUL.keySet());
    assertThat(unused.stream().filter(g -> startsWithout(chart, operator, g)).toList())
        .as("rights the chart grants that the operator never used and starts without")
        .isEmpty();
    assertThat(granted)
        .as("rights kept for the Consul-only paths are still granted")
        .containsAll(NEEDS_A_RUNNING_CONSUL.keySet());
    return requests;
  }

  /**
   * kube's OwnerReferencesPermissionEnforcement: an object created or updated with an owner
   * reference that blocks the owner's deletion needs {@code update} on the owner's {@code
   * finalizers} subresource. Read from what the operator's creates left in the store (the mock
   * keeps no request bodies).
   */
  private static List<RequestInfo> ownerFinalizerUpdates(
      KubernetesClient client, List<Rbac.Access> requests) throws Exception {
    List<CustomResourceDefinition> crds =
        client.apiextensions().v1().customResourceDefinitions().list().getItems();
    Set<String> collections = new TreeSet<>();
    requests.stream()
        .filter(
            r ->
                r.info().verb().equals("create")
                    && r.info().resourceRequest()
                    && !r.info().apiGroup().equals("authorization.k8s.io"))
        .forEach(r -> collections.add(r.info().path()));
    List<RequestInfo> needs = new ArrayList<>();
    for (String collection : collections) {
      for (JsonNode item : JSON.readTree(client.raw(collection)).path("items")) {
        for (JsonNode ref : item.at("/metadata/ownerReferences")) {
          if (!ref.path("blockOwnerDeletion").asBoolean(false)) {
            continue;
          }
          String apiVersion = ref.path("apiVersion").asText();
          String group =
              apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
          String plural =
              crds.stream()
                  .filter(
                      c ->
                          c.getSpec().getGroup().equals(group)
                              && c.getSpec().getNames().getKind().equals(ref.path("kind").asText()))
                  .map(c -> c.getSpec().getNames().getPlural())
                  .findFirst()
                  .orElseThrow(
                      () ->
                          new AssertionError("an owner of a kind this test does not know: " + ref));
          needs.add(
              new RequestInfo(
                  "update",
                  "",
                  true,
                  group,
                  apiVersion.substring(apiVersion.indexOf('/') + 1),
                  item.at("/metadata/namespace").asText(),
                  plural,
                  "finalizers",
                  ref.path("name").asText(),
                  Map.of()));
        }
      }
    }
    return needs;
  }

  /**
   * Whether the operator starts without a right (JOSDK's lease check needs one no request uses).
   */
  private static boolean startsWithout(
      List<HasMetadata> chart, UserInfo operator, Rbac.Grant grant) {
    List<HasMetadata> reduced = new ArrayList<>();
    for (HasMetadata o : chart) {
      if (o instanceof ClusterRole role) {
        reduced.add(
            new io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder(role)
                .withRules(without(role.getRules(), grant))
                .build());
      } else if (o instanceof Role role) {
        reduced.add(
            new io.fabric8.kubernetes.api.model.rbac.RoleBuilder(role)
                .withRules(without(role.getRules(), grant))
                .build());
      } else {
        reduced.add(o);
      }
    }
    try (var cluster = new RecordingCluster(reduced, operator);
        var started =
            BellhopOperator.start(cluster.operatorClient(), OperatorSettings.config(chart))) {
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static List<PolicyRule> without(List<PolicyRule> rules, Rbac.Grant grant) {
    List<PolicyRule> out = new ArrayList<>();
    for (PolicyRule rule : rules) {
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          List<String> verbs = new ArrayList<>(rule.getVerbs());
          if (group.equals(grant.group()) && resource.equals(grant.resource())) {
            verbs.remove(grant.verb());
          }
          if (!verbs.isEmpty()) {
            out.add(
                new io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder()
                    .withApiGroups(group)
                    .withResources(resource)
                    .withVerbs(verbs)
                    .build());
          }
        }
      }
    }
    return out;
  }
}
