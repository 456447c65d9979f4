package dev.bellhop.packaging;

import dev.bellhop.localcluster.apiserver.RequestInfo;
import dev.bellhop.localcluster.apiserver.UserInfo;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** RBAC as (API group, resource[/subresource], verb) triples, and the chart's operator identity. */
final class Rbac {
  private Rbac() {}

  record Grant(String group, String resource, String verb) implements Comparable<Grant> {
    @Override
    public int compareTo(Grant o) {
      return toString().compareTo(o.toString());
    }

    @Override
    public String toString() {
      return (group.isEmpty() ? "core" : group) + " " + resource + " " + verb;
    }

    /** What a resource request needs, as RBAC reads it. */
    static Grant of(RequestInfo info) {
      return new Grant(
          info.apiGroup(),
          info.subresource() == null ? info.resource() : info.resource() + "/" + info.subresource(),
          info.verb());
    }
  }

  /** One request of the operator: as the API server parses it, what was sent, and its body. */
  record Access(RequestInfo info, String request, String body) {}

  /**
   * The rules as triples; the chart names every group, resource and verb (no wildcards, no
   * resourceNames).
   */
  static Set<Grant> grants(List<PolicyRule> rules) {
    Set<Grant> grants = new TreeSet<>();
    for (PolicyRule rule : rules) {
      if (rule.getResourceNames() != null && !rule.getResourceNames().isEmpty()) {
        throw new AssertionError("resourceNames are not expected in the chart: " + rule);
      }
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String verb : rule.getVerbs()) {
            if (group.contains("*") || resource.contains("*") || verb.contains("*")) {
              throw new AssertionError("wildcards are not expected in the chart: " + rule);
            }
            grants.add(new Grant(group, resource, verb));
          }
        }
      }
    }
    return grants;
  }

  /**
   * The ServiceAccount the chart's operator Deployment runs as, as the API server authenticates it.
   */
  static UserInfo operatorUser(List<HasMetadata> chart) {
    Deployment operator = ChartTest.deployment(chart, "bellhop-operator");
    String ns = operator.getMetadata().getNamespace();
    String sa = operator.getSpec().getTemplate().getSpec().getServiceAccountName();
    return new UserInfo(
        "system:serviceaccount:" + ns + ":" + sa,
        "",
        List.of("system:serviceaccounts", "system:serviceaccounts:" + ns, UserInfo.AUTHENTICATED));
  }
}
