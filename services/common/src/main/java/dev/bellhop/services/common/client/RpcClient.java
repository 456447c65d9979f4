package dev.bellhop.services.common.client;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Calls one upstream service's RPC methods: round-robin over its instances, and when a connection
 * fails, the same call on the next instance. Every call the hotel API makes is a read, so a retry
 * after a connection broke mid-request is safe.
 */
public final class RpcClient {
  /** At most this many instances are tried for one call. */
  static final int MAX_ATTEMPTS = 3;

  private static final java.util.Set<String> NOT_FORWARDED =
      java.util.Set.of(
          "host",
          "content-length",
          "content-type",
          "connection",
          "keep-alive",
          "transfer-encoding",
          "te",
          "trailer",
          "upgrade",
          "proxy-authorization",
          "proxy-connection",
          "expect",
          "accept-encoding");

  private final String upstream;
  private final EndpointResolver resolver;
  private final HttpClient http;
  private final Vertx vertx;
  private final AtomicInteger next = new AtomicInteger();

  public RpcClient(Vertx vertx, HttpClient http, String upstream, EndpointResolver resolver) {
    this.vertx = vertx;
    this.http = http;
    this.upstream = upstream;
    this.resolver = resolver;
  }

  public String upstream() {
    return upstream;
  }

  public EndpointResolver resolver() {
    return resolver;
  }

  /**
   * {@code POST /{method}} with {@code body}; fails with {@link UpstreamTimeoutException} after
   * {@code timeoutMillis} (DNS, connection and retries included), {@link UpstreamErrorException} on
   * an error status, {@link UpstreamUnavailableException} when no instance could be reached.
   */
  public Future<JsonObject> call(String method, JsonObject body, long timeoutMillis) {
    return call(method, body, timeoutMillis, null);
  }

  /**
   * The same, forwarding {@code headers} (e.g. {@code Authorization}, as the gateway does);
   * hop-by-hop and body headers are left out, this client sets its own.
   */
  public Future<JsonObject> call(
      String method, JsonObject body, long timeoutMillis, MultiMap headers) {
    Promise<JsonObject> result = Promise.promise();
    long timer =
        vertx.setTimer(
            Math.max(1, timeoutMillis),
            id ->
                result.tryFail(
                    new UpstreamTimeoutException(
                        upstream
                            + " did not answer "
                            + method
                            + " within "
                            + timeoutMillis
                            + " ms")));
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
    Buffer payload = body.toBuffer();
    resolver
        .resolve()
        .compose(
            endpoints ->
                attempt(
                    endpoints, next.getAndIncrement(), 0, method, payload, headers, deadline, null))
        .onComplete(
            ar -> {
              vertx.cancelTimer(timer);
              if (ar.succeeded()) {
                result.tryComplete(ar.result());
              } else {
                result.tryFail(ar.cause());
              }
            });
    return result.future();
  }

  private Future<JsonObject> attempt(
      List<Endpoint> endpoints,
      int start,
      int tries,
      String method,
      Buffer payload,
      MultiMap headers,
      long deadline,
      Throwable lastFailure) {
    long remaining = (deadline - System.nanoTime()) / 1_000_000L;
    int limit = Math.min(MAX_ATTEMPTS, endpoints.size());
    if (tries >= limit || remaining <= 0) {
      String why = lastFailure == null ? "no time left" : describe(lastFailure);
      return Future.failedFuture(
          new UpstreamUnavailableException(
              upstream + " unreachable (" + resolver.describe() + "): " + why));
    }
    Endpoint endpoint = endpoints.get(Math.floorMod(start + tries, endpoints.size()));
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setHost(endpoint.host())
            .setPort(endpoint.port())
            .setURI("/" + method)
            .setConnectTimeout(Math.max(1, remaining))
            .setIdleTimeout(Math.max(1, remaining));
    if (headers != null) {
      headers.forEach(
          (name, value) -> {
            if (!NOT_FORWARDED.contains(name.toLowerCase(java.util.Locale.ROOT))) {
              options.addHeader(name, value);
            }
          });
    }
    options.putHeader("content-type", "application/json").putHeader("accept", "application/json");
    // Nested, not chained: Vert.x does not buffer a response nobody listens to, so body() must
    // be attached while the response head is delivered, or the end is dropped and body() never
    // completes. A flat chain (request().compose(send).compose(body)) is assembled on the
    // caller's thread; called from a non-Vert.x thread (tests, a blocking get()), the event loop
    // could send and receive the whole answer on a pooled connection before the caller attached
    // the body step, which then ran later, against an ended response: a hang until the timer.
    // Here the body step is registered on the send future on the request's event loop, in the
    // same turn as the send, and the response is only delivered on that loop afterwards.
    return http.request(options)
        .compose(
            request ->
                request
                    .send(payload)
                    .compose(response -> response.body().map(buffer -> decode(response, buffer))))
        .transform(
            ar -> {
              if (ar.succeeded()) {
                return Future.succeededFuture(ar.result());
              }
              Throwable cause = ar.cause();
              if (cause instanceof UpstreamErrorException) {
                return Future.failedFuture(cause);
              }
              if (isTimeout(cause)) {
                return Future.failedFuture(
                    new UpstreamTimeoutException(
                        upstream + " (" + endpoint + ") did not answer " + method + " in time"));
              }
              return attempt(
                  endpoints, start, tries + 1, method, payload, headers, deadline, cause);
            });
  }

  private JsonObject decode(HttpClientResponse response, Buffer buffer) {
    int status = response.statusCode();
    Object parsed;
    try {
      parsed = buffer.length() == 0 ? null : Json.decodeValue(buffer);
    } catch (RuntimeException e) {
      parsed = null;
    }
    if (status >= 200 && status < 300) {
      if (parsed instanceof JsonObject object) {
        return object;
      }
      throw new UpstreamErrorException(upstream, 502, "response is not a JSON object");
    }
    String detail =
        parsed instanceof JsonObject error && error.getValue("detail") instanceof String d
            ? d
            : response.statusMessage();
    throw new UpstreamErrorException(upstream, status, detail);
  }

  private static boolean isTimeout(Throwable cause) {
    return cause instanceof java.util.concurrent.TimeoutException
        || cause instanceof io.netty.handler.timeout.TimeoutException
        || cause.getClass().getSimpleName().contains("Timeout")
            && !(cause instanceof io.netty.channel.ConnectTimeoutException);
  }

  private static String describe(Throwable cause) {
    String message = cause.getMessage();
    return message == null ? cause.getClass().getSimpleName() : message;
  }
}
