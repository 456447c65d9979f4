package dev.bellhop.localcluster.apiserver;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What kube-apiserver's RequestInfoFactory derives from a request, and the one place the local API
 * server parses a path: the verb (get, list, watch, create, update, patch, delete,
 * deletecollection), and for a resource request its group, version, namespace, resource,
 * subresource and name. Every stage of the chain (authorization, admission, validation) reads this
 * record rather than the path.
 *
 * @param apiGroup "" for the core group
 * @param namespace null for a cluster-scoped or all-namespaces request
 */
public record RequestInfo(
    String verb,
    String path,
    boolean resourceRequest,
    String apiGroup,
    String apiVersion,
    String namespace,
    String resource,
    String subresource,
    String name,
    Map<String, List<String>> query) {

  private static final java.util.Set<String> NAMESPACE_SUBRESOURCES =
      java.util.Set.of("status", "finalize");

  /** Parses an HTTP method and a request URI (path and query, as sent). */
  public static RequestInfo parse(String method, String uri) {
    URI parsed = URI.create(uri);
    String path = parsed.getRawPath();
    Map<String, List<String>> query = query(parsed.getRawQuery());
    List<String> parts = new ArrayList<>();
    for (String p : path.split("/")) {
      if (!p.isEmpty()) {
        parts.add(URLDecoder.decode(p, StandardCharsets.UTF_8));
      }
    }
    String group;
    String version;
    int i;
    if (parts.size() >= 2 && parts.get(0).equals("api")) {
      group = "";
      version = parts.get(1);
      i = 2;
    } else if (parts.size() >= 3 && parts.get(0).equals("apis")) {
      group = parts.get(1);
      version = parts.get(2);
      i = 3;
    } else {
      return new RequestInfo(
          method.toLowerCase(), path, false, null, null, null, null, null, null, query);
    }
    if (i >= parts.size()) {
      // Discovery of a group version (/api/v1, /apis/apps/v1) is a non-resource request.
      return new RequestInfo(
          method.toLowerCase(), path, false, null, null, null, null, null, null, query);
    }
    String namespace = null;
    // /namespaces/{ns}/{resource}...; /namespaces/{ns} alone is the namespace object itself, and
    // /namespaces/{ns}/status and /finalize its subresources (kube's namespaceSubresources).
    if (parts.get(i).equals("namespaces")
        && parts.size() > i + 2
        && !NAMESPACE_SUBRESOURCES.contains(parts.get(i + 2))) {
      namespace = parts.get(i + 1);
      i += 2;
    }
    String resource = parts.get(i);
    String name = parts.size() > i + 1 ? parts.get(i + 1) : null;
    String subresource = parts.size() > i + 2 ? parts.get(i + 2) : null;
    if (resource.equals("namespaces") && name != null) {
      namespace = name;
    }
    boolean watch = first(query, "watch").map(v -> v.equals("true") || v.equals("1")).orElse(false);
    String verb =
        switch (method.toUpperCase()) {
          case "GET", "HEAD" -> watch ? "watch" : name == null ? "list" : "get";
          case "POST" -> "create";
          case "PUT" -> "update";
          case "PATCH" -> "patch";
          case "DELETE" -> name == null ? "deletecollection" : "delete";
          default -> method.toLowerCase();
        };
    return new RequestInfo(
        verb, path, true, group, version, namespace, resource, subresource, name, query);
  }

  /** The first value of a query parameter. */
  public java.util.Optional<String> param(String name) {
    return first(query, name);
  }

  /** "apps/v1", or "v1" for the core group. */
  public String groupVersion() {
    return apiGroup == null || apiGroup.isEmpty() ? apiVersion : apiGroup + "/" + apiVersion;
  }

  private static java.util.Optional<String> first(Map<String, List<String>> query, String name) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty()
        ? java.util.Optional.empty()
        : java.util.Optional.of(values.get(0));
  }

  private static Map<String, List<String>> query(String raw) {
    Map<String, List<String>> query = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return query;
    }
    for (String parameter : raw.split("&")) {
      int eq = parameter.indexOf('=');
      String name =
          URLDecoder.decode(
              eq < 0 ? parameter : parameter.substring(0, eq), StandardCharsets.UTF_8);
      String value =
          eq < 0 ? "" : URLDecoder.decode(parameter.substring(eq + 1), StandardCharsets.UTF_8);
      query.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    }
    return query;
  }
}
