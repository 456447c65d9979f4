package dev.bellhop.localcluster.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bellhop.localcluster.apiserver.authorization.Authorizer;
import io.vertx.core.Handler;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every request to the local API server, through the chain in kube-apiserver's order: {@link
 * RequestInfo#parse}, authentication, authorization (skipped for system:masters), then the request
 * itself — reads from the store, watches bridged to it, writes computed by {@link Writes}
 * (admission runs there). Stages run on worker threads (they block on the store); answers are JSON
 * with {@code Content-Type: application/json}, errors kube's {@code Status}.
 */
final class Front implements Handler<HttpServerRequest> {
  private static final Logger log = LoggerFactory.getLogger(Front.class);

  /** A gitVersion that Helm's {@code kubeVersion: >=1.21.0-0} and kubectl's version skew accept. */
  static final String GIT_VERSION = "v1.34.0";

  private final Chain chain;
  private final Storage storage;
  private final Discovery discovery;
  private final Writes writes;
  private final Watches watches;
  private final WorkerExecutor workers;

  /**
   * Requests served, by "verb resource[/subresource]": logged when the server stops, to show what a
   * run asked.
   */
  private final java.util.concurrent.ConcurrentHashMap<
          String, java.util.concurrent.atomic.LongAdder>
      served = new java.util.concurrent.ConcurrentHashMap<>();

  Front(
      Chain chain, Storage storage, Discovery discovery, Watches watches, WorkerExecutor workers) {
    this.chain = chain;
    this.storage = storage;
    this.discovery = discovery;
    this.writes = new Writes(storage, discovery, chain.admission());
    this.watches = watches;
    this.workers = workers;
  }

  @Override
  public void handle(HttpServerRequest http) {
    boolean upgrade = "websocket".equalsIgnoreCase(http.getHeader("Upgrade"));
    if (upgrade) {
      http.pause(); // the upgrade waits for the chain's answer
    }
    Buffer body = Buffer.buffer();
    if (!upgrade) {
      http.handler(body::appendBuffer);
    }
    Runnable run =
        () ->
            workers
                .<ApiRequest.Response>executeBlocking(
                    () -> serve(http, body.getBytes(), upgrade), false)
                .onComplete(
                    result -> {
                      if (result.failed()) {
                        respond(http, errorResponse(result.cause()));
                      } else if (result.result() != null) {
                        respond(http, result.result());
                      }
                    });
    if (upgrade) {
      run.run();
    } else {
      http.endHandler(v -> run.run());
    }
  }

  /** The answer, or null when a watch has taken the request over. */
  private ApiRequest.Response serve(HttpServerRequest http, byte[] body, boolean upgrade) {
    RequestInfo info;
    try {
      info = RequestInfo.parse(http.method().name(), http.uri());
    } catch (IllegalArgumentException e) {
      throw Errors.badRequest("the request's URI cannot be parsed: " + e.getMessage());
    }
    UserInfo user =
        chain
            .authenticator()
            .authenticate(http.getHeader("Authorization"))
            .orElse(UserInfo.ANONYMOUS);
    if (!user.isMember(UserInfo.MASTERS)) {
      Authorizer.Decision decision = chain.authorizer().authorize(user, info);
      if (!decision.allowed()) {
        throw ApiError.forbidden(user, info, decision.reason());
      }
    }
    served
        .computeIfAbsent(
            info.verb()
                + " "
                + (info.resourceRequest()
                    ? info.resource() + (info.subresource() == null ? "" : "/" + info.subresource())
                    : "nonresource"),
            k -> new java.util.concurrent.atomic.LongAdder())
        .increment();
    ApiRequest request =
        new ApiRequest(
            info, user, mediaType(http.getHeader("Content-Type")), http.getHeader("Accept"), body);
    for (Endpoint endpoint : chain.endpoints()) {
      Optional<ApiRequest.Response> answer = endpoint.serve(request);
      if (answer.isPresent() && answer.get().stream() != null) {
        stream(http, answer.get());
        return null;
      }
      if (answer.isPresent()) {
        return answer.get();
      }
    }
    if (!info.resourceRequest()) {
      return nonResource(info);
    }
    Discovery.Resource resource =
        discovery
            .resource(info.groupVersion(), info.resource())
            .orElseThrow(() -> Errors.pathNotFound(info.path()));
    if (info.subresource() != null
        && !(info.subresource().equals("status") && resource.status())
        && !(info.subresource().equals("scale") && resource.scale() != null)) {
      throw Errors.pathNotFound(info.path());
    }
    if (info.verb().equals("watch")) {
      if (upgrade) {
        http.toWebSocket()
            .onSuccess(socket -> watches.websocket(socket, request, resource.kind()))
            .onFailure(
                e ->
                    log.atDebug().addKeyValue("error", e.getMessage()).log("watch upgrade failed"));
        http.resume();
      } else {
        watches.chunked(
            http, request, resource.kind(), event -> viewEvent(request, resource, event));
      }
      return null;
    }
    if (upgrade) {
      throw Errors.badRequest("only watches are served over WebSocket");
    }
    if (info.apiGroup().equals("authorization.k8s.io") && info.verb().equals("create")) {
      // Reviews are answered, not stored: by the store's fixed answer until authorization serves
      // them.
      Storage.Reply reply = storage.post(request.collectionPath(), Writes.object(request));
      return new ApiRequest.Response(reply.code(), reply.body());
    }
    return switch (info.verb()) {
      case "get" ->
          "scale".equals(info.subresource())
              ? new ApiRequest.Response(200, Scales.of(get(request).body(), resource.scale()))
              : view(request, resource, get(request));
      case "list" -> view(request, resource, list(request, resource));
      case "create" -> {
        if (info.name() != null) {
          throw Errors.methodNotAllowed("POST is not allowed on a named " + info.resource());
        }
        yield writes.create(request, resource);
      }
      case "update", "patch" ->
          "scale".equals(info.subresource())
              ? writes.scale(request, resource)
              : info.verb().equals("update")
                  ? writes.update(request, resource)
                  : writes.patch(request, resource);
      case "delete" -> writes.delete(request, resource);
      case "deletecollection" ->
          writes.deleteCollection(request, resource, list(request, resource).body());
      default ->
          throw Errors.methodNotAllowed(
              "the server does not allow this method on the requested resource");
    };
  }

