package dev.bellhop.localcluster.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;
import java.net.URLEncoder;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches, bridged to the store's WebSocket watch: to clients that upgrade (fabric8) as WebSocket
 * frames, to the rest (client-go: kubectl, Helm) as kube's streamed HTTP response, one JSON event a
 * line. The front filters events by the field selector; the store starts from the resourceVersion
 * asked and filters by labels. {@code timeoutSeconds} ends the watch as kube-apiserver does; {@code
 * sendInitialEvents} is answered with the objects, then the bookmark that closes them.
 */
final class Watches {
  private static final Logger log = LoggerFactory.getLogger(Watches.class);

  /** Where the events of one watch go, and how to end it and hear that the client went. */
  private record Sink(Consumer<String> send, Runnable end, Consumer<Handler<Void>> closeHandler) {}

  private final Vertx vertx;
  private final Storage storage;

  Watches(Vertx vertx, Storage storage) {
    this.vertx = vertx;
    this.storage = storage;
  }

  /**
   * @param render each event as sent (the front's views: a Table row for {@code kubectl get -w})
   */
  void chunked(
      HttpServerRequest http,
      ApiRequest request,
      String kind,
      java.util.function.UnaryOperator<String> render) {
    HttpServerResponse response = http.response();
    response
        .setStatusCode(200)
        .setChunked(true)
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-cache, private");
    response.writeHead();
    start(
        request,
        kind,
        new Sink(
            event -> response.write(render.apply(event) + "\n"),
            () -> {
              if (!response.ended() && !response.closed()) {
                response.end();
              }
            },
            response::closeHandler));
  }

  void websocket(ServerWebSocket socket, ApiRequest request, String kind) {
    start(
        request,
        kind,
        new Sink(
            socket::writeTextMessage,
            () -> {
              if (!socket.isClosed()) {
                socket.close();
              }
            },
            socket::closeHandler));
  }

  private void start(ApiRequest request, String kind, Sink sink) {
    RequestInfo info = request.info();
    FieldSelector fields = FieldSelector.parse(info.param("fieldSelector").orElse(null));
    if (info.name() != null) {
      // A watch of one object's URL (the old form): the same as a name selector on its collection.
      fields =
          FieldSelector.parse(
              "metadata.name="
                  + info.name()
                  + info.param("fieldSelector").map(s -> "," + s).orElse(""));
    }
    String from = info.param("resourceVersion").orElse("");
    if (info.param("sendInitialEvents").map(Boolean::parseBoolean).orElse(false)) {
      from = sendInitialEvents(request, kind, fields, sink);
    }
    StringBuilder query = new StringBuilder("?watch=true");
    info.param("labelSelector").ifPresent(s -> query.append("&labelSelector=").append(encode(s)));
    if (!from.isEmpty() && !from.equals("0")) {
      query.append("&resourceVersion=").append(encode(from));
    }
    FieldSelector selector = fields;
    AtomicBoolean closed = new AtomicBoolean();
    AtomicReference<WebSocket> upstream = new AtomicReference<>();
    Runnable close =
        () -> {
          if (closed.compareAndSet(false, true)) {
            WebSocket ws = upstream.get();
            if (ws != null) {
              ws.abort();
            }
            sink.end().run();
          }
        };
    sink.closeHandler().accept(v -> close.run());
    info.param("timeoutSeconds")
        .map(Long::parseLong)
        .filter(s -> s > 0)
        .ifPresent(seconds -> vertx.setTimer(seconds * 1000, t -> close.run()));
    storage
        .watch(
            request.collectionPath() + query,
            new WebSocket.Listener() {
              private final StringBuilder message = new StringBuilder();

              @Override
              public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                message.append(data);
                if (last) {
                  String event = message.toString();
                  message.setLength(0);
                  if (selector.isEmpty() || matches(event, selector)) {
                    sink.send().accept(event);
                  }
                }
                ws.request(1);
                return null;
              }

              @Override
              public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
                close.run();
                return null;
              }

              @Override
              public void onError(WebSocket ws, Throwable error) {
                log.atDebug()
                    .addKeyValue("path", info.path())
                    .addKeyValue("error", String.valueOf(error.getMessage()))
                    .log("the store's watch failed");
                close.run();
              }
            })
        .whenComplete(
            (ws, error) -> {
              if (error != null) {
                close.run();
              } else if (closed.get()) {
                ws.abort();
              } else {
                upstream.set(ws);
              }
            });
  }

  /**
   * The objects as ADDED events, then a bookmark saying they are all sent; returns the list's
   * version.
   */
  private String sendInitialEvents(
      ApiRequest request, String kind, FieldSelector fields, Sink sink) {
    StringBuilder query = new StringBuilder();
    request
        .info()
        .param("labelSelector")
        .ifPresent(s -> query.append("?labelSelector=").append(encode(s)));
    Storage.Reply list = storage.get(request.collectionPath() + query);
    for (JsonNode item : list.body().path("items")) {
      if (fields.matches(item)) {
        ObjectNode event = Storage.JSON.createObjectNode().put("type", "ADDED");
        event.set("object", item);
        sink.send().accept(event.toString());
      }
    }
    String version = list.body().path("metadata").path("resourceVersion").asText("");
    ObjectNode bookmark = Storage.JSON.createObjectNode().put("type", "BOOKMARK");
    ObjectNode object = bookmark.putObject("object");
    object.put("kind", kind).put("apiVersion", request.info().groupVersion());
    object
        .putObject("metadata")
        .put("resourceVersion", version)
        .putObject("annotations")
        .put("k8s.io/initial-events-end", "true");
    sink.send().accept(bookmark.toString());
    return version;
  }

  private static boolean matches(String event, FieldSelector selector) {
    try {
      return selector.matches(Storage.JSON.readTree(event).path("object"));
    } catch (java.io.IOException e) {
      return false;
    }
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
