package dev.bellhop.localcluster.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;

/**
 * Request bodies: JSON, YAML, and protobuf for the kinds client-go's typed clients write ({@link
 * Protobuf}); the rest is a 415.
 */
public final class Bodies {
  private Bodies() {}

  /** The body as JSON, whatever its media type; 400 if it cannot be read, 415 if not served. */
  public static JsonNode read(ApiRequest request) {
    String type = request.contentType() == null ? "application/json" : request.contentType();
    if (request.body() == null || request.body().length == 0) {
      throw Errors.badRequest("the body of the request is empty");
    }
    try {
      if (type.endsWith("json")) {
        return Storage.JSON.readTree(request.body());
      }
      if (type.endsWith("yaml")) {
        return Serialization.yamlMapper().readTree(request.body());
      }
      if (type.equals("application/vnd.kubernetes.protobuf")) {
        return Protobuf.read(request.body());
      }
    } catch (IOException e) {
      throw Errors.badRequest(
          "the body of the request was in an unknown format: " + e.getMessage());
    }
    throw Errors.unsupportedMediaType(
        "the body of the request was in an unknown format - accepted media types include: "
            + "application/json, application/yaml");
  }
}
