package dev.bellhop.localcluster.apiserver.openapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bellhop.localcluster.apiserver.Discovery;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The OpenAPI v3 documents kube-apiserver serves, as far as kubectl and Helm read them: {@code
 * /openapi/v3} lists each group version with a {@code serverRelativeURL} carrying a hash of its
 * document (clients cache by it), and each group version's document has, per resource, the
 * operations with {@code x-kubernetes-group-version-kind} and the {@code fieldValidation} query
 * parameter on POST, PUT and PATCH. kubectl's QueryParamVerifierV3 looks for exactly that on the
 * PATCH operation to leave validation to the server; without it, {@code kubectl apply} validates on
 * the client against OpenAPI v2, which the local API server does not serve (404). Custom resources
 * carry their CRD's {@code openAPIV3Schema} as a component (kubectl explain); built-in kinds carry
 * no schema, so kubectl computes their strategic merge patches from its own Go types, as it does
 * when a server publishes none.
 */
public final class OpenApiV3 {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final String PATH_PREFIX = "/openapi/v3/";

  private final String gitVersion;

  public OpenApiV3(String gitVersion) {
    this.gitVersion = gitVersion;
  }

  /** {@code GET /openapi/v3}: every group version and where its document is. */
  public ObjectNode root(List<Discovery.Resource> resources, List<JsonNode> crds) {
    ObjectNode root = JSON.objectNode();
    ObjectNode paths = root.putObject("paths");
    for (Map.Entry<String, List<Discovery.Resource>> gv : byGroupVersion(resources).entrySet()) {
      String path = path(gv.getKey());
      ObjectNode doc = build(gv.getKey(), gv.getValue(), crds);
      paths.putObject(path).put("serverRelativeURL", PATH_PREFIX + path + "?hash=" + hash(doc));
    }
    return root;
  }

  /**
   * The document of {@code /openapi/v3/<path>} ("api/v1", "apis/apps/v1"), empty for an unknown
   * group version (kube answers 404 and kubectl falls back to the Namespace document for CRDs).
   */
  public Optional<ObjectNode> document(
      String path, List<Discovery.Resource> resources, List<JsonNode> crds) {
    String p = path.startsWith(PATH_PREFIX) ? path.substring(PATH_PREFIX.length()) : path;
    for (Map.Entry<String, List<Discovery.Resource>> gv : byGroupVersion(resources).entrySet()) {
      if (path(gv.getKey()).equals(p)) {
        return Optional.of(build(gv.getKey(), gv.getValue(), crds));
      }
    }
    return Optional.empty();
  }

  private ObjectNode build(
      String groupVersion, List<Discovery.Resource> resources, List<JsonNode> crds) {
    ObjectNode doc = JSON.objectNode();
    doc.put("openapi", "3.0.0");
    doc.putObject("info").put("title", "Kubernetes").put("version", gitVersion);
    ObjectNode paths = doc.putObject("paths");
    ObjectNode schemas = JSON.objectNode();
    for (Discovery.Resource r : resources) {
      Optional<JsonNode> schema = r.builtIn() ? Optional.empty() : crdSchema(r, crds);
      String ref = null;
      if (schema.isPresent()) {
        String name = schemaName(r);
        schemas.set(name, schema.get());
        ref = "#/components/schemas/" + name;
      }
      String base =
          "/"
              + path(groupVersion)
              + (r.namespaced() ? "/namespaces/{namespace}/" : "/")
              + r.plural();
      paths.set(base, collection(r, ref));
      paths.set(base + "/{name}", item(r, ref, false));
      if (r.status()) {
        paths.set(base + "/{name}/status", item(r, ref, true));
      }
    }
    doc.putObject("components").set("schemas", schemas);
    return doc;
  }

  private ObjectNode collection(Discovery.Resource r, String ref) {
    ObjectNode path = JSON.objectNode();
    path.set(
        "get", operation(r, "list", "list or watch objects of kind " + r.kind(), ref, List.of()));
    path.set(
        "post",
        withBody(
            operation(r, "post", "create a " + r.kind(), ref, writeParameters(false)),
            ref,
            List.of("application/json", "application/yaml")));
    path.set(
        "delete",
        operation(r, "deletecollection", "delete collection of " + r.kind(), ref, List.of()));
    path.set("parameters", pathParameters(r, false));
    return path;
  }

  private ObjectNode item(Discovery.Resource r, String ref, boolean status) {
    String what = status ? "status of the specified " + r.kind() : "the specified " + r.kind();
    ObjectNode path = JSON.objectNode();
    path.set("get", operation(r, "get", "read " + what, ref, List.of()));
    path.set(
        "put",
        withBody(
            operation(r, "put", "replace " + what, ref, writeParameters(false)),
            ref,
            List.of("application/json", "application/yaml")));
    List<String> patches =
        new ArrayList<>(
            List.of(
                "application/apply-patch+yaml",
                "application/json-patch+json",
                "application/merge-patch+json"));
    if (r.builtIn()) {
      patches.add("application/strategic-merge-patch+json");
    }
    path.set(
        "patch",
        withBody(
            operation(r, "patch", "partially update " + what, ref, writeParameters(true)),
            ref,
            patches));
    if (!status) {
      path.set("delete", operation(r, "delete", "delete a " + r.kind(), ref, List.of()));
    }
    path.set("parameters", pathParameters(r, true));
    return path;
  }