  /** The most asked requests, most first ("patch pods/status=812"). */
  String served(int top) {
    return served.entrySet().stream()
        .sorted((a, b) -> Long.compare(b.getValue().sum(), a.getValue().sum()))
        .limit(top)
        .map(e -> e.getKey() + "=" + e.getValue().sum())
        .collect(java.util.stream.Collectors.joining(", "));
  }

  private ApiRequest.Response view(
      ApiRequest request, Discovery.Resource resource, ApiRequest.Response read) {
    JsonNode body = read.body();
    for (ReadView view : chain.views()) {
      body = view.render(request, resource, body);
    }
    // A Table says so in its media type, as kube-apiserver's does
    // ("...;as=Table;v=v1;g=meta.k8s.io").
    String table =
        body.path("kind").asText().equals("Table")
                && body.path("apiVersion").asText().startsWith("meta.k8s.io/")
            ? "application/json;as=Table;v="
                + body.path("apiVersion").asText().substring("meta.k8s.io/".length())
                + ";g=meta.k8s.io"
            : null;
    return new ApiRequest.Response(read.code(), body, read.warnings(), table, null);
  }

  /**
   * A watch event's object through the views, as kube sends {@code kubectl get -w} a Table per
   * event.
   */
  private String viewEvent(ApiRequest request, Discovery.Resource resource, String event) {
    if (chain.views().isEmpty() || request.accept() == null || !request.accept().contains("as=")) {
      return event;
    }
    try {
      ObjectNode parsed = (ObjectNode) Storage.JSON.readTree(event);
      String type = parsed.path("type").asText();
      if (type.equals("ADDED") || type.equals("MODIFIED") || type.equals("DELETED")) {
        JsonNode object = parsed.path("object");
        for (ReadView view : chain.views()) {
          object = view.render(request, resource, object);
        }
        parsed.set("object", object);
      }
      return parsed.toString();
    } catch (java.io.IOException | ClassCastException e) {
      return event;
    }
  }

  private ApiRequest.Response nonResource(RequestInfo info) {
    String path = info.path();
    if (!info.verb().equals("get")) {
      throw Errors.methodNotAllowed(
          "the server does not allow this method on the requested resource");
    }
    if (path.equals("/version") || path.equals("/version/")) {
      return new ApiRequest.Response(200, version());
    }
    if (path.equals("/healthz") || path.equals("/livez") || path.equals("/readyz")) {
      return new ApiRequest.Response(200, null);
    }
    return discovery
        .document(path)
        .map(d -> new ApiRequest.Response(200, d))
        .orElseThrow(() -> Errors.pathNotFound(path));
  }

