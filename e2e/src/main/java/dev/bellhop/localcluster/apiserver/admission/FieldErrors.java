package dev.bellhop.localcluster.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.bellhop.localcluster.apiserver.ApiError;
import dev.bellhop.localcluster.apiserver.ApiError.Cause;

/**
 * kube's {@code field.Error} as a Status cause: the reason ({@code FieldValueInvalid}, ...), the
 * field path and the body {@code kubectl} prints after the path ({@code Invalid value: "Foo":
 * ...}).
 */
final class FieldErrors {
  private static final ObjectMapper JSON = new ObjectMapper();

  private FieldErrors() {}

  static Cause invalid(String field, Object value, String detail) {
    return new Cause("FieldValueInvalid", field, "Invalid value: " + render(value) + ": " + detail);
  }

  static Cause required(String field, String detail) {
    return new Cause(
        "FieldValueRequired", field, "Required value" + (detail.isEmpty() ? "" : ": " + detail));
  }

  static Cause forbidden(String field, String detail) {
    return new Cause("FieldValueForbidden", field, "Forbidden: " + detail);
  }

  /**
   * Strings quoted, numbers and booleans bare, anything else as JSON (as current kube prints them).
   */
  static String render(Object value) {
    if (value instanceof String s) {
      return TextNode.valueOf(s).toString();
    }
    if (value instanceof JsonNode node) {
      return node.toString();
    }
    try {
      return JSON.writeValueAsString(value);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return String.valueOf(value);
    }
  }

  /** The API group of an {@code apiVersion} ("" for "v1"). */
  static String group(String apiVersion) {
    if (apiVersion == null) {
      return "";
    }
    int slash = apiVersion.indexOf('/');
    return slash < 0 ? "" : apiVersion.substring(0, slash);
  }

  /** 422 for the request's object, named as kube names it ({@code Service "x" is invalid: ...}). */
  static ApiError invalid(AdmissionRequest request, java.util.List<Cause> causes) {
    String group =
        request.info().apiGroup() == null
            ? group(request.object().path("apiVersion").asText(null))
            : request.info().apiGroup();
    String name =
        request
            .object()
            .path("metadata")
            .path("name")
            .asText(request.info().name() == null ? "" : request.info().name());
    return ApiError.invalid(group, request.kind(), name, causes);
  }
}
