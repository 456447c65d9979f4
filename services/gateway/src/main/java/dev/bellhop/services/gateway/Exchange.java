package dev.bellhop.services.gateway;

import dev.bellhop.services.common.rpc.RpcException;
import dev.bellhop.services.common.server.RequestChecks;
import dev.bellhop.services.common.server.StatusTimers;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * One call as the gateway takes it, from the request's head to its metrics: the checks that need no
 * body (method, declared size, path and route, so bad calls fail fast), the body (bounded, also
 * when chunked), then {@link Forwarding} to an instance. Its response's end handler (called once,
 * when the response ended or the connection closed) records the call.
 */
final class Exchange implements Handler<Void> {
  final ProxyContext context;
  final HttpServerRequest request;
  final HttpServerResponse response;
  final long startNanos = System.nanoTime();

  /** The timers the call is recorded in: its service's once routed. */
  private StatusTimers requests;

  /** Close the connection once answered (a body left unread). */
  private boolean closeAfter;

  /** The path's target; null for {@code /rpc}, whose body names it. */
  private PathMapping.Target target;

  /** The caller's connection and its deadlines; null if it closed before this request ran. */
  private final ClientConnections.Client client;

  Exchange(ProxyContext context, HttpServerRequest request) {
    this.context = context;
    this.request = request;
    this.response = request.response();
    this.requests = context.unknown();
    this.client =
        ClientConnections.current(context.vertx(), context.settings()).of(request.connection());
    if (client != null) {
      client.requestStarted();
    }
    context.server().requestStarted(response);
    response.endHandler(this);
  }

  /** The response ended or the connection closed: exactly once per call. */
  @Override
  public void handle(Void ended) {
    requests.record(response.getStatusCode(), System.nanoTime() - startNanos);
    context.server().requestEnded();
    if (client != null) {
      client.responseEnded(request.isEnded());
    }
    if (closeAfter) {
      request.connection().close();
    }
  }

  /**
   * Before the body is read: (path style) the route, method and declared size, so bad calls fail
   * fast. The route comes first: a path that names nothing the gateway publishes is 404 whatever
   * the method ({@code GET /metrics} too: health and metrics are on the admin port).
   */
  void precheck() {
    String path = RequestChecks.routedPath(request.path());
    if (path == null) {
      reject(
          RpcException.notFound(
              "no route for " + request.uri() + ": expected /[service]/[method] or /rpc"));
      return;
    }
    if (!path.equals("/rpc")) {
      target = context.targets().target(path);
      if (target == null) {
        reject(
            RpcException.notFound(
                "no route for " + path + ": expected /[service]/[method] or /rpc"));
        return;
      }
      ServiceRoute route;
      try {
        route = context.table().route(target.service());
      } catch (RpcException e) {
        reject(e);
        return;
      }
      if (request.method() != HttpMethod.POST && !route.isLoaded()) {
        // Whether it is published is not known until its watch first answers: a 405 now would
        // tell a caller that Consul lists it (consul, another tenant's service).
        reject(RoutingTable.notFound(target.service()));
        return;
      }
    }
    RpcException notPost =
        RequestChecks.postOnly(
            request, request.method().name() + " not allowed: the gateway takes POST");
    if (notPost != null) {
      reject(notPost);
      return;
    }
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null) {
      long declared;
      try {
        declared = Long.parseLong(length.trim());
      } catch (NumberFormatException e) {
        reject(RpcException.badRequest("bad Content-Length: " + length));
        return;
      }
      if (declared > context.settings().maxBodyBytes()) {
        tooLarge(); // the body stays unread, which makes the connection unusable: closed after the
        // answer
        return;
      }
    }
    if (request.headers().contains(HttpHeaders.EXPECT, HttpHeaders.CONTINUE, true)) {
      response.writeContinue();
    }
    readBody();
  }

  /** The call reached a known service: it is recorded in that service's timers. */
  void routed(ServiceRoute route) {
    requests = route.requests;
  }

  /** Fails a call before it was sent (any body still arriving is dropped: no handler takes it). */
  void reject(RpcException error) {
    context.server().sendError(response, error);
  }

  private void tooLarge() {
    response.putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
    closeAfter = true;
    reject(RequestChecks.bodyTooLarge(context.settings().maxBodyBytes()));
  }

  /** Reads the body (at most MAX_BODY_BYTES, also when chunked), then forwards it. */
  private void readBody() {
    if (request.isEnded()) {
      read();
      forward(Buffer.buffer());
      return;
    }
    BodyReader reader = new BodyReader(context.settings().maxBodyBytes());
    request.handler(
        chunk -> {
          if (!reader.add(chunk)) {
            tooLarge();
          }
        });
    request.exceptionHandler(e -> reader.broken()); // the connection broke: nothing to answer
    request.endHandler(
        v -> {
          read();
          if (reader.ok()) {
            forward(reader.body());
          }
        });
  }

  /** The request's last byte arrived. */
  private void read() {
    if (client != null) {
      client.requestRead();
    }
  }

  private void forward(Buffer body) {
    boolean rpc = target == null;
    PathMapping.Target to = target;
    Buffer payload = body;
    if (rpc) {
      try {
        RpcCall call = RpcCall.parse(body);
        to = call.target();
        payload = call.request();
      } catch (RpcException e) {
        reject(e);
        return;
      }
    }
    new Forwarding(this, to, payload, rpc).start();
  }

  /** A body as it arrives: most come in one piece, kept as it is; a larger one grows one buffer. */
  private static final class BodyReader {
    private final long maxBytes;
    private Buffer body;
    private boolean grown;
    private boolean failed;

    BodyReader(long maxBytes) {
      this.maxBytes = maxBytes;
    }

    /**
     * False (once) when the chunk takes the body over the limit; chunks after a failure are
     * dropped.
     */
    boolean add(Buffer chunk) {
      if (failed) {
        return true;
      }
      int size = (body == null ? 0 : body.length()) + chunk.length();
      if (size > maxBytes) {
        failed = true;
        return false;
      }
      if (body == null) {
        body = chunk;
      } else if (!grown) {
        body = Buffer.buffer(Math.max(size, 4096)).appendBuffer(body).appendBuffer(chunk);
        grown = true;
      } else {
        body.appendBuffer(chunk);
      }
      return true;
    }

    void broken() {
      failed = true;
    }

    boolean ok() {
      return !failed;
    }

    Buffer body() {
      return body == null ? Buffer.buffer() : body;
    }
  }
}