  private ApiRequest.Response get(ApiRequest request) {
    Storage.Reply reply = storage.get(request.objectPath());
    if (reply.code() == 404 || !reply.body().isObject()) {
      throw Errors.notFound(request.info(), request.info().name());
    }
    return new ApiRequest.Response(200, reply.body());
  }

  /** A list: labels selected by the store, fields here; kind and apiVersion as kube names them. */
  private ApiRequest.Response list(ApiRequest request, Discovery.Resource resource) {
    RequestInfo info = request.info();
    String query =
        info.param("labelSelector")
            .map(s -> "?labelSelector=" + URLEncoder.encode(s, StandardCharsets.UTF_8))
            .orElse("");
    Storage.Reply reply = storage.get(request.collectionPath() + query);
    if (!reply.ok() || !reply.body().isObject()) {
      throw Errors.internal("the store answered " + reply.code() + " to a list");
    }
    ObjectNode list = (ObjectNode) reply.body();
    list.put("kind", resource.kind() + "List").put("apiVersion", resource.groupVersion());
    FieldSelector fields = FieldSelector.parse(info.param("fieldSelector").orElse(null));
    if (!fields.isEmpty()) {
      ArrayNode kept = list.arrayNode();
      list.path("items")
          .forEach(
              item -> {
                if (fields.matches(item)) {
                  kept.add(item);
                }
              });
      list.set("items", kept);
    }
    return new ApiRequest.Response(200, list);
  }

  private static JsonNode version() {
    ObjectNode version = Storage.JSON.createObjectNode();
    String[] parts = GIT_VERSION.substring(1).split("\\.");
    version
        .put("major", parts[0])
        .put("minor", parts[1])
        .put("gitVersion", GIT_VERSION)
        .put("gitCommit", "0000000000000000000000000000000000000000")
        .put("gitTreeState", "clean")
        .put("buildDate", "2026-01-01T00:00:00Z")
        .put("goVersion", "go1.24.0")
        .put("compiler", "gc")
        .put("platform", "linux/amd64");
    return version;
  }

  private static ApiRequest.Response errorResponse(Throwable cause) {
    ApiError error;
    if (cause instanceof ApiError e) {
      error = e;
    } else {
      log.atWarn().setCause(cause).log("request failed inside the front");
      error = Errors.internal(String.valueOf(cause.getMessage()));
    }
    return new ApiRequest.Response(error.code(), Errors.status(error));
  }

  /** A streamed answer, chunked, written from this worker until it ends or the client goes. */
  private static void stream(HttpServerRequest http, ApiRequest.Response answer) {
    HttpServerResponse response = http.response();
    java.util.concurrent.atomic.AtomicBoolean open =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    response.closeHandler(v -> open.set(false));
    response
        .setStatusCode(answer.code())
        .setChunked(true)
        .putHeader("Content-Type", answer.contentType());
    try {
      answer.stream()
          .writeTo(
              bytes -> {
                if (!open.get() || response.closed()) {
                  return false;
                }
                if (bytes.length > 0) {
                  response.write(Buffer.buffer(bytes));
                }
                return true;
              });
    } catch (java.io.IOException | RuntimeException e) {
      log.atDebug()
          .addKeyValue("error", String.valueOf(e.getMessage()))
          .log("streamed answer ended early");
    } finally {
      if (!response.ended() && !response.closed()) {
        response.end();
      }
    }
  }

  private static void respond(HttpServerRequest http, ApiRequest.Response answer) {
    HttpServerResponse response = http.response();
    if (response.ended() || response.closed() || response.headWritten()) {
      return;
    }
    response.setStatusCode(answer.code());
    for (String warning : answer.warnings()) {
      response.headers().add("Warning", "299 - \"" + warning.replace("\"", "\\\"") + "\"");
    }
    if (answer.body() == null) {
      response.putHeader("Content-Type", "text/plain; charset=utf-8").end("ok");
    } else {
      response
          .putHeader(
              "Content-Type",
              answer.contentType() == null ? "application/json" : answer.contentType())
          .end(answer.body().toString());
    }
  }

  /** "application/json" from "application/json; charset=utf-8". */
  private static String mediaType(String header) {
    if (header == null) {
      return null;
    }
    int semicolon = header.indexOf(';');
    return (semicolon < 0 ? header : header.substring(0, semicolon)).trim().toLowerCase();
  }
}
