package dev.bellhop.services.gateway;

import dev.bellhop.services.common.rpc.RpcException;
import dev.bellhop.services.common.server.RequestChecks;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import java.util.concurrent.TimeUnit;

/**
 * A checked call on its way to an instance and back: at most two attempts (the second only after a
 * connection failure, on another instance), one deadline ({@code GATEWAY_TIMEOUT_MS}, 504), and the
 * instance's answer handed back unchanged. Runs on the event loop that accepted the request, with
 * that loop's HTTP client.
 */
final class Forwarding {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Forwarding.class);

  private final Exchange exchange;
  private final PathMapping.Target target;
  private final Buffer payload;
  private final boolean rpc;
  private final EventLoopUpstream loop;
  private ServiceRoute route;

  /** Sent with every attempt, and back to the caller unless the instance sent one. */
  private CharSequence requestId;

  private String uri;
  private EventLoopUpstream.Deadline deadline;
  private boolean done;

  /**
   * The attempt in flight: its request (reset on timeout) and instance (a timeout counts against
   * it).
   */
  private HttpClientRequest current;

  private Instance currentInstance;

  Forwarding(Exchange exchange, PathMapping.Target target, Buffer payload, boolean rpc) {
    this.exchange = exchange;
    this.target = target;
    this.payload = payload;
    this.rpc = rpc;
    this.loop = EventLoopUpstream.current(exchange.context.vertx(), settings());
  }

  void start() {
    try {
      route = exchange.context.table().route(target.service());
    } catch (RpcException e) {
      exchange.reject(e);
      return;
    }
    exchange.routed(route);
    route.touch(exchange.startNanos);
    requestId = ForwardedHeaders.toInstance(exchange.request, rpc, settings().clientAddress());
    String query = exchange.request.query();
    uri = "/" + target.method() + (query == null || query.isEmpty() ? "" : "?" + query);
    armTimer();
    if (route.isLoaded()) {
      send(null, null);
    } else {
      // First request for this service: wait for Consul's first answer (bounded by the timeout).
      Context here = Vertx.currentContext();
      route.whenLoaded().onComplete(ar -> here.runOnContext(v -> send(null, null)));
    }
  }

  boolean done() {
    return done;
  }

  private GatewaySettings settings() {
    return exchange.context.settings();
  }

  private GatewayMetrics metrics() {
    return exchange.context.metrics();
  }

  private void armTimer() {
    deadline =
        loop.track(
            this,
            System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings().requestTimeoutMillis()));
  }

  private void send(Instance avoid, String lastError) {
    if (done) {
      return;
    }
    if (!route.published()) {
      finish(RoutingTable.notFound(route.name)); // known now that the route's first answer came
      return;
    }
    Instance instance = route.pick(avoid);
    if (instance == null) {
      if (avoid == null) {
        metrics().upstreamError(route.name, "no_instance");
        finish(new RpcException(503, "no healthy instance of " + route.name));
      } else {
        unreachable(lastError);
      }
      return;
    }
    if (avoid != null) {
      metrics().retried(route.name);
    }
    Attempt attempt = new Attempt(instance);
    if (log.isDebugEnabled()) {
      log.atDebug()
          .addKeyValue("service", route.name)
          .addKeyValue("instance", instance.key)
          .addKeyValue("outstanding", instance.outstanding.get())
          .addKeyValue("retry", avoid != null)
          .log("attempt");
    }
    currentInstance = instance;
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setHost(instance.host)
            .setPort(instance.port)
            .setURI(uri)
            .setHeaders(exchange.request.headers())
            .setConnectTimeout(settings().connectTimeoutMillis());
    loop.client
        .request(options)
        .onComplete(
            connected -> {
              if (connected.failed()) {
                attempt.connectionFailed(connected.cause(), avoid == null);
                return;
              }
              HttpClientRequest request = connected.result();
              if (done) {
                request.reset();
                attempt.release();
                return;
              }
              current = request;
              request
                  .send(payload)
                  .onComplete(
                      answered -> {
                        if (answered.failed()) {
                          attempt.connectionFailed(answered.cause(), avoid == null);
                          return;
                        }
                        HttpClientResponse response = answered.result();
                        response
                            .body()
                            .onComplete(
                                read -> {
                                  attempt.release();
                                  if (done) {
                                    return;
                                  }
                                  if (read.failed()) {
                                    route.failed(instance);
                                    metrics().upstreamError(route.name, "connect");
                                    String why = instance + ": " + describe(read.cause());
                                    warnBadGateway("broke off its answer", why);
                                    finish(
                                        new RpcException(
                                            502,
                                            "upstream " + route.name + " broke off its answer"));
                                    return;
                                  }
                                  if (response.statusCode() >= 500) {
                                    route.failed(instance);
                                    metrics().upstreamError(route.name, "status_5xx");
                                  } else {
                                    route.succeeded(instance);
                                  }
                                  respond(response, read.result());
                                });
                      });
            });
  }

  private void respond(HttpClientResponse answer, Buffer body) {
    complete();
    HttpServerResponse out = exchange.response;
    if (out.ended() || out.closed()) {
      return;
    }
    out.setStatusCode(answer.statusCode());
    String message = answer.statusMessage();
    if (message != null && !message.equals(out.getStatusMessage())) {
      out.setStatusMessage(message);
    }
    ForwardedHeaders.toCaller(answer.headers(), out, requestId);
    out.end(body);
  }

  private void complete() {
    done = true;
    if (deadline != null) {
      deadline.cancel();
    }
  }

  /**
   * The deadline passed before an answer: the attempt in flight is reset, the caller gets a 504.
   */
  void timedOut() {
    if (log.isDebugEnabled()) {
      log.atDebug().addKeyValue("service", route.name).addKeyValue("done", done).log("timer");
    }
    if (done) {
      return;
    }
    if (currentInstance != null) {
      route.failed(currentInstance);
    }
    metrics().upstreamError(route.name, "timeout");
    complete(); // before the reset, whose failure must not count as a connection failure
    if (current != null) {
      current.reset();
    }
    finish(
        new RpcException(
            504,
            route.name
                + " did not answer "
                + target.method()
                + " within "
                + settings().requestTimeoutMillis()
                + " ms"));
  }

  /**
   * 502 after the last attempt failed. The caller learns which service failed, never where it runs:
   * the instance (node, service ID, address) and the cause go to the log, under the request id the
   * caller got back.
   */
  private void unreachable(String why) {
    warnBadGateway("unreachable", why);
    finish(new RpcException(502, "upstream " + route.name + " unreachable"));
  }

  private void warnBadGateway(String what, String why) {
    log.atWarn()
        .addKeyValue("service", route.name)
        .addKeyValue("requestId", requestId)
        .addKeyValue("failure", what)
        .addKeyValue("error", why)
        .log("bad gateway");
  }

  private void finish(RpcException error) {
    complete();
    exchange.context.server().sendError(exchange.response, error);
  }

  private static String describe(Throwable cause) {
    String message = cause.getMessage();
    return message == null ? cause.getClass().getSimpleName() : RequestChecks.firstLine(message);
  }

  /** One try on one instance; its outstanding count is released exactly once. */
  private final class Attempt {
    final Instance instance;
    boolean released;

    Attempt(Instance instance) {
      this.instance = instance;
      instance.outstanding.incrementAndGet();
    }

    void release() {
      if (!released) {
        released = true;
        instance.outstanding.decrementAndGet();
      }
    }

    /** No answer from the instance (refused, reset, closed): retried once on another instance. */
    void connectionFailed(Throwable cause, boolean firstTry) {
      release();
      if (done) {
        return;
      }
      route.failed(instance);
      metrics().upstreamError(route.name, "connect");
      String why = instance + ": " + describe(cause);
      if (firstTry) {
        log.atDebug()
            .addKeyValue("service", route.name)
            .addKeyValue("requestId", requestId)
            .addKeyValue("error", why)
            .log("connection failed; retrying on another instance");
        send(instance, why);
      } else {
        unreachable(why);
      }
    }
  }
}
