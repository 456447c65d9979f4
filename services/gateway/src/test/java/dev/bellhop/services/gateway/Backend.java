package dev.bellhop.services.gateway;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A backend instance on loopback: answers every request with what it received ({@code instance},
 * {@code path}, {@code headers}, {@code body}), status 200 unless told otherwise.
 */
final class Backend implements AutoCloseable {
  final String name;
  final AtomicInteger hits = new AtomicInteger();
  final AtomicReference<JsonObject> last = new AtomicReference<>();
  volatile int status = 200;
  volatile long delayMillis;
  private final Vertx vertx;
  private final HttpServer server;

  private Backend(String name, Vertx vertx, HttpServer server) {
    this.name = name;
    this.vertx = vertx;
    this.server = server;
  }

  static Backend start(Vertx vertx, String name) throws Exception {
    Backend[] self = new Backend[1];
    HttpServer server =
        vertx
            .createHttpServer()
            .requestHandler(
                request ->
                    request
                        .body()
                        .onSuccess(
                            body -> {
                              Backend b = self[0];
                              b.hits.incrementAndGet();
                              JsonObject headers = new JsonObject();
                              for (Map.Entry<String, String> h : request.headers()) {
                                headers.put(h.getKey().toLowerCase(), h.getValue());
                              }
                              JsonObject seen =
                                  new JsonObject()
                                      .put("instance", b.name)
                                      .put("method", request.method().name())
                                      .put("path", request.uri())
                                      .put("headers", headers)
                                      .put("body", body.toString());
                              b.last.set(seen);
                              Runnable answer =
                                  () ->
                                      request
                                          .response()
                                          .setStatusCode(b.status)
                                          .putHeader("content-type", "application/json")
                                          .putHeader("X-Backend", b.name)
                                          .end(seen.encode());
                              if (b.delayMillis > 0) {
                                vertx.setTimer(b.delayMillis, id -> answer.run());
                              } else {
                                answer.run();
                              }
                            }))
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    self[0] = new Backend(name, vertx, server);
    return self[0];
  }

  int port() {
    return server.actualPort();
  }

  @Override
  public void close() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
