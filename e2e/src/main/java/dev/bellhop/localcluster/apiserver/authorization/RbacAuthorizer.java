package dev.bellhop.localcluster.apiserver.authorization;

import dev.bellhop.localcluster.apiserver.RequestInfo;
import dev.bellhop.localcluster.apiserver.UserInfo;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.util.ArrayList;
import java.util.List;

/**
 * kube-apiserver's RBAC authorizer: a request is allowed when any rule reachable from the user's
 * bindings covers it. ClusterRoleBindings apply everywhere; RoleBindings (to a Role of their
 * namespace or to a ClusterRole) only to requests in their namespace, and never to non-resource
 * URLs. Subjects are Users, Groups and ServiceAccounts. A binding to a missing role grants nothing.
 */
public final class RbacAuthorizer implements Authorizer {
  private static final String SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:";

  private final RbacSource source;

  public RbacAuthorizer(RbacSource source) {
    this.source = source;
  }

  @Override
  public Decision authorize(UserInfo user, RequestInfo request) {
    String namespace = request.resourceRequest() ? request.namespace() : null;
    for (PolicyRule rule : rulesFor(user, namespace)) {
      if (RuleMatcher.allows(rule, request)) {
        return Decision.allow();
      }
    }
    // kube's RBAC authorizer gives no reason when nothing matched: the message says it all.
    return Decision.deny("");
  }

  /**
   * Every rule that applies to the user in a namespace (null: cluster-wide only), as a
   * SelfSubjectRulesReview lists them: the built-in defaults, then ClusterRoleBindings, then the
   * namespace's RoleBindings.
   */
  public List<PolicyRule> rulesFor(UserInfo user, String namespace) {
    List<PolicyRule> rules = new ArrayList<>(BootstrapPolicy.rulesFor(user));
    for (var binding : source.clusterRoleBindings()) {
      if (appliesTo(binding.getSubjects(), user, null)) {
        rules.addAll(roleRules(binding.getRoleRef(), null));
      }
    }
    if (namespace != null && !namespace.isEmpty()) {
      for (var binding : source.roleBindings(namespace)) {
        if (appliesTo(binding.getSubjects(), user, namespace)) {
          rules.addAll(
              roleRules(binding.getRoleRef(), namespace).stream()
                  // A ClusterRole's non-resource rules do not apply through a RoleBinding.
                  .filter(r -> r.getResources() != null && !r.getResources().isEmpty())
                  .toList());
        }
      }
    }
    return rules;
  }

  private List<PolicyRule> roleRules(RoleRef ref, String namespace) {
    if ("ClusterRole".equals(ref.getKind())) {
      return source
          .clusterRole(ref.getName())
          .map(r -> r.getRules() == null ? List.<PolicyRule>of() : r.getRules())
          .orElse(List.of());
    }
    if ("Role".equals(ref.getKind()) && namespace != null) {
      return source
          .role(namespace, ref.getName())
          .map(r -> r.getRules() == null ? List.<PolicyRule>of() : r.getRules())
          .orElse(List.of());
    }
    return List.of();
  }

  /** kube's appliesToUser; a ServiceAccount subject without a namespace takes the binding's. */
  private static boolean appliesTo(List<Subject> subjects, UserInfo user, String bindingNamespace) {
    if (subjects == null) {
      return false;
    }
    for (Subject s : subjects) {
      boolean applies =
          switch (s.getKind() == null ? "" : s.getKind()) {
            case "User" -> user.name().equals(s.getName());
            case "Group" -> user.isMember(s.getName());
            case "ServiceAccount" -> {
              String ns =
                  s.getNamespace() == null || s.getNamespace().isEmpty()
                      ? bindingNamespace
                      : s.getNamespace();
              yield ns != null
                  && user.name().equals(SERVICE_ACCOUNT_PREFIX + ns + ":" + s.getName());
            }
            default -> false;
          };
      if (applies) {
        return true;
      }
    }
    return false;
  }
}
