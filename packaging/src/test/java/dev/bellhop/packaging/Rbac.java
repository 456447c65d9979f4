package dev.bellhop.packaging;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** RBAC as (API group, resource[/subresource], verb) triples. */
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
  }

  /** One request: what it needs and in which namespace (null: cluster-wide or cluster-scoped). */
  record Access(Grant grant, String namespace, String request) {}

  static Grant grant(Class<? extends HasMetadata> type, String subresource, String verb) {
    String resource = HasMetadata.getPlural(type) + (subresource == null ? "" : "/" + subresource);
    return new Grant(HasMetadata.getGroup(type), resource, verb);
  }

  static Set<Grant> grants(List<PolicyRule> rules) {
    Set<Grant> grants = new TreeSet<>();
    for (PolicyRule rule : rules) {
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String verb : rule.getVerbs()) {
            grants.add(new Grant(group, resource, verb));
          }
        }
      }
    }
    return grants;
  }

  private static final Pattern PATH = Pattern.compile(
      "^/(?:api/v1|apis/([^/]+)/[^/]+)(?:/namespaces/([^/]+))?/([^/]+)(?:/([^/]+))?(?:/([^/]+))?$");

  /** The RBAC an API request needs: its method and path (with query) as the API server reads them. */
  static Access access(String method, String pathAndQuery) {
    String path = pathAndQuery.split("\\?", 2)[0];
    String query = pathAndQuery.contains("?") ? pathAndQuery.split("\\?", 2)[1] : "";
    Matcher m = PATH.matcher(path);
    if (!m.matches()) {
      throw new IllegalArgumentException("not a resource request: " + method + " " + pathAndQuery);
    }
    String group = m.group(1) == null ? "" : m.group(1);
    String namespace = m.group(2);
    String resource = m.group(3);
    String name = m.group(4);
    String sub = m.group(5);
    boolean watch = query.matches("(^|.*&)watch=(true|1)(&.*|$)");
    String verb = switch (method) {
      case "GET" -> watch ? "watch" : name == null ? "list" : "get";
      case "POST" -> "create";
      case "PUT" -> "update";
      case "PATCH" -> "patch";
      case "DELETE" -> name == null ? "deletecollection" : "delete";
      default -> throw new IllegalArgumentException("unexpected method " + method + " " + pathAndQuery);
    };
    return new Access(new Grant(group, sub == null ? resource : resource + "/" + sub, verb), namespace,
        method + " " + pathAndQuery);
  }
}
