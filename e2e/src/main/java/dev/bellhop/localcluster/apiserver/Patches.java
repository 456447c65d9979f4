package dev.bellhop.localcluster.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bellhop.localcluster.apiserver.patch.MergePatch;
import dev.bellhop.localcluster.apiserver.patch.StrategicMergePatch;
import io.fabric8.zjsonpatch.JsonPatch;
import io.fabric8.zjsonpatch.JsonPatchException;

/**
 * The four patch types kube-apiserver takes, applied here to the stored object. Server-side apply
 * is served minimally: the applied configuration creates what does not exist and is merged as a
 * strategic (built-in kinds) or JSON merge patch (custom resources) into what does; there are no
 * managed fields, so a field dropped from the configuration is not removed and no conflict is found
 * (see docs/local-cluster-api-server.md for why that is enough for Helm and kubectl here).
 */
final class Patches {
  enum Type {
    JSON,
    MERGE,
    STRATEGIC,
    APPLY
  }

  private Patches() {}

  static Type type(String contentType, Discovery.Resource resource) {
    String type = contentType == null ? "" : contentType;
    return switch (type) {
      case "application/json-patch+json" -> Type.JSON;
      case "application/merge-patch+json" -> Type.MERGE;
      case "application/strategic-merge-patch+json" -> {
        if (!resource.builtIn()) {
          // As kube answers for custom resources: they have no patch strategies to merge by.
          throw Errors.unsupportedMediaType(
              "the body of the request was in an unknown format - accepted media types "
                  + "include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml");
        }
        yield Type.STRATEGIC;
      }
      case "application/apply-patch+yaml", "application/apply-patch+cbor" -> Type.APPLY;
      default ->
          throw Errors.unsupportedMediaType(
              "the body of the request was in an unknown format - accepted media "
                  + "types include: application/json-patch+json, application/merge-patch+json, "
                  + "application/apply-patch+yaml, application/strategic-merge-patch+json");
    };
  }

  static JsonNode read(Type type, ApiRequest request) {
    String bodyType = type == Type.APPLY ? "application/yaml" : "application/json";
    JsonNode patch =
        Bodies.read(
            new ApiRequest(
                request.info(), request.user(), bodyType, request.accept(), request.body()));
    if (type == Type.JSON ? !patch.isArray() : !patch.isObject()) {
      throw Errors.badRequest(
          "the body of the request is not a valid " + type.name().toLowerCase() + " patch");
    }
    return patch;
  }

  /**
   * The resourceVersion a patch itself asks for ("" for none): a conflict with it is the client's
   * 409.
   */
  static String resourceVersion(Type type, JsonNode patch) {
    if (type == Type.JSON) {
      for (JsonNode op : patch) {
        if (op.path("path").asText().equals("/metadata/resourceVersion") && op.has("value")) {
          return op.path("op").asText().equals("test")
                  || op.path("op").asText().equals("replace")
                  || op.path("op").asText().equals("add")
              ? op.get("value").asText()
              : "";
        }
      }
      return "";
    }
    return patch.path("metadata").path("resourceVersion").asText("");
  }

  static ObjectNode apply(Type type, ObjectNode stored, JsonNode patch) {
    JsonNode result;
    try {
      result =
          switch (type) {
            case JSON -> JsonPatch.apply(patch, stored);
            case MERGE -> MergePatch.apply(stored, patch);
            case STRATEGIC -> StrategicMergePatch.apply(stored, (ObjectNode) patch);
            case APPLY -> applyConfiguration(stored, (ObjectNode) patch);
          };
    } catch (JsonPatchException | IllegalArgumentException e) {
      // kube answers a patch that does not apply with 422 for JSON patch tests, 400 otherwise; both
      // are the client's.
      throw new ApiError(
          type == Type.JSON ? 422 : 400,
          type == Type.JSON ? "Invalid" : "BadRequest",
          "the patch could not be applied: " + e.getMessage(),
          null,
          null,
          null,
          java.util.List.of());
    }
    if (!result.isObject()) {
      throw Errors.badRequest("the patch does not leave an object");
    }
    return (ObjectNode) result;
  }

  private static JsonNode applyConfiguration(ObjectNode stored, ObjectNode configuration) {
    String apiVersion = stored.path("apiVersion").asText();
    boolean builtIn =
        !apiVersion.contains("/")
            || !apiVersion.substring(0, apiVersion.indexOf('/')).contains(".")
            || apiVersion.substring(0, apiVersion.indexOf('/')).endsWith(".k8s.io");
    return builtIn
        ? StrategicMergePatch.apply(stored, configuration)
        : MergePatch.apply(stored, configuration);
  }
}
