package dev.bellhop.localcluster.apiserver.authorization;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bellhop.localcluster.apiserver.RequestInfo;
import dev.bellhop.localcluster.apiserver.UserInfo;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.SubjectBuilder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RbacAuthorizerTest {
  static final UserInfo SA =
      new UserInfo(
          "system:serviceaccount:shop:worker",
          "u1",
          List.of("system:serviceaccounts", "system:serviceaccounts:shop", UserInfo.AUTHENTICATED));
  static final UserInfo ALICE = new UserInfo("alice", "", List.of("devs", UserInfo.AUTHENTICATED));

  private final List<HasMetadata> objects = new ArrayList<>();

  private boolean allowed(UserInfo user, String method, String uri) {
    return new RbacAuthorizer(new StaticRbacSource(objects))
        .authorize(user, RequestInfo.parse(method, uri))
        .allowed();
  }

  private void role(String ns, String name, PolicyRule... rules) {
    objects.add(
        new RoleBuilder()
            .withNewMetadata()
            .withNamespace(ns)
            .withName(name)
            .endMetadata()
            .withRules(rules)
            .build());
  }

  private void clusterRole(String name, PolicyRule... rules) {
    objects.add(
        new ClusterRoleBuilder()
            .withNewMetadata()
            .withName(name)
            .endMetadata()
            .withRules(rules)
            .build());
  }

  private void roleBinding(
      String ns,
      String roleKind,
      String role,
      String subjectKind,
      String subject,
      String subjectNs) {
    objects.add(
        new RoleBindingBuilder()
            .withNewMetadata()
            .withNamespace(ns)
            .withName(role + "-" + subject)
            .endMetadata()
            .withNewRoleRef("rbac.authorization.k8s.io", roleKind, role)
            .withSubjects(
                new SubjectBuilder()
                    .withKind(subjectKind)
                    .withName(subject)
                    .withNamespace(subjectNs)
                    .build())
            .build());
  }

  private void clusterRoleBinding(
      String role, String subjectKind, String subject, String subjectNs) {
    objects.add(
        new ClusterRoleBindingBuilder()
            .withNewMetadata()
            .withName(role + "-" + subject)
            .endMetadata()
            .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", role)
            .withSubjects(
                new SubjectBuilder()
                    .withKind(subjectKind)
                    .withName(subject)
                    .withNamespace(subjectNs)
                    .build())
            .build());
  }

  private static PolicyRule rule(String group, String resource, String... verbs) {
    return new PolicyRuleBuilder()
        .withApiGroups(group)
        .withResources(resource)
        .withVerbs(verbs)
        .build();
  }

  @Test
  void nothingIsAllowedWithoutABinding() {
    role("shop", "reader", rule("", "pods", "get", "list"));
    assertThat(allowed(SA, "GET", "/api/v1/namespaces/shop/pods")).isFalse();
  }

  @Test
  void aRoleBindingGrantsItsRoleInItsNamespaceOnly() {
    role("shop", "reader", rule("", "pods", "get", "list"));
    roleBinding("shop", "Role", "reader", "ServiceAccount", "worker", "shop");
    assertThat(allowed(SA, "GET", "/api/v1/namespaces/shop/pods")).isTrue();
    assertThat(allowed(SA, "GET", "/api/v1/namespaces/shop/pods/p1")).isTrue();
    assertThat(allowed(SA, "GET", "/api/v1/namespaces/shop/pods?watch=true"))
        .as("watch not granted")
        .isFalse();
    assertThat(allowed(SA, "DELETE", "/api/v1/namespaces/shop/pods/p1")).isFalse();
    assertThat(allowed(SA, "GET", "/api/v1/namespaces/other/pods"))
        .as("another namespace")
        .isFalse();
    assertThat(allowed(SA, "GET", "/api/v1/pods")).as("all namespaces").isFalse();
  }

  @Test
  void aRoleOfAnotherNamespaceIsNotReachable() {
    role("other", "reader", rule("", "pods", "list"));
    roleBinding("shop", "Role", "reader", "ServiceAccount", "worker", "shop");
    assertThat(allowed(SA, "GET", "/api/v1/namespaces/shop/pods")).isFalse();
  }

  @Test
  void aClusterRoleBoundByARoleBindingAppliesInTheBindingsNamespace() {
    clusterRole("reader", rule("", "pods", "list"));
    roleBinding("shop", "ClusterRole", "reader", "ServiceAccount", "worker", null);
    assertThat(allowed(SA, "GET", "/api/v1/namespaces/shop/pods"))
        .as("SA namespace defaults to the binding's")
        .isTrue();
    assertThat(allowed(SA, "GET", "/api/v1/namespaces/other/pods")).isFalse();
    assertThat(allowed(SA, "GET", "/api/v1/pods")).isFalse();
  }

  @Test
  void aClusterRoleBindingAppliesEverywhereAndToClusterScopedResources() {
    clusterRole("reader", rule("", "pods", "list"), rule("", "nodes", "get"));
    clusterRoleBinding("reader", "ServiceAccount", "worker", "shop");
    assertThat(allowed(SA, "GET", "/api/v1/pods")).isTrue();
    assertThat(allowed(SA, "GET", "/api/v1/namespaces/any/pods")).isTrue();
    assertThat(allowed(SA, "GET", "/api/v1/nodes/node-1")).isTrue();
  }

  @Test
  void apiGroupsMustMatch() {
    clusterRole("deployer", rule("apps", "deployments", "create"));
    clusterRoleBinding("deployer", "User", "alice", null);
    assertThat(allowed(ALICE, "POST", "/apis/apps/v1/namespaces/shop/deployments")).isTrue();
    assertThat(allowed(ALICE, "POST", "/apis/extensions/v1beta1/namespaces/shop/deployments"))
        .isFalse();
    assertThat(allowed(ALICE, "POST", "/api/v1/namespaces/shop/deployments")).isFalse();
  }

  @Test
  void subresourcesAreTheirOwnResource() {
    clusterRole("status", rule("bellhop.dev", "hotelservices/status", "patch"));
    clusterRoleBinding("status", "Group", "devs", null);
    assertThat(
            allowed(
                ALICE,
                "PATCH",
                "/apis/bellhop.dev/v1alpha1/namespaces/shop/hotelservices/geo/status"))
        .isTrue();
    assertThat(
            allowed(ALICE, "PATCH", "/apis/bellhop.dev/v1alpha1/namespaces/shop/hotelservices/geo"))
        .isFalse();
    assertThat(
            allowed(
                ALICE,
                "PUT",
                "/apis/bellhop.dev/v1alpha1/namespaces/shop/hotelservices/geo/finalizers"))
        .isFalse();
  }

  @Test
  void theResourceItselfDoesNotCoverItsSubresources() {
    clusterRole("hs", rule("bellhop.dev", "hotelservices", "*"));
    clusterRoleBinding("hs", "Group", "devs", null);
    assertThat(
            allowed(ALICE, "PATCH", "/apis/bellhop.dev/v1alpha1/namespaces/shop/hotelservices/geo"))
        .isTrue();
    assertThat(
            allowed(
                ALICE,
                "PATCH",
                "/apis/bellhop.dev/v1alpha1/namespaces/shop/hotelservices/geo/status"))
        .isFalse();
  }

  @Test
  void wildcards() {
    clusterRole("all-status", rule("*", "*/status", "get"));
    clusterRole(
        "everything-in-apps",
        new PolicyRuleBuilder().withApiGroups("apps").withResources("*").withVerbs("*").build());
    clusterRoleBinding("all-status", "Group", "devs", null);
    clusterRoleBinding("everything-in-apps", "Group", "devs", null);
    assertThat(allowed(ALICE, "GET", "/api/v1/namespaces/shop/pods/p/status")).isTrue();
    assertThat(
            allowed(
                ALICE,
                "GET",
                "/apis/bellhop.dev/v1alpha1/namespaces/shop/hotelservices/geo/status"))
        .isTrue();
    assertThat(allowed(ALICE, "GET", "/api/v1/namespaces/shop/pods/p")).isFalse();
    assertThat(allowed(ALICE, "DELETE", "/apis/apps/v1/namespaces/shop/statefulsets/consul"))
        .isTrue();
    assertThat(allowed(ALICE, "PUT", "/apis/apps/v1/namespaces/shop/deployments/d/scale"))
        .as("* is every resource and subresource")
        .isTrue();
  }

  @Test
  void resourceNamesLimitToThoseObjectsAndNeverCoverListOrCreate() {
    role(
        "shop",
        "one-lease",
        new PolicyRuleBuilder()
            .withApiGroups("coordination.k8s.io")
            .withResources("leases")
            .withResourceNames("bellhop-operator")
            .withVerbs("get", "update", "create", "list")
            .build());
    roleBinding("shop", "Role", "one-lease", "ServiceAccount", "worker", "shop");
    String leases = "/apis/coordination.k8s.io/v1/namespaces/shop/leases";
    assertThat(allowed(SA, "GET", leases + "/bellhop-operator")).isTrue();
    assertThat(allowed(SA, "PUT", leases + "/bellhop-operator")).isTrue();
    assertThat(allowed(SA, "GET", leases + "/someone-else")).isFalse();
    assertThat(allowed(SA, "POST", leases)).as("create has no name in the request").isFalse();
    assertThat(allowed(SA, "GET", leases)).as("list has no name").isFalse();
  }

  @Test
  void nonResourceUrlsExactAndByPrefix() {
    clusterRole(
        "metrics",
        new PolicyRuleBuilder()
            .withNonResourceURLs("/metrics", "/debug/*")
            .withVerbs("get")
            .build());
    clusterRoleBinding("metrics", "User", "alice", null);
    assertThat(allowed(ALICE, "GET", "/metrics")).isTrue();
    assertThat(allowed(ALICE, "GET", "/metrics/extra")).isFalse();
    assertThat(allowed(ALICE, "GET", "/debug/pprof/heap")).isTrue();
    assertThat(allowed(ALICE, "POST", "/metrics")).isFalse();
  }

  @Test
  void nonResourceRulesDoNotApplyThroughARoleBinding() {
    clusterRole(
        "metrics",
        new PolicyRuleBuilder().withNonResourceURLs("/metrics").withVerbs("get").build());
    roleBinding("shop", "ClusterRole", "metrics", "ServiceAccount", "worker", "shop");
    assertThat(allowed(SA, "GET", "/metrics")).isFalse();
  }

  @Test
  void subjectsByUserGroupAndServiceAccount() {
    clusterRole("reader", rule("", "configmaps", "get"));
    clusterRoleBinding("reader", "Group", "system:serviceaccounts:shop", null);
    assertThat(allowed(SA, "GET", "/api/v1/namespaces/x/configmaps/c")).isTrue();
    assertThat(allowed(ALICE, "GET", "/api/v1/namespaces/x/configmaps/c")).isFalse();
    clusterRoleBinding("reader", "User", "alice", null);
    assertThat(allowed(ALICE, "GET", "/api/v1/namespaces/x/configmaps/c")).isTrue();
    UserInfo namesake =
        new UserInfo("system:serviceaccount:other:worker", "", List.of(UserInfo.AUTHENTICATED));
    clusterRole("secrets", rule("", "secrets", "get"));
    clusterRoleBinding("secrets", "ServiceAccount", "worker", "shop");
    assertThat(allowed(SA, "GET", "/api/v1/namespaces/x/secrets/s")).isTrue();
    assertThat(allowed(namesake, "GET", "/api/v1/namespaces/x/secrets/s")).isFalse();
  }

  @Test
  void aBindingToAMissingRoleGrantsNothing() {
    clusterRoleBinding("nowhere", "User", "alice", null);
    assertThat(allowed(ALICE, "GET", "/api/v1/pods")).isFalse();
  }

  @Test
  void authenticatedUsersHaveDiscoveryAndSelfReviewsOnly() {
    assertThat(allowed(SA, "GET", "/api")).isTrue();
    assertThat(allowed(SA, "GET", "/apis/apps/v1")).isTrue();
    assertThat(allowed(SA, "GET", "/version")).isTrue();
    assertThat(allowed(SA, "GET", "/openapi/v3")).isTrue();
    assertThat(allowed(SA, "POST", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews"))
        .isTrue();
    assertThat(allowed(SA, "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"))
        .isTrue();
    assertThat(allowed(SA, "POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews")).isFalse();
    assertThat(allowed(SA, "GET", "/api/v1/namespaces")).isFalse();
    assertThat(allowed(UserInfo.ANONYMOUS, "GET", "/version")).isTrue();
    assertThat(allowed(UserInfo.ANONYMOUS, "GET", "/api")).isFalse();
    assertThat(
            allowed(
                UserInfo.ANONYMOUS,
                "POST",
                "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews"))
        .isFalse();
  }
}
