package dev.bellhop.localcluster.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The front's view of its store, fabric8's CRUD mock on an internal loopback port: plain reads and
 * whole-object writes (the front computes every object it stores), and watches over WebSocket, the
 * only way the mock serves them. Everything here is blocking and runs on the front's workers.
 */
final class Storage implements StoredObjects {
  static final ObjectMapper JSON = Serialization.jsonMapper();

  /** A response of the store: its HTTP code and body (NullNode when it had none). */
  record Reply(int code, JsonNode body) {
    boolean ok() {
      return code / 100 == 2;
    }
  }

  private final String base;
  // HTTP/1.1: the JDK's client would otherwise ask a plain-HTTP server for an h2c upgrade on every
  // request.
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  Storage(String base) {
    this.base = base;
  }

  String base() {
    return base;
  }

  @Override
  public java.util.Optional<JsonNode> find(String path) {
    Reply reply = get(path);
    return reply.ok() && reply.body().isObject()
        ? java.util.Optional.of(reply.body())
        : java.util.Optional.empty();
  }

  @Override
  public java.util.List<JsonNode> items(String path) {
    java.util.List<JsonNode> items = new java.util.ArrayList<>();
    Reply reply = get(path);
    if (reply.ok()) {
      reply.body().path("items").forEach(items::add);
    }
    return items;
  }

  Reply get(String pathAndQuery) {
    return send(HttpRequest.newBuilder(uri(pathAndQuery)).GET());
  }

  Reply post(String path, JsonNode object) {
    return send(
        HttpRequest.newBuilder(uri(path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(object.toString())));
  }

  Reply put(String path, JsonNode object) {
    return send(
        HttpRequest.newBuilder(uri(path))
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(object.toString())));
  }

  Reply delete(String path) {
    return send(HttpRequest.newBuilder(uri(path)).DELETE());
  }

  /**
   * Opens the store's watch of this path and query; events arrive as text frames, one JSON event
   * each.
   */
  CompletableFuture<WebSocket> watch(String pathAndQuery, WebSocket.Listener listener) {
    return http.newWebSocketBuilder()
        .buildAsync(URI.create("ws" + base.substring(4) + pathAndQuery), listener);
  }

  private URI uri(String pathAndQuery) {
    return URI.create(base + pathAndQuery);
  }

  private Reply send(HttpRequest.Builder request) {
    try {
      HttpResponse<byte[]> response =
          http.send(
              request.timeout(Duration.ofSeconds(30)).build(),
              HttpResponse.BodyHandlers.ofByteArray());
      byte[] body = response.body();
      JsonNode node = NullNode.getInstance();
      if (body.length > 0) {
        try {
          node = JSON.readTree(body);
        } catch (IOException e) {
          node = NullNode.getInstance(); // the mock answers some errors with plain text
        }
      }
      return new Reply(response.statusCode(), node);
    } catch (IOException e) {
      throw new UncheckedIOException("the store did not answer", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while asking the store", e);
    }
  }
}
