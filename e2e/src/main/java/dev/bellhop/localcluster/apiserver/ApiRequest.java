package dev.bellhop.localcluster.apiserver;

import java.util.List;

/**
 * A request as the front's stages after authentication see it.
 *
 * @param contentType the media type of the body, without parameters ("application/json")
 * @param accept the Accept header as sent (Table and protobuf requests are told apart by it)
 */
public record ApiRequest(
    RequestInfo info, UserInfo user, String contentType, String accept, byte[] body) {
  /**
   * The answer: a code, a JSON body, and {@code Warning} headers (kube's "299 - ..." form is added
   * when sent); or, from an {@link Endpoint}, a body of another media type written as it comes
   * ({@code stream}: pod logs, {@code text/plain}, followed for as long as the client stays).
   *
   * @param contentType null: {@code application/json}
   */
  public record Response(
      int code,
      com.fasterxml.jackson.databind.JsonNode body,
      List<String> warnings,
      String contentType,
      Stream stream) {
    public Response(int code, com.fasterxml.jackson.databind.JsonNode body, List<String> warnings) {
      this(code, body, warnings, null, null);
    }

    public Response(int code, com.fasterxml.jackson.databind.JsonNode body) {
      this(code, body, List.of());
    }

    public static Response streamed(String contentType, Stream stream) {
      return new Response(200, null, List.of(), contentType, stream);
    }
  }

  /** A body written piece by piece on the worker that serves the request. */
  @FunctionalInterface
  public interface Stream {
    void writeTo(Sink sink) throws java.io.IOException;
  }

  /** Where a streamed body goes; {@code write} answers false once the client has gone. */
  @FunctionalInterface
  public interface Sink {
    boolean write(byte[] bytes);
  }

  /**
   * The path of the request's collection in the store, without query: {@code
   * /api/v1/namespaces/ns/pods}.
   */
  String collectionPath() {
    String prefix =
        info.apiGroup().isEmpty()
            ? "/api/" + info.apiVersion()
            : "/apis/" + info.apiGroup() + "/" + info.apiVersion();
    return prefix
        + (info.namespace() != null && !info.resource().equals("namespaces")
            ? "/namespaces/" + info.namespace()
            : "")
        + "/"
        + info.resource();
  }

  /** The stored object's path (its main resource, never a subresource). */
  String objectPath() {
    return collectionPath() + "/" + info.name();
  }
}
