package dev.bellhop.localcluster.apiserver.authorization;

import dev.bellhop.localcluster.apiserver.UserInfo;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * The default roles every kube-apiserver creates and binds at start
 * (plugin/pkg/auth/authorizer/rbac/ bootstrappolicy): {@code system:discovery} and {@code
 * system:basic-user} for every authenticated user, {@code system:public-info-viewer} for everyone,
 * {@code cluster-admin} for {@code system:masters} (whom the front lets through before RBAC; the
 * rules are what {@code kubectl auth can-i --list} shows the admin). Built in here rather than
 * stored, so no test can delete them; they are the only rights a ServiceAccount has before a
 * binding grants more.
 */
final class BootstrapPolicy {
  private static final List<PolicyRule> DISCOVERY =
      List.of(
          new PolicyRuleBuilder()
              .withVerbs("get")
              .withNonResourceURLs(
                  "/api",
                  "/api/*",
                  "/apis",
                  "/apis/*",
                  "/healthz",
                  "/livez",
                  "/openapi",
                  "/openapi/*",
                  "/readyz",
                  "/version",
                  "/version/")
              .build());
  private static final List<PolicyRule> BASIC_USER =
      List.of(
          new PolicyRuleBuilder()
              .withVerbs("create")
              .withApiGroups("authorization.k8s.io")
              .withResources("selfsubjectaccessreviews", "selfsubjectrulesreviews")
              .build(),
          new PolicyRuleBuilder()
              .withVerbs("create")
              .withApiGroups("authentication.k8s.io")
              .withResources("selfsubjectreviews")
              .build());
  private static final List<PolicyRule> PUBLIC_INFO =
      List.of(
          new PolicyRuleBuilder()
              .withVerbs("get")
              .withNonResourceURLs("/healthz", "/livez", "/readyz", "/version", "/version/")
              .build());

  private static final List<PolicyRule> CLUSTER_ADMIN =
      List.of(
          new PolicyRuleBuilder().withVerbs("*").withApiGroups("*").withResources("*").build(),
          new PolicyRuleBuilder().withVerbs("*").withNonResourceURLs("*").build());

  private BootstrapPolicy() {}

  /** The built-in rules that apply to this user everywhere. */
  static List<PolicyRule> rulesFor(UserInfo user) {
    List<PolicyRule> rules = new ArrayList<>();
    if (user.isMember(UserInfo.MASTERS)) {
      rules.addAll(CLUSTER_ADMIN);
    }
    if (user.isMember(UserInfo.AUTHENTICATED)) {
      rules.addAll(DISCOVERY);
      rules.addAll(BASIC_USER);
    }
    if (user.isMember(UserInfo.AUTHENTICATED) || user.isMember(UserInfo.UNAUTHENTICATED)) {
      rules.addAll(PUBLIC_INFO);
    }
    return rules;
  }
}
