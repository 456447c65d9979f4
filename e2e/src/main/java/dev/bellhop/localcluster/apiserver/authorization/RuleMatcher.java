package dev.bellhop.localcluster.apiserver.authorization;

import dev.bellhop.localcluster.apiserver.RequestInfo;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import java.util.List;

/**
 * Whether one RBAC rule covers one request, as kube's {@code rbac.RuleAllows}: verbs, API groups,
 * resources ({@code resource/subresource}, {@code *}, {@code * /subresource}), resourceNames for
 * resource requests, and nonResourceURLs (exact or a {@code *} suffix) for the others.
 */
final class RuleMatcher {
  private RuleMatcher() {}

  static boolean allows(PolicyRule rule, RequestInfo request) {
    if (!matches(rule.getVerbs(), request.verb())) {
      return false;
    }
    if (!request.resourceRequest()) {
      return nonResourceUrlMatches(rule.getNonResourceURLs(), request.path());
    }
    return matches(rule.getApiGroups(), request.apiGroup())
        && resourceMatches(rule.getResources(), request.resource(), request.subresource())
        && resourceNameMatches(rule.getResourceNames(), request.name());
  }

  private static boolean matches(List<String> values, String value) {
    return values != null && (values.contains("*") || values.contains(value));
  }

  private static boolean resourceMatches(
      List<String> resources, String resource, String subresource) {
    if (resources == null) {
      return false;
    }
    String combined =
        subresource == null || subresource.isEmpty() ? resource : resource + "/" + subresource;
    for (String r : resources) {
      if (r.equals("*")
          || r.equals(combined)
          || subresource != null && !subresource.isEmpty() && r.equals("*/" + subresource)) {
        return true;
      }
    }
    return false;
  }

  /**
   * No names: every name. A list (create, or list without a name) is not covered by a named rule.
   */
  private static boolean resourceNameMatches(List<String> names, String name) {
    return names == null || names.isEmpty() || name != null && names.contains(name);
  }

  private static boolean nonResourceUrlMatches(List<String> urls, String path) {
    if (urls == null) {
      return false;
    }
    for (String url : urls) {
      if (url.equals("*")
          || url.equals(path)
          || url.endsWith("*") && path.startsWith(url.substring(0, url.length() - 1))) {
        return true;
      }
    }
    return false;
  }
}
