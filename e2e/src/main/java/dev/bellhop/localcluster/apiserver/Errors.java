package dev.bellhop.localcluster.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The refusals the front itself makes, worded as kube-apiserver words them (clients match on the
 * reason, people read the message), and the one place an {@link ApiError} becomes a {@code Status}.
 */
public final class Errors {
  private Errors() {}

  /** {@code pods "x"}, {@code deployments.apps "x"}: kube's qualified resource and name. */
  static String qualified(RequestInfo info, String name) {
    String resource =
        info.apiGroup() == null || info.apiGroup().isEmpty()
            ? info.resource()
            : info.resource() + "." + info.apiGroup();
    return name == null ? resource : resource + " \"" + name + "\"";
  }

  public static ApiError notFound(RequestInfo info, String name) {
    return about(info, name, 404, "NotFound", qualified(info, name) + " not found");
  }

  public static ApiError alreadyExists(RequestInfo info, String name) {
    return about(info, name, 409, "AlreadyExists", qualified(info, name) + " already exists");
  }

  /** A stale resourceVersion or failed precondition; {@code why} as kube phrases it. */
  public static ApiError conflict(RequestInfo info, String name, String why) {
    return about(
        info,
        name,
        409,
        "Conflict",
        "Operation cannot be fulfilled on " + qualified(info, name) + ": " + why);
  }

  public static ApiError stale(RequestInfo info, String name) {
    return conflict(
        info,
        name,
        "the object has been modified; please apply your changes to the latest version and try again");
  }

  public static ApiError badRequest(String message) {
    return plain(400, "BadRequest", message);
  }

  public static ApiError unsupportedMediaType(String message) {
    return plain(415, "UnsupportedMediaType", message);
  }

  public static ApiError methodNotAllowed(String message) {
    return plain(405, "MethodNotAllowed", message);
  }

  public static ApiError pathNotFound(String path) {
    return plain(404, "NotFound", "the server could not find the requested resource");
  }

  public static ApiError internal(String message) {
    return plain(500, "InternalError", "Internal error occurred: " + message);
  }

  /** An error about one object of the request's resource: its Status details name it. */
  private static ApiError about(
      RequestInfo info, String name, int code, String reason, String message) {
    return new ApiError(code, reason, message, info.apiGroup(), info.resource(), name, List.of());
  }

  /** An error with no details. */
  private static ApiError plain(int code, String reason, String message) {
    return new ApiError(code, reason, message, null, null, null, List.of());
  }

  /** The {@code Status} body of an error (kind Status, apiVersion v1, status Failure). */
  public static ObjectNode status(ApiError error) {
    ObjectNode status = JsonNodeFactory.instance.objectNode();
    status.put("kind", "Status").put("apiVersion", "v1");
    status.putObject("metadata");
    status
        .put("status", "Failure")
        .put("message", error.getMessage())
        .put("reason", error.reason());
    if (error.name() != null || error.kind() != null || !error.causes().isEmpty()) {
      ObjectNode details = status.putObject("details");
      if (error.name() != null) {
        details.put("name", error.name());
      }
      if (error.group() != null && !error.group().isEmpty()) {
        details.put("group", error.group());
      }
      if (error.kind() != null) {
        details.put("kind", error.kind());
      }
      if (!error.causes().isEmpty()) {
        ArrayNode causes = details.putArray("causes");
        for (ApiError.Cause c : error.causes()) {
          causes
              .addObject()
              .put("reason", c.reason())
              .put("message", c.message())
              .put("field", c.field());
        }
      }
    }
    status.put("code", error.code());
    return status;
  }

  /**
   * The {@code Status} of a successful delete that removed the object ({@code status: Success}).
   */
  static ObjectNode success(RequestInfo info, JsonNode deleted) {
    ObjectNode status = JsonNodeFactory.instance.objectNode();
    status.put("kind", "Status").put("apiVersion", "v1");
    status.putObject("metadata");
    status.put("status", "Success");
    ObjectNode details = status.putObject("details");
    details.put("name", info.name());
    if (info.apiGroup() != null && !info.apiGroup().isEmpty()) {
      details.put("group", info.apiGroup());
    }
    details.put("kind", info.resource());
    details.put("uid", deleted.path("metadata").path("uid").asText());
    return status;
  }
}
