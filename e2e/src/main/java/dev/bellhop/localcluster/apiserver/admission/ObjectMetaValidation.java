package dev.bellhop.localcluster.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bellhop.localcluster.apiserver.ApiError.Cause;
import dev.bellhop.localcluster.apiserver.admission.AdmissionRequest.Operation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * kube's ValidateObjectMeta for every kind: the name in the format the kind's registry asks for
 * (DNS-1123 label for Namespaces, DNS-1035 label for Services, a path segment for RBAC objects, a
 * DNS-1123 subdomain for the rest, custom resources included), label keys and values, annotation
 * keys. The name is checked on create (it cannot change after).
 */
public final class ObjectMetaValidation implements AdmissionPlugin {
  private static final Set<String> RBAC =
      Set.of("roles", "clusterroles", "rolebindings", "clusterrolebindings");

  /** kube's TotalAnnotationSizeLimitB: 256 KiB of keys and values together. */
  private static final int ANNOTATIONS_LIMIT = 256 * 1024;

  @Override
  public void admit(AdmissionRequest request) {
    if (request.operation() == Operation.DELETE || request.info().subresource() != null) {
      return;
    }
    JsonNode meta = request.object().path("metadata");
    List<Cause> causes = new ArrayList<>();
    if (request.operation() == Operation.CREATE) {
      name(request.info().resource(), request.info().apiGroup(), meta, causes);
    }
    labels(meta.path("labels"), causes);
    annotations(meta.path("annotations"), causes);
    if (!causes.isEmpty()) {
      throw FieldErrors.invalid(request, causes);
    }
  }

  /** The name format of a resource (its plural, as in the URL). */
  static Function<String, List<String>> nameFormat(String resource, String group) {
    if ("namespaces".equals(resource) && (group == null || group.isEmpty())) {
      return Names::dns1123Label;
    }
    if ("services".equals(resource) && (group == null || group.isEmpty())) {
      return Names::dns1035Label;
    }
    if (RBAC.contains(resource) && "rbac.authorization.k8s.io".equals(group)) {
      return Names::pathSegment;
    }
    return Names::dns1123Subdomain;
  }

  private static void name(String resource, String group, JsonNode meta, List<Cause> causes) {
    Function<String, List<String>> format = nameFormat(resource, group);
    String name = meta.path("name").asText("");
    String generateName = meta.path("generateName").asText("");
    if (name.isEmpty() && generateName.isEmpty()) {
      causes.add(FieldErrors.required("metadata.name", "name or generateName is required"));
      return;
    }
    if (!generateName.isEmpty()) {
      // kube checks a prefix without its trailing dash: the generated suffix completes it.
      String prefix =
          generateName.endsWith("-")
              ? generateName.substring(0, generateName.length() - 1)
              : generateName;
      format
          .apply(prefix)
          .forEach(m -> causes.add(FieldErrors.invalid("metadata.generateName", generateName, m)));
    }
    if (!name.isEmpty()) {
      format.apply(name).forEach(m -> causes.add(FieldErrors.invalid("metadata.name", name, m)));
    }
  }

  private static void labels(JsonNode labels, List<Cause> causes) {
    for (Map.Entry<String, JsonNode> label : labels.properties()) {
      Names.labelKey(label.getKey())
          .forEach(m -> causes.add(FieldErrors.invalid("metadata.labels", label.getKey(), m)));
      String value = label.getValue().asText("");
      Names.labelValue(value)
          .forEach(m -> causes.add(FieldErrors.invalid("metadata.labels", value, m)));
    }
  }

  private static void annotations(JsonNode annotations, List<Cause> causes) {
    long size = 0;
    for (Map.Entry<String, JsonNode> annotation : annotations.properties()) {
      Names.labelKey(annotation.getKey().toLowerCase())
          .forEach(
              m -> causes.add(FieldErrors.invalid("metadata.annotations", annotation.getKey(), m)));
      size += annotation.getKey().length() + annotation.getValue().asText("").length();
    }
    if (size > ANNOTATIONS_LIMIT) {
      causes.add(
          new Cause(
              "FieldValueTooLong",
              "metadata.annotations",
              "Too long: may not be more than " + ANNOTATIONS_LIMIT + " bytes"));
    }
  }
}