  private static ObjectNode operation(
      Discovery.Resource r,
      String action,
      String description,
      String ref,
      List<ObjectNode> parameters) {
    ObjectNode op = JSON.objectNode();
    op.put("description", description);
    op.put("operationId", action + r.kind());
    ArrayNode params = op.putArray("parameters");
    parameters.forEach(params::add);
    ObjectNode ok = op.putObject("responses").putObject("200");
    ok.put("description", "OK");
    if (ref != null) {
      ok.putObject("content").putObject("application/json").putObject("schema").put("$ref", ref);
    }
    op.put("x-kubernetes-action", action);
    op.putObject("x-kubernetes-group-version-kind")
        .put("group", r.group())
        .put("version", version(r))
        .put("kind", r.kind());
    return op;
  }

  private static ObjectNode withBody(ObjectNode op, String ref, List<String> mediaTypes) {
    ObjectNode content = op.putObject("requestBody").putObject("content");
    for (String type : mediaTypes) {
      ObjectNode schema = content.putObject(type).putObject("schema");
      if (ref != null
          && !type.endsWith("patch+json")
          && !type.startsWith("application/apply-patch")) {
        schema.put("$ref", ref);
      } else {
        schema.put("type", "object");
      }
    }
    op.with("requestBody").put("required", true);
    return op;
  }

  /** kube's write parameters; fieldValidation is the one kubectl and Helm look for. */
  private static List<ObjectNode> writeParameters(boolean patch) {
    List<ObjectNode> params = new ArrayList<>();
    params.add(
        query(
            "dryRun",
            "When present, indicates that modifications should not be persisted. Valid values "
                + "are: - All: all dry run stages will be processed"));
    params.add(
        query(
            "fieldManager",
            "fieldManager is a name associated with the actor or entity that is making "
                + "these changes."));
    params.add(
        query(
            "fieldValidation",
            "fieldValidation instructs the server on how to handle objects in the "
                + "request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore - Warn - "
                + "Strict (the default): an error for any unknown or duplicate field."));
    if (patch) {
      ObjectNode force =
          query(
              "force",
              "Force is going to \"force\" Apply requests. It means user will "
                  + "re-acquire conflicting fields owned by other people.");
      force.with("schema").put("type", "boolean");
      params.add(force);
    }
    return params;
  }

  private static ArrayNode pathParameters(Discovery.Resource r, boolean named) {
    ArrayNode params = JSON.arrayNode();
    if (named) {
      params.add(pathParameter("name", "name of the " + r.kind()));
    }
    if (r.namespaced()) {
      params.add(
          pathParameter("namespace", "object name and auth scope, such as for teams and projects"));
    }
    params.add(query("pretty", "If 'true', then the output is pretty printed."));
    return params;
  }

  private static ObjectNode query(String name, String description) {
    ObjectNode p = JSON.objectNode();
    p.put("name", name).put("in", "query").put("description", description);
    p.putObject("schema").put("type", "string").put("uniqueItems", true);
    return p;
  }

  private static ObjectNode pathParameter(String name, String description) {
    ObjectNode p = JSON.objectNode();
    p.put("name", name).put("in", "path").put("description", description).put("required", true);
    p.putObject("schema").put("type", "string").put("uniqueItems", true);
    return p;
  }

  /** The CRD's schema of this version, with apiVersion, kind and metadata as kube adds them. */
  private static Optional<JsonNode> crdSchema(Discovery.Resource r, List<JsonNode> crds) {
    for (JsonNode crd : crds) {
      JsonNode spec = crd.path("spec");
      if (!spec.path("group").asText().equals(r.group())
          || !spec.path("names").path("kind").asText().equals(r.kind())) {
        continue;
      }
      for (JsonNode v : spec.path("versions")) {
        if (v.path("name").asText().equals(version(r))
            && v.path("schema").path("openAPIV3Schema").isObject()) {
          ObjectNode schema = v.path("schema").path("openAPIV3Schema").deepCopy();
          if (!schema.has("type")) {
            schema.put("type", "object");
          }
          ObjectNode properties = schema.with("properties");
          properties
              .putObject("apiVersion")
              .put("type", "string")
              .put(
                  "description",
                  "APIVersion defines the "
                      + "versioned schema of this representation of an object.");
          properties
              .putObject("kind")
              .put("type", "string")
              .put(
                  "description",
                  "Kind is a string value "
                      + "representing the REST resource this object represents.");
          properties
              .putObject("metadata")
              .put("type", "object")
              .put("description", "Standard object's metadata.");
          schema
              .putArray("x-kubernetes-group-version-kind")
              .addObject()
              .put("group", r.group())
              .put("version", version(r))
              .put("kind", r.kind());
          return Optional.of(schema);
        }
      }
    }
    return Optional.empty();
  }

  /**
   * kube's name for a CRD's schema: the group reversed, the version, the kind
   * ("dev.bellhop.v1alpha1.HotelService").
   */
  static String schemaName(Discovery.Resource r) {
    List<String> parts = new ArrayList<>(List.of(r.group().split("\\.")));
    java.util.Collections.reverse(parts);
    return String.join(".", parts) + "." + version(r) + "." + r.kind();
  }

  private static String version(Discovery.Resource r) {
    String gv = r.groupVersion();
    return gv.contains("/") ? gv.substring(gv.indexOf('/') + 1) : gv;
  }

  private static String path(String groupVersion) {
    return groupVersion.contains("/") ? "apis/" + groupVersion : "api/" + groupVersion;
  }

  private static Map<String, List<Discovery.Resource>> byGroupVersion(
      List<Discovery.Resource> resources) {
    Map<String, List<Discovery.Resource>> byGv = new LinkedHashMap<>();
    for (Discovery.Resource r : resources) {
      byGv.computeIfAbsent(r.groupVersion(), k -> new ArrayList<>()).add(r);
    }
    return byGv;
  }

  /** kube's hash of a document: SHA-512 of its bytes, upper-case hex. */
  private static String hash(JsonNode doc) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-512")
              .digest(doc.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().withUpperCase().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
